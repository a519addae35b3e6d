"""Peak memory and time of validating a large raw table with its Great Expectations suite.

Builds a SYNTHETIC ``raw.trade_flows`` table in a temporary DuckDB file (seeded and deterministic:
every value is a function of the row number and the seed; ``source`` is ``synthetic_gx_scale``
and every ``source_url`` says ``synthetic://``), then validates it with the real suite
(``expectations/raw.trade_flows.json``) the way the Dagster check does, in bounded batches
(:mod:`orchestration.checks.batches`). Each measurement runs in its own process so its peak RSS
is its own. For comparison it also validates a smaller table the naive way (the whole table in one
pandas frame) to show what memory bounding saves.

    .venv/bin/python benchmarks/gx_scale.py                      # 10M rows (and a 1M whole-table baseline)
    .venv/bin/python benchmarks/gx_scale.py --rows 1000000 --baseline-rows 0

A plain script, not a timed test: numbers depend on the machine. Prints a table and writes JSON.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SEED = 20240521
PARTNERS = ["JPN", "KOR", "CHN", "DEU", "MEX", "CAN", "GBR", "FRA", "IND", "VNM", "TWN", "ITA", "BRA", "AUS", "SGP",
            "THA", "MYS", "NLD", "CHE", "IRL"]
PERIODS = 360  # 1996-01 .. 2025-12
FLOWS = ["export", "import"]

# Row i decomposes into (partner, commodity, period, flow), so the merge key is unique by construction.
_SQL = """
create schema if not exists raw;
create or replace table raw.trade_flows as
with n as (select range as i from range(?)),
parts as (
    select i,
           i % 2 as flow_ix,
           (i // 2) % {periods} as period_ix,
           (i // (2 * {periods})) % {partners} as partner_ix,
           i // (2 * {periods} * {partners}) as commodity_ix
    from n
)
select
    'synthetic_gx_scale' as source,
    'USA' as reporter,
    list_extract(?::varchar[], partner_ix + 1) as partner,
    list_extract(?::varchar[], flow_ix + 1) as flow,
    lpad(cast(100000 + commodity_ix as varchar), 6, '0') as commodity_code,
    'SYNTHETIC commodity ' || commodity_ix as commodity_desc,
    cast(1996 + period_ix // 12 as varchar) || '-' || lpad(cast(period_ix % 12 + 1 as varchar), 2, '0') as period,
    'month' as period_type,
    cast(hash(i, ?) % 5000000000 as double) as value_usd,
    'synthetic://gx_scale?seed=' || ? as source_url,
    sha256('synthetic-' || partner_ix) as payload_sha256,
    now() as loaded_at
from parts
"""


def build_table(db: Path, rows: int, seed: int = SEED) -> None:
    import duckdb

    sql = _SQL.format(periods=PERIODS, partners=len(PARTNERS))
    with duckdb.connect(str(db)) as con:
        statements = [s for s in sql.split(";") if s.strip()]
        con.execute(statements[0])
        con.execute(statements[1], [rows, PARTNERS, FLOWS, seed, str(seed)])


def measure(mode: str, db: Path, batch_rows: int) -> dict:
    """Run in a child process: validate and report peak RSS (MB) and seconds."""
    import great_expectations  # noqa: F401 - imported first: a slow import is not validation time

    from orchestration.checks import batches, gx_suites

    gx_suites.validate_frame(_tiny_frame(), "raw.trade_flows")  # warm up the GX context
    base_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes
    started = time.perf_counter()
    if mode == "batched":
        outcome = batches.validate_table(db, "raw.trade_flows", batch_rows=batch_rows)
    else:  # the naive way: the whole table in one pandas frame
        import duckdb

        with duckdb.connect(str(db), read_only=True) as con:
            frame = con.sql("select * from raw.trade_flows").df()
        outcome = gx_suites.validate_frame(frame, "raw.trade_flows")
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"mode": mode, "rows": outcome.rows, "batches": outcome.batches, "success": outcome.success,
            "failed_expectations": [f"{e.type}({e.column})" for e in outcome.failures],
            "seconds": round(seconds, 1), "rss_before_mb": round(base_mb), "peak_rss_mb": round(peak_mb)}


def _tiny_frame():
    import pandas as pd

    return pd.DataFrame({"source": ["s"], "reporter": ["USA"], "partner": ["JPN"], "flow": ["export"],
                         "commodity_code": ["TOTAL"], "period": ["2025-01"], "period_type": ["month"],
                         "value_usd": [1.0]})


def run_child(mode: str, db: Path, batch_rows: int) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", mode, "--db", str(db), "--batch-rows", str(batch_rows)],
                         capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"{mode} measurement failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=10_000_000, help="rows in the SYNTHETIC table (default 10M)")
    p.add_argument("--baseline-rows", type=int, default=1_000_000,
                   help="rows for the whole-table comparison (0 skips it)")
    p.add_argument("--batch-rows", type=int, default=None, help="rows per batch (default: the checks' default)")
    p.add_argument("--json", type=Path, default=None, help="also write the results here")
    p.add_argument("--child", choices=["batched", "whole"], help=argparse.SUPPRESS)
    p.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args()
    from orchestration.checks.batches import DEFAULT_BATCH_ROWS

    batch_rows = args.batch_rows or DEFAULT_BATCH_ROWS
    if args.child:
        print(json.dumps(measure(args.child, args.db, batch_rows)))
        return
    results = []
    with tempfile.TemporaryDirectory(prefix="gx_scale-") as tmp:
        plan = [("batched", args.rows)]
        if args.baseline_rows:
            plan += [("batched", args.baseline_rows), ("whole", args.baseline_rows)]
        built: dict[int, Path] = {}
        for mode, rows in plan:
            if rows not in built:
                built[rows] = Path(tmp) / f"synthetic_{rows}.duckdb"
                t0 = time.perf_counter()
                build_table(built[rows], rows)
                print(f"built a SYNTHETIC raw.trade_flows of {rows:,} rows in {time.perf_counter() - t0:.0f} s",
                      flush=True)
            results.append(run_child(mode, built[rows], batch_rows))
            print(json.dumps(results[-1]), flush=True)
    print(f"\nGreat Expectations suite raw.trade_flows on SYNTHETIC data, batch size {batch_rows:,} rows "
          f"({platform.node()}, {platform.processor() or platform.machine()}, Python {platform.python_version()})")
    print(f"{'mode':<8} {'rows':>12} {'batches':>8} {'seconds':>8} {'RSS before MB':>14} {'peak RSS MB':>12}  result")
    for r in results:
        print(f"{r['mode']:<8} {r['rows']:>12,} {r['batches']:>8} {r['seconds']:>8} {r['rss_before_mb']:>14} "
              f"{r['peak_rss_mb']:>12}  {'passed' if r['success'] else 'FAILED ' + ', '.join(r['failed_expectations'])}")
    if args.json:
        args.json.write_text(json.dumps({"synthetic": True, "seed": SEED, "batch_rows": batch_rows,
                                         "results": results}, indent=1))


if __name__ == "__main__":
    main()
