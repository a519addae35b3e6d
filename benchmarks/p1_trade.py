"""P1: trade ingest through the ``census_trade`` plugin path vs DuckDB's ``read_json`` and vs dlt.

Our side is the real ingest step, :func:`orchestration.assets.ingest.run_source`: the plugin from
the registry extracts both response files, every payload is archived (bytes plus a landing row),
parsed and validated into ``raw.trade_flows``'s schema, and merged on the table's key. The
baselines load the same file into a fresh DuckDB file:

* DuckDB's own reader: ``read_json`` of each response, header row dropped, the columns we keep typed
  (the physical limit of "JSON file into a DuckDB table" here);
* dlt, the tool a team would pick instead: a resource yielding the rows as dicts in pages of
  10,000 (dlt's advice), ``write_disposition="append"`` (cheaper than our merge), duckdb destination.

Ratios are throughput ratios (our rows/s over theirs), measured in the same run on the same files.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from benchmarks.common import ROOT, Figure, figure_main, fresh, timed
from benchmarks.generate import CENSUS_FILES, write_census


def ingest_with_plugin(census_dir: Path, data_dir: Path) -> int:
    """The production ingest of one ``census_trade`` source; returns rows loaded."""
    from orchestration.assets.ingest import run_source
    from orchestration.lib.warehouse import Warehouse
    from sources import registry
    from sources.contract import SourceConfig
    from sources.http import Fetcher, Limits

    plugin = registry.create(SourceConfig(name="census_trade", plugin="census_trade", path=str(census_dir),
                                          options={"partner_cty_code": "5880"}))
    # A 10 M-row response is about 325 MB per flow, over the fetcher's 64 MiB default guard.
    fetcher = Fetcher(Limits(max_bytes=2**34), host_limits=plugin.rate_limits)
    meta = run_source(plugin, Warehouse(fresh(data_dir)), full_refresh=True, fetcher=fetcher)
    return int(meta["rows_loaded"])


def ingest_with_duckdb(census_dir: Path, data_dir: Path) -> int:
    import duckdb

    db = fresh(data_dir) / "duckdb.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("create table trade_flows (flow varchar, cty_code varchar, commodity_code varchar, "
                    "period varchar, value_usd double)")
        for flow, name in CENSUS_FILES.items():
            con.execute(
                """insert into trade_flows
                   select ?, j[1], j[4], j[5], j[3]::double
                   from read_json(?, format = 'array', records = false, columns = {'j': 'VARCHAR[]'})
                   where j[1] <> 'CTY_CODE'""",
                [flow, str(census_dir / name)])
        return con.execute("select count(*) from trade_flows").fetchall()[0][0]


def ingest_with_dlt(census_dir: Path, data_dir: Path) -> int:
    os.environ["RUNTIME__DLTHUB_TELEMETRY"] = "false"  # never phone home
    import dlt

    work = fresh(data_dir)

    @dlt.resource(name="trade_flows", write_disposition="append")
    def rows():
        for flow, name in CENSUS_FILES.items():
            with open(census_dir / name, encoding="utf-8") as fh:
                doc = json.load(fh)
            header = doc[0]
            page = []
            for raw in doc[1:]:
                page.append({**dict(zip(header, raw)), "flow": flow})
                if len(page) == 10_000:
                    yield page
                    page = []
            if page:
                yield page

    pipeline = dlt.pipeline(pipeline_name="bench_census", pipelines_dir=str(work / "pipelines"),
                            destination=dlt.destinations.duckdb(str(work / "dlt.duckdb")), dataset_name="raw")
    pipeline.run(rows())
    import duckdb

    with duckdb.connect(str(work / "dlt.duckdb"), read_only=True) as con:
        return con.execute("select count(*) from raw.trade_flows").fetchall()[0][0]


def measure(work: Path, rows: int, dlt_rows: int) -> list[Figure]:
    big = work / "census_big"
    size = write_census(fresh(big), rows)
    sample = ROOT / "samples" / "census_trade"
    for warm in (ingest_with_plugin, ingest_with_duckdb, ingest_with_dlt):  # imports and first-use set-up
        warm(sample, work / "warm")
    ours_s, ours_n = timed(lambda: ingest_with_plugin(big, work / "ours"))
    duck_s, duck_n = timed(lambda: ingest_with_duckdb(big, work / "duck"))
    if ours_n != rows or duck_n != rows:
        raise RuntimeError(f"P1: expected {rows} rows, plugin loaded {ours_n}, DuckDB {duck_n}")
    ours_rate, duck_rate = rows / ours_s, rows / duck_s
    figures = [Figure(
        id="P1a", figure="P1", name="trade ingest (census_trade plugin) vs DuckDB read_json",
        value=ours_rate, unit="rows/s", baseline=duck_rate, baseline_name="DuckDB read_json, rows/s",
        ratio=ours_rate / duck_rate, goal=">= 0.5x", met=ours_rate / duck_rate >= 0.5,
        notes=f"{rows:,} rows, {size / 1e6:,.1f} MB of Census JSON; ours {ours_s:.2f} s, DuckDB {duck_s:.2f} s",
        details={"rows": rows, "payload_bytes": size, "ours_s": ours_s, "duckdb_s": duck_s})]
    small = big
    if dlt_rows != rows:
        small = work / "census_dlt"
        write_census(fresh(small), dlt_rows)
        ours_s, _ = timed(lambda: ingest_with_plugin(small, work / "ours"))
    dlt_s, dlt_n = timed(lambda: ingest_with_dlt(small, work / "dlt"))
    if dlt_n != dlt_rows:
        raise RuntimeError(f"P1: dlt loaded {dlt_n} rows, expected {dlt_rows}")
    ours_rate, dlt_rate = dlt_rows / ours_s, dlt_rows / dlt_s
    figures.append(Figure(
        id="P1b", figure="P1", name="trade ingest (census_trade plugin) vs dlt pipeline into DuckDB",
        value=ours_rate, unit="rows/s", baseline=dlt_rate, baseline_name="dlt, rows/s",
        ratio=ours_rate / dlt_rate, goal=">= 100x", met=ours_rate / dlt_rate >= 100,
        notes=f"{dlt_rows:,} rows; ours {ours_s:.2f} s, dlt {dlt_s:.2f} s (append, pages of 10,000 dicts)",
        details={"rows": dlt_rows, "ours_s": ours_s, "dlt_s": dlt_s}))
    return figures


def main() -> None:
    figure_main(__doc__, "p1", lambda work, s: measure(work, s.trade_rows, s.dlt_rows))


if __name__ == "__main__":
    main()
