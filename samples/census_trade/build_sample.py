"""Rebuild exports_hs.json and imports_hs.json from the published monthly US–Japan goods figures.

Why this exists: no real Census API response could be recorded (no network), so the sample is
rebuilt in the API's wire format (JSON array of arrays, header row first, every value a string)
from published figures. Keeping the generator next to the files makes that reproducible and
reviewable. It is deterministic: same input, byte-identical output.

    python samples/census_trade/build_sample.py [--source PATH] [--check]

``--source`` defaults to ``../shared/data/trade/us_japan_goods_monthly.csv`` (next to the
repository). ``--check`` exits 1 if the committed files differ from what would be written.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_SOURCE = HERE.parents[2] / "shared" / "data" / "trade" / "us_japan_goods_monthly.csv"
CTY_CODE, CTY_NAME = "5880", "JAPAN"
TOTAL = "-"            # the API's code for "all commodities" in the commodity column
COMM_LVL = "HS2"

# file name -> (value variable, commodity variable, CSV column in million USD)
FLOWS = {
    "exports_hs.json": ("ALL_VAL_MO", "E_COMMODITY", "us_exports_musd"),
    "imports_hs.json": ("GEN_VAL_MO", "I_COMMODITY", "us_imports_musd"),
}


def musd_to_dollars(text: str) -> str:
    """'5639.2' (million USD) -> '5639200000' exactly, via Decimal (no float rounding)."""
    value = Decimal(text) * 1_000_000
    if value != value.to_integral_value():
        raise ValueError(f"{text} million USD is not a whole number of dollars")
    return str(int(value))


def to_wire(rows: list[list[str]]) -> str:
    """Census layout: one JSON row per line, '[[' first, ']]' last, rows joined by ',\\n'."""
    return "[" + ",\n".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) for r in rows) + "]"


def build(source: Path) -> dict[str, str]:
    with source.open(newline="", encoding="utf-8") as fh:
        months = sorted(csv.DictReader(fh), key=lambda r: r["period"])
    out = {}
    for name, (val_var, comm_var, col) in FLOWS.items():
        # get=CTY_CODE,CTY_NAME,<val>,<comm> then the predicates in query order: time, CTY_CODE, COMM_LVL
        rows = [["CTY_CODE", "CTY_NAME", val_var, comm_var, "time", "CTY_CODE", "COMM_LVL"]]
        rows += [[CTY_CODE, CTY_NAME, musd_to_dollars(m[col]), TOTAL, m["period"], CTY_CODE, COMM_LVL]
                 for m in months]
        out[name] = to_wire(rows)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    ap.add_argument("--check", action="store_true", help="compare with the committed files, write nothing")
    args = ap.parse_args(argv)
    stale = []
    for name, text in build(args.source).items():
        path = HERE / name
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
    if stale:
        print(f"out of date: {', '.join(stale)} (run without --check)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
