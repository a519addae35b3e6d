"""Rebuild ``usa_jpn_annual_total.json``: a UN Comtrade API v1 response, in the API's format, for
US goods trade with Japan (annual totals), from figures in ``samples/reference/trade``.

NOT a recorded response (the project was built offline). Each record's ``primaryValue`` is a US
Census-basis figure from the reference tables (million or billion USD, converted to dollars with
exact decimal arithmetic); the codes that the query fixes (type, frequency, period, reporter, partner, second partner World,
flow, TOTAL, customs C00, mode of transport 0) are Comtrade's; fields the real API would fill
from its own records (classification version, quantities, CIF/FOB, isReported) are null. Run with
``--check`` to verify the committed file matches.
"""

from __future__ import annotations

import csv
import json
import sys
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
REFERENCE = HERE.parent / "reference" / "trade"
OUT = HERE / "usa_jpn_annual_total.json"
FLOW = {"us_exports": ("X", "Export"), "us_general_imports": ("M", "Import")}


def figures() -> list[tuple[int, str, Decimal]]:
    """(year, flow code, US dollars): 2018 from the balance table, 2022-2025 from the sector table."""
    out = []
    with open(REFERENCE / "us_japan_goods_balance_annual.csv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            for col, code in (("us_exports_busd", "X"), ("us_imports_busd", "M")):
                if row[col].strip():
                    out.append((int(row["year"]), code, Decimal(row[col]) * 1_000_000_000))
    with open(REFERENCE / "us_japan_goods_annual_by_sector.csv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["sector"].startswith("All merchandise"):
                out.append((int(row["year"]), FLOW[row["flow"]][0], Decimal(row["value_musd"]) * 1_000_000))
    return sorted(out)


def record(year: int, code: str, value: Decimal) -> dict:
    return {
        "typeCode": "C", "freqCode": "A", "refPeriodId": int(f"{year}0101"), "refYear": year, "refMonth": 52,
        "period": str(year), "reporterCode": 842, "reporterISO": "USA", "reporterDesc": "USA",
        "flowCode": code, "flowDesc": "Export" if code == "X" else "Import",
        "partnerCode": 392, "partnerISO": "JPN", "partnerDesc": "Japan",
        "partner2Code": 0, "partner2ISO": "W00", "partner2Desc": "World",
        "classificationCode": None, "classificationSearchCode": "HS", "isOriginalClassification": None,
        "cmdCode": "TOTAL", "cmdDesc": "All Commodities", "aggrLevel": 0, "isLeaf": False,
        "customsCode": "C00", "customsDesc": "TOTAL CPC", "mosCode": "0", "motCode": 0, "motDesc": "TOTAL MOT",
        "qtyUnitCode": -1, "qtyUnitAbbr": "N/A", "qty": None, "isQtyEstimated": False,
        "altQtyUnitCode": -1, "altQtyUnitAbbr": "N/A", "altQty": None, "isAltQtyEstimated": False,
        "netWgt": None, "isNetWgtEstimated": False, "grossWgt": None, "isGrossWgtEstimated": False,
        "cifvalue": None, "fobvalue": None, "primaryValue": float(value), "legacyEstimationFlag": None,
        "isReported": None, "isAggregate": True,
    }


def build() -> bytes:
    data = [record(*f) for f in figures()]
    body = {"elapsedTime": "0.00 secs", "count": len(data), "data": data, "error": ""}
    return (json.dumps(body, indent=1) + "\n").encode("utf-8")


def main(argv: list[str]) -> int:
    body = build()
    if "--check" in argv:
        ok = OUT.exists() and OUT.read_bytes() == body
        if not ok:
            print(f"{OUT} is stale; run python samples/un_comtrade/build_sample.py", file=sys.stderr)
        return 0 if ok else 1
    OUT.write_bytes(body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
