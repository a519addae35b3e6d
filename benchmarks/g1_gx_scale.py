"""G1: Great Expectations on a large raw table stays in bounded memory (issue: quality at scale).

The real ``raw.trade_flows`` suite validates a SYNTHETIC table (:mod:`benchmarks.gx_scale` builds
it, seeded) the way the Dagster check does: in bounded batches (:mod:`orchestration.checks.batches`).
Each validation runs in its own process, so its peak memory is its own. Two figures, same run:

* G1a: peak memory growth validating ``rows`` vs validating a tenth of them, both in batches
  (bounded means flat: goal <= 1.5x for ten times the rows);
* G1b: the same ``rows`` in batches vs a tenth of them validated the naive way (the whole table as
  one frame), what bounding saves (goal <= 1x: ten times the rows in less memory).
"""

from __future__ import annotations

from pathlib import Path

from benchmarks.common import Figure, figure_main, fresh
from benchmarks.gx_scale import build_table, run_child


def measure(work: Path, rows: int) -> list[Figure]:
    from orchestration.checks.batches import DEFAULT_BATCH_ROWS

    work = fresh(work)
    tenth = max(rows // 10, 1)
    runs = {}
    for n in (rows, tenth):
        db = work / f"synthetic_{n}.duckdb"
        build_table(db, n)
        runs[("batched", n)] = run_child("batched", db, DEFAULT_BATCH_ROWS)
        if n == tenth:
            runs[("whole", n)] = run_child("whole", db, DEFAULT_BATCH_ROWS)
    for r in runs.values():
        if not r["success"]:
            raise RuntimeError(f"the suite failed on the synthetic table: {r['failed_expectations']}")

    def growth(r: dict) -> float:
        return float(max(r["peak_rss_mb"] - r["rss_before_mb"], 1))

    big, small, whole = runs[("batched", rows)], runs[("batched", tenth)], runs[("whole", tenth)]
    note = (f"SYNTHETIC raw.trade_flows, batches of {DEFAULT_BATCH_ROWS:,} rows; {rows:,} rows in {big['seconds']} s "
            f"({big['batches']} batches), {tenth:,} in {small['seconds']} s; whole-frame {tenth:,} in {whole['seconds']} s")
    return [
        Figure(id="G1a", figure="G1", name=f"GX suite on {rows:,} rows in batches vs {tenth:,} rows, peak memory growth",
               value=growth(big), unit="MB", baseline=growth(small), baseline_name=f"{tenth:,} rows in batches, MB",
               ratio=growth(big) / growth(small), goal="<= 1.5x", met=growth(big) / growth(small) <= 1.5,
               notes=note, details={"runs": [big, small, whole]}),
        Figure(id="G1b", figure="G1", name=f"GX suite on {rows:,} rows in batches vs {tenth:,} rows as one frame",
               value=growth(big), unit="MB", baseline=growth(whole), baseline_name=f"{tenth:,} rows whole, MB",
               ratio=growth(big) / growth(whole), goal="<= 1x", met=growth(big) / growth(whole) <= 1,
               notes=note),
    ]


def main() -> None:
    figure_main(__doc__, "g1", lambda work, s: measure(work, s.gx_rows))


if __name__ == "__main__":
    main()
