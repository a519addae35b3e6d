"""Pure parsing of US Census International Trade API responses into ``trade_flows`` rows.

The API (``timeseries/intltrade/{exports,imports}/hs``) answers with a JSON array of arrays: the
first row is the header (variable names), every value is a string, and the query's predicate
variables come back as extra columns (so a name such as ``CTY_CODE`` can appear twice). No I/O
here, so any archived payload can be parsed again.
"""

from __future__ import annotations

import json
import re
from typing import Any

from sources.contract import Payload, Rejected, SourceError

#: Census Schedule C country codes this plugin knows -> ISO 3166-1 alpha-3. Kept small on purpose:
#: an unknown code is rejected with a reason rather than loaded with a guessed partner.
CENSUS_COUNTRIES = {
    "1220": "CAN", "2010": "MEX", "4120": "GBR", "4280": "DEU", "5330": "IND",
    "5700": "CHN", "5800": "KOR", "5830": "TWN", "5880": "JPN", "6021": "AUS",
}
#: flow -> (value variable, commodity variable, description variables), per the API's naming.
VARIABLES = {
    "export": ("ALL_VAL_MO", "E_COMMODITY", ("E_COMMODITY_LDESC", "E_COMMODITY_SDESC")),
    "import": ("GEN_VAL_MO", "I_COMMODITY", ("I_COMMODITY_LDESC", "I_COMMODITY_SDESC")),
}
TOTAL_CODES = {"", "-", "TOTAL"}  # how the API (and people) spell "all commodities"
TOTAL_DESC = "TOTAL FOR ALL COMMODITIES"
_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
FIX = ("check the query (variables, CTY_CODE, time) and the API key; the API answers errors as "
       "plain text or an HTML page, and a valid query as a JSON array of arrays with a header row")


def parse_census(payload: Payload) -> tuple[list[dict[str, Any]], list[Rejected], list[str]]:
    """Rows for ``trade_flows`` (before :func:`conform_rows`), rejected records, notes.

    Raises :class:`SourceError` when the body as a whole is not a Census response.
    """
    if payload.status == 204 or not payload.content.strip():
        return [], [], [f"empty response (HTTP {payload.status}): the API has no data for this query"]

    def fail(problem: str) -> SourceError:
        return SourceError(payload.source, payload.url, problem, FIX)

    try:
        doc = json.loads(payload.content.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        snippet = payload.content[:60].decode("utf-8", "replace").strip().replace("\n", " ")
        raise fail(f"the response is not JSON ({type(exc).__name__}; it starts with {snippet!r})") from None
    if not (isinstance(doc, list) and doc and all(isinstance(r, list) for r in doc)
            and doc[0] and all(isinstance(h, str) for h in doc[0])):
        raise fail("the response is JSON but not an array of arrays with a header row of names")

    header, body = doc[0], doc[1:]
    col = {}  # name -> first position (predicate columns repeat get columns with the same value)
    for i, name in enumerate(header):
        col.setdefault(name, i)
    flow = payload.meta.get("flow") or next((f for f, v in VARIABLES.items() if v[0] in col), None)
    if flow not in VARIABLES:
        raise fail(f"cannot tell exports from imports: no meta 'flow' and neither ALL_VAL_MO nor GEN_VAL_MO in {header}")
    val_var, comm_var, desc_vars = VARIABLES[flow]
    missing = [v for v in ("CTY_CODE", val_var, "time") if v not in col]
    if missing:
        raise fail(f"the header {header} lacks {', '.join(missing)}")
    desc_var = next((d for d in desc_vars if d in col), None)

    rows: list[dict[str, Any]] = []
    rejected: list[Rejected] = []
    for n, raw in enumerate(body, start=1):
        record = dict(zip(header, raw))
        if len(raw) != len(header):
            rejected.append(Rejected(record, f"row {n} has {len(raw)} values, the header has {len(header)}"))
            continue
        cell = {name: str(raw[i]).strip() if raw[i] is not None else "" for name, i in col.items()}
        partner = CENSUS_COUNTRIES.get(cell["CTY_CODE"])
        if partner is None:
            rejected.append(Rejected(record, f"CTY_CODE {cell['CTY_CODE']!r} is not a country this plugin "
                                             f"maps to ISO3 (known: {', '.join(sorted(CENSUS_COUNTRIES))})"))
            continue
        if not _NUMBER.fullmatch(cell[val_var]):
            rejected.append(Rejected(record, f"{val_var} {cell[val_var]!r} is not a number"))
            continue
        if not _MONTH.fullmatch(cell["time"]):
            rejected.append(Rejected(record, f"time {cell['time']!r} is not a month (YYYY-MM)"))
            continue
        code = cell.get(comm_var, "")
        code = "TOTAL" if code.upper() in TOTAL_CODES else code
        desc = cell.get(desc_var) if desc_var else None
        rows.append({
            "reporter": "USA", "partner": partner, "flow": flow,
            "commodity_code": code,
            "commodity_desc": desc or (TOTAL_DESC if code == "TOTAL" else None),
            "period": cell["time"], "period_type": "month",
            "value_usd": float(cell[val_var]),
            "source_url": payload.url,
        })
    return rows, rejected, []
