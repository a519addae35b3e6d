"""Monthly partitions for sources that can be backfilled by date (trade by month, articles by the
month they were published).

All partitioned sources share one partitions definition, so the nightly job and a backfill can run
them together with everything downstream in one run. A run with no partition (the nightly refresh,
``alliance refresh``) loads everything; a run over a range (``alliance refresh --from 2018-01 --to
2018-12``, or a backfill launched in the UI) loads only the rows of those months.
"""

from __future__ import annotations

from datetime import date, datetime

import polars as pl
from dagster import MonthlyPartitionsDefinition, TimeWindow

PARTITIONS_START = "2016-01-01"

MONTHLY = MonthlyPartitionsDefinition(start_date=PARTITIONS_START, end_offset=0)


def run_window(context) -> TimeWindow | None:
    """The months this run covers, or ``None`` for an unpartitioned (load everything) run."""
    if context.has_partition_key or context.has_partition_key_range:
        return context.partition_time_window
    return None


def in_window(frame: pl.DataFrame, column: str, window: TimeWindow) -> pl.DataFrame:
    """Rows whose ``column`` (a Date, or a ``YYYY-MM``/``YYYY-MM-DD`` string) is inside the window."""
    start, end = _as_date(window.start), _as_date(window.end)
    values = frame[column]
    if values.dtype == pl.String:
        as_date = pl.col(column).str.slice(0, 7).str.to_date("%Y-%m", strict=False)
    else:
        as_date = pl.col(column).cast(pl.Date)
    return frame.filter(as_date.is_not_null() & (as_date >= start) & (as_date < end))


def _as_date(value: datetime | date) -> date:
    return value.date() if isinstance(value, datetime) else value


def month_range_tags(first: str, last: str) -> dict[str, str]:
    """Run tags for a single run over the months ``first``..``last`` (``YYYY-MM``), validated."""
    keys = MONTHLY.get_partition_keys()
    start, end = f"{_month(first)}-01", f"{_month(last)}-01"
    if start > end:
        raise ValueError(f"--from {first} is after --to {last}")
    for label, key in (("--from", start), ("--to", end)):
        if key not in keys:
            raise ValueError(f"{label} {key[:7]} is outside the partitions ({keys[0][:7]} .. {keys[-1][:7]})")
    return {"dagster/asset_partition_range_start": start, "dagster/asset_partition_range_end": end}


def _month(value: str) -> str:
    try:
        return datetime.strptime(value[:7], "%Y-%m").strftime("%Y-%m")
    except ValueError:
        raise ValueError(f"'{value}' is not a month: use YYYY-MM, e.g. 2018-01") from None
