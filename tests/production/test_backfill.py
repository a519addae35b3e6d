"""Trade (by month) and articles (by publication day) are partitioned: a range of months or days can
be backfilled from the CLI, reloading only those dates and rebuilding what depends on them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import duckdb
import pytest

from datetime import date, datetime, timezone

import polars as pl
from dagster import AssetKey, TimeWindow

from orchestration.lib.partitions import DAILY, MONTHLY, DateRange, backfill_plan, in_window

pytestmark = pytest.mark.integration


def month_range_tags(first: str, last: str) -> dict[str, str]:
    return DateRange.parse(first, last).tags("month")


def test_month_range_tags_validate():
    assert month_range_tags("2018-01", "2018-12") == {
        "dagster/asset_partition_range_start": "2018-01-01", "dagster/asset_partition_range_end": "2018-12-01"}
    with pytest.raises(ValueError, match="after"):
        month_range_tags("2019-01", "2018-01")
    with pytest.raises(ValueError, match="YYYY-MM"):
        month_range_tags("January", "2018-01")
    with pytest.raises(ValueError, match="outside"):
        month_range_tags("1999-01", "2000-01")


def test_a_range_is_days_for_articles_and_months_for_trade():
    year = DateRange.parse("2018-01", "2018-12")
    assert year.tags("day") == {"dagster/asset_partition_range_start": "2018-01-01",
                                "dagster/asset_partition_range_end": "2018-12-31"}
    day = DateRange.parse("2018-07-26", "2018-07-26")  # the seed article's day
    assert day.tags("day")["dagster/asset_partition_range_end"] == "2018-07-26"
    assert day.tags("month") == {"dagster/asset_partition_range_start": "2018-07-01",
                                 "dagster/asset_partition_range_end": "2018-07-01"}
    leap = DateRange.parse("2020-02", None)
    assert leap.tags("day")["dagster/asset_partition_range_end"] == "2020-02-29"
    with pytest.raises(ValueError, match="outside the daily partitions"):
        DateRange.parse("2015-12-31", "2016-01-05").tags("day")


def test_a_day_window_keeps_only_that_days_rows():
    frame = pl.DataFrame({"published_on": [date(2018, 7, 25), date(2018, 7, 26), date(2018, 7, 27), None],
                          "period": ["2018-07", "2018-07-26", "2018-08", "bad"]})
    window = TimeWindow(datetime(2018, 7, 26, tzinfo=timezone.utc), datetime(2018, 7, 27, tzinfo=timezone.utc))
    assert in_window(frame, "published_on", window)["published_on"].to_list() == [date(2018, 7, 26)]
    assert in_window(frame, "period", window)["period"].to_list() == ["2018-07-26"]
    month = TimeWindow(datetime(2018, 7, 1, tzinfo=timezone.utc), datetime(2018, 8, 1, tzinfo=timezone.utc))
    assert in_window(frame, "period", month)["period"].to_list() == ["2018-07", "2018-07-26"]


def test_backfill_plan_runs_trade_months_then_article_days_and_downstream_once(defs):
    graph = defs.resolve_asset_graph()
    keys = [AssetKey(["ingest", "census_trade"]), AssetKey(["ingest", "commentary"]), AssetKey(["raw", "articles"]),
            AssetKey(["raw", "trade_flows"])]
    trade, articles = backfill_plan(graph, keys, DateRange.parse("2018-07", "2018-07"))
    assert (trade.grain, trade.assets) == ("month", (AssetKey(["ingest", "census_trade"]),))
    assert trade.tags["dagster/asset_partition_range_end"] == "2018-07-01"
    assert articles.grain == "day" and set(articles.assets) == set(keys[1:])  # the raw tables go last
    assert articles.tags["dagster/asset_partition_range_end"] == "2018-07-31"
    with pytest.raises(ValueError, match="no partitioned source"):
        backfill_plan(graph, [AssetKey(["raw", "articles"])], DateRange.parse("2018-07", None))


def test_partitioned_assets(defs):
    graph = defs.resolve_asset_graph()
    partitioned = {k.to_user_string() for k in graph.get_all_asset_keys() if graph.get(k).is_partitioned}
    assert partitioned == {"ingest/census_trade", "ingest/commentary"}
    assert graph.get(AssetKey(["ingest", "census_trade"])).partitions_def == MONTHLY
    assert graph.get(AssetKey(["ingest", "commentary"])).partitions_def == DAILY
    # one job holds both: the nightly refresh loads everything unpartitioned
    assert {AssetKey(["ingest", "census_trade"]), AssetKey(["ingest", "commentary"])} <= \
        set(defs.resolve_job_def("refresh_all").asset_layer.selected_asset_keys)


def test_cli_backfill_reloads_only_those_months(refreshed, tmp_path):
    _, wh, _ = refreshed
    data = tmp_path / "data"
    shutil.copytree(wh.data_dir, data, ignore=shutil.ignore_patterns("dagster"))
    env = {**os.environ, "ALLIANCE_DATA_DIR": str(data), "DAGSTER_HOME": str(tmp_path / "dagster")}
    (tmp_path / "dagster").mkdir()
    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
        before = dict(con.execute("select period, loaded_at from raw.trade_flows where source = 'census_trade' "
                                  "and flow = 'export'").fetchall())
        articles_before = dict(con.execute("select published_on::varchar, loaded_at from raw.articles").fetchall())
    out = subprocess.run([sys.executable, "-m", "orchestration.cli", "refresh", "--from", "2024-03", "--to", "2024-05"],
                         env=env, capture_output=True, text=True, timeout=1200)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert "for 2024-03..2024-05" in out.stdout
    assert "ingest/census_trade [2024-03-01..2024-05-01, 3 partitions]" in out.stdout
    # articles by day: March 1 to May 31, in the run that rebuilds everything downstream
    assert "ingest/commentary [2024-03-01..2024-05-31, 92 partitions]" in out.stdout
    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
        after = dict(con.execute("select period, loaded_at from raw.trade_flows where source = 'census_trade' "
                                 "and flow = 'export'").fetchall())
        articles_after = dict(con.execute("select published_on::varchar, loaded_at from raw.articles").fetchall())
    assert set(articles_after) == set(articles_before)
    assert {d for d in articles_after if articles_after[d] != articles_before[d]} == {"2024-04-10"}
    assert set(after) == set(before)  # nothing lost outside the window
    reloaded = {p for p in after if after[p] != before[p]}
    assert reloaded == {"2024-03", "2024-05"}  # 2024-04 is not in the sample (see samples/census_trade/README.md)
