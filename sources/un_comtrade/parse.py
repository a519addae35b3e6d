"""Pure parsing of UN Comtrade API v1 responses (``/data/v1/get`` and ``/public/v1/preview``).

A response is a JSON object ``{"elapsedTime", "count", "data": [...], "error": ""}``; each record
in ``data`` is one reporter x partner x flow x commodity x period cell, with numbers as JSON numbers
(``primaryValue`` in US dollars) and, with ``includeDesc=true``, ISO codes and descriptions next to
the M49 codes. Only the totals this plugin asks for are loaded (second partner World, all customs
procedures, all modes of transport); breakdown rows are rejected with the reason.
"""

from __future__ import annotations

import json
import re
from typing import Any

from sources import drift
from sources.contract import Payload, Rejected, SourceError

#: UN M49 codes this plugin maps to ISO3 when the response carries no ISO code (includeDesc=false).
M49 = {842: "USA", 392: "JPN", 156: "CHN", 410: "KOR", 124: "CAN", 484: "MEX", 276: "DEU", 826: "GBR",
       356: "IND", 36: "AUS", 490: "TWN", 0: "WLD"}
FLOWS = {"X": "export", "M": "import", "RX": "re-export", "RM": "re-import"}
EXPECTED = drift.Expected(
    required={"reporterCode": "integer", "partnerCode": "integer", "flowCode": "text", "period": "text",
              "cmdCode": "text", "primaryValue": "number"},
    optional={k: "text" for k in (
        "typeCode", "freqCode", "refPeriodId", "refYear", "refMonth", "reporterISO", "reporterDesc", "flowDesc",
        "partnerISO", "partnerDesc", "partner2Code", "partner2ISO", "partner2Desc", "classificationCode",
        "classificationSearchCode", "isOriginalClassification", "cmdDesc", "aggrLevel", "isLeaf", "customsCode",
        "customsDesc", "mosCode", "motCode", "motDesc", "qtyUnitCode", "qtyUnitAbbr", "qty", "isQtyEstimated",
        "altQtyUnitCode", "altQtyUnitAbbr", "altQty", "isAltQtyEstimated", "netWgt", "isNetWgtEstimated",
        "grossWgt", "isGrossWgtEstimated", "cifvalue", "fobvalue", "legacyEstimationFlag", "isReported",
        "isAggregate")},
)
FIX = ("check the query options and the subscription key (COMTRADE_API_KEY); without a key the public preview "
       "endpoint answers at most 500 records")
_PERIOD = re.compile(r"(\d{4})(0[1-9]|1[0-2])?")


def parse_comtrade(payload: Payload) -> tuple[list[dict[str, Any]], list[Rejected], list[str]]:
    """Rows for ``trade_flows`` (before conform), rejected records, notes."""
    def fail(problem: str) -> SourceError:
        return SourceError(payload.source, payload.url, problem, FIX)

    try:
        doc = json.loads(payload.content.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        snippet = payload.content[:60].decode("utf-8", "replace").strip().replace("\n", " ")
        raise fail(f"the response is not JSON ({type(exc).__name__}; it starts with {snippet!r})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("data", []), list):
        raise fail("the response is JSON but not an object with a 'data' list")
    if doc.get("error"):
        raise fail(f"the API answered with an error: {str(doc['error'])[:300]}")
    data = [r for r in doc.get("data") or [] if isinstance(r, dict)]
    header = list(dict.fromkeys(k for r in data for k in r))
    rejected = drift.check(header, data, EXPECTED, source=payload.source, where=payload.url,
                           fix="add the field to sources/un_comtrade/parse.py EXPECTED if it is a new API field")
    rows: list[dict[str, Any]] = []
    for record in data:
        row, reason = _row(record, payload.url)
        if reason:
            rejected.append(Rejected(record, reason))
        else:
            rows.append(row)
    return rows, rejected, [f"{len(data)} records (count {doc.get('count', '?')})"]


def _row(r: dict[str, Any], url: str) -> tuple[dict[str, Any], str | None]:
    if r.get("partner2Code", 0) != 0 or str(r.get("customsCode", "C00")) != "C00" or r.get("motCode", 0) != 0:
        return {}, ("a breakdown row (second partner, customs procedure or mode of transport), not the total; "
                    "query with partner2Code=0, customsCode=C00, motCode=0")
    reporter = r.get("reporterISO") or M49.get(r.get("reporterCode"))
    partner = r.get("partnerISO") or M49.get(r.get("partnerCode"))
    if not reporter or not partner:
        return {}, (f"M49 code(s) {r.get('reporterCode')}/{r.get('partnerCode')} have no ISO3 here; query with "
                    "includeDesc=true or extend sources/un_comtrade/parse.py M49")
    flow = FLOWS.get(str(r.get("flowCode")))
    if flow is None:
        return {}, f"flowCode {r.get('flowCode')!r} is not one of {', '.join(FLOWS)}"
    m = _PERIOD.fullmatch(str(r.get("period", "")))
    if m is None:
        return {}, f"period {r.get('period')!r} is neither YYYY nor YYYYMM"
    value = r.get("primaryValue")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return {}, f"primaryValue {value!r} is not a number"
    return {
        "reporter": reporter, "partner": partner, "flow": flow,
        "commodity_code": str(r.get("cmdCode")), "commodity_desc": r.get("cmdDesc"),
        "period": f"{m[1]}-{m[2]}" if m[2] else m[1], "period_type": "month" if m[2] else "year",
        "value_usd": float(value), "source_url": url,
    }, None
