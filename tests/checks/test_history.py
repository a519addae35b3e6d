"""The row-count history behind "far fewer rows than last time", on a real DuckDB file."""

from __future__ import annotations

import duckdb
import pytest

from orchestration.checks import history
from orchestration.lib.warehouse import Warehouse


@pytest.mark.parametrize("previous, drop, floor", [
    (None, 0.5, 0), (1000, None, 0), (1000, 0.5, 500), (1001, 0.5, 501), (3, 0.5, 2), (0, 0.5, 0), (40, 0.0, 40),
])
def test_row_floor(previous, drop, floor):
    assert history.row_floor(previous, drop) == floor


def test_previous_count_is_the_last_other_run(tmp_path):
    wh = Warehouse(tmp_path)
    wh.bootstrap()
    assert history.previous_count(wh.path, "raw.articles", run_id="r1") is None  # no history table yet
    history.record_count(wh, "raw.articles", 21, "r1")
    assert history.previous_count(wh.path, "raw.articles", run_id="r1") is None  # only this run
    assert history.previous_count(wh.path, "raw.articles", run_id="r2") == 21
    history.record_count(wh, "raw.articles", 30, "r2")
    history.record_count(wh, "raw.exercises", 5, "r2")
    assert history.previous_count(wh.path, "raw.articles", run_id="r3") == 30
    assert history.previous_count(wh.path, "raw.articles", run_id="r2") == 21
    # without a run (alliance check): compare with the run before the latest that recorded the table
    assert history.previous_count(wh.path, "raw.articles") == 21
    assert history.previous_count(wh.path, "raw.exercises") is None


def test_a_re_executed_check_replaces_its_own_record(tmp_path):
    wh = Warehouse(tmp_path)
    wh.bootstrap()
    history.record_count(wh, "marts.trade_monthly", 24, "r1")
    history.record_count(wh, "marts.trade_monthly", 20, "r1")
    with duckdb.connect(str(wh.path), read_only=True) as con:
        assert con.execute("select row_count, run_id from quality.row_counts").fetchall() == [(20, "r1")]


def test_missing_warehouse_has_no_history(tmp_path):
    assert history.previous_count(tmp_path / "none.duckdb", "raw.articles") is None
