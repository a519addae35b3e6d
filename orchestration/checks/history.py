"""Row counts per table and run, so a suite can say "far fewer rows than last time".

Every Great Expectations check run by Dagster records the table's row count in
``quality.row_counts`` (in the working warehouse, so it is published with the snapshot and
analysts can query it). The next run's suite gets a floor, ``ceil(previous * (1 - max_row_drop))``,
as the ``min_rows_vs_last_run`` parameter of its ``expect_table_row_count_to_be_between``;
``max_row_drop`` is in the suite's ``meta``. "Last time" is the latest run other than the
current one: a drop fails the run where it happens, and the run after compares with the new level.

``alliance check`` records nothing; it compares the current data with the run before the one that
last recorded this table, so it repeats the verdict of the refresh that built the data.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from orchestration.lib.warehouse import Warehouse

_DDL = """
create schema if not exists quality;
create table if not exists quality.row_counts (
    table_name varchar not null,
    row_count bigint not null,
    run_id varchar not null,
    recorded_at timestamptz not null
);
"""


def row_floor(previous: int | None, max_row_drop: float | None) -> int:
    """The fewest rows that are not "far fewer than last time" (0 when there is nothing to compare)."""
    if previous is None or max_row_drop is None:
        return 0
    return math.ceil(previous * (1 - max_row_drop))


def previous_count(db_path: str | Path, table: str, *, run_id: str | None = None) -> int | None:
    """The count recorded for ``table`` by the latest run other than ``run_id``.

    Without ``run_id``: other than the latest run that recorded the table (what ``alliance check``
    compares with). None when there is no such run, or no history at all.
    """
    path = Path(db_path)
    if not path.is_file():
        return None
    with duckdb.connect(str(path), read_only=True) as con:
        if not con.execute("select 1 from information_schema.tables where table_schema = 'quality' "
                           "and table_name = 'row_counts'").fetchall():
            return None
        if run_id is None:
            latest = con.execute("select run_id from quality.row_counts where table_name = ? "
                                 "order by recorded_at desc limit 1", [table]).fetchall()
            if not latest:
                return None
            run_id = latest[0][0]
        rows = con.execute("select row_count from quality.row_counts where table_name = ? and run_id <> ? "
                           "order by recorded_at desc limit 1", [table, run_id]).fetchall()
    return int(rows[0][0]) if rows else None


def record_count(warehouse: Warehouse, table: str, rows: int, run_id: str) -> None:
    """Record ``rows`` for ``table`` in ``run_id`` (a re-executed check replaces its own record)."""
    with warehouse.connect() as con:
        con.execute(_DDL)
        con.execute("begin transaction")
        con.execute("delete from quality.row_counts where table_name = ? and run_id = ?", [table, run_id])
        con.execute("insert into quality.row_counts values (?, ?, ?, ?)",
                    [table, rows, run_id, datetime.now(timezone.utc)])
        con.execute("commit")
