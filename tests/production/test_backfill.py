"""Trade (by month) and articles (by publication month) are partitioned: a range of months can be
backfilled from the CLI, reloading only those months and rebuilding what depends on them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import duckdb
import pytest

from orchestration.lib.partitions import MONTHLY, month_range_tags

pytestmark = pytest.mark.integration


def test_month_range_tags_validate():
    assert month_range_tags("2018-01", "2018-12") == {
        "dagster/asset_partition_range_start": "2018-01-01", "dagster/asset_partition_range_end": "2018-12-01"}
    with pytest.raises(ValueError, match="after"):
        month_range_tags("2019-01", "2018-01")
    with pytest.raises(ValueError, match="YYYY-MM"):
        month_range_tags("January", "2018-01")
    with pytest.raises(ValueError, match="outside"):
        month_range_tags("1999-01", "2000-01")


def test_partitioned_assets(defs):
    graph = defs.resolve_asset_graph()
    partitioned = {k.to_user_string() for k in graph.get_all_asset_keys() if graph.get(k).is_partitioned}
    assert partitioned == {"ingest/census_trade", "ingest/commentary"}
    assert graph.get(next(k for k in graph.get_all_asset_keys()
                          if k.to_user_string() == "ingest/census_trade")).partitions_def == MONTHLY


def test_cli_backfill_reloads_only_those_months(refreshed, tmp_path):
    _, wh, _ = refreshed
    data = tmp_path / "data"
    shutil.copytree(wh.data_dir, data, ignore=shutil.ignore_patterns("dagster"))
    env = {**os.environ, "ALLIANCE_DATA_DIR": str(data), "DAGSTER_HOME": str(tmp_path / "dagster")}
    (tmp_path / "dagster").mkdir()
    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
        before = dict(con.execute("select period, loaded_at from raw.trade_flows where source = 'census_trade' "
                                  "and flow = 'export'").fetchall())
    out = subprocess.run([sys.executable, "-m", "orchestration.cli", "refresh", "--from", "2024-03", "--to", "2024-05"],
                         env=env, capture_output=True, text=True, timeout=1200)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert "for 2024-03..2024-05" in out.stdout
    assert "ingest/census_trade [2024-03-01]" in out.stdout and "ingest/census_trade [2024-05-01]" in out.stdout
    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
        after = dict(con.execute("select period, loaded_at from raw.trade_flows where source = 'census_trade' "
                                 "and flow = 'export'").fetchall())
    assert set(after) == set(before)  # nothing lost outside the window
    reloaded = {p for p in after if after[p] != before[p]}
    assert reloaded == {"2024-03", "2024-05"}  # 2024-04 is not in the sample (see samples/census_trade/README.md)
