"""Partitions for sources that can be backfilled by date: trade by month, articles by publication day.

A plugin names the column its rows are dated by (``partition_column``) and its grain
(``partition_grain``: ``"month"`` or ``"day"``); its ingest asset gets the matching partitions
definition. A run with no partition (the nightly refresh, ``alliance refresh``) loads everything; a
run over a range (``alliance refresh --from 2018-01 --to 2018-12``, or a backfill launched in the
UI) loads only the rows dated inside it.

Dagster's named asset jobs accept one partitions definition, so the refresh jobs are built with
:func:`mixed_partitions_job` (what Dagster's own implicit asset job does); a ranged CLI run is split
into one run per grain (:func:`backfill_plan`), each with its own range tags.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime

import polars as pl
from dagster import (
    AssetKey,
    DailyPartitionsDefinition,
    MonthlyPartitionsDefinition,
    PartitionsDefinition,
    TimeWindow,
    define_asset_job,
)
from dagster._core.definitions.assets.job.asset_job import build_asset_job, get_asset_graph_for_job
from dagster._core.definitions.unresolved_asset_job_definition import UnresolvedAssetJobDefinition

PARTITIONS_START = "2016-01-01"

MONTHLY = MonthlyPartitionsDefinition(start_date=PARTITIONS_START, end_offset=0)
DAILY = DailyPartitionsDefinition(start_date=PARTITIONS_START, end_offset=0)
GRAINS: dict[str, PartitionsDefinition] = {"month": MONTHLY, "day": DAILY}
ADJECTIVE = {"month": "monthly", "day": "daily"}

RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"


def partitions_for(grain: str) -> PartitionsDefinition:
    if grain not in GRAINS:
        raise ValueError(f"partition_grain must be one of {sorted(GRAINS)}, not {grain!r}")
    return GRAINS[grain]


def run_window(context) -> TimeWindow | None:
    """The dates this run covers, or ``None`` for an unpartitioned (load everything) run."""
    if context.has_partition_key or context.has_partition_key_range:
        return context.partition_time_window
    return None


def in_window(frame: pl.DataFrame, column: str, window: TimeWindow) -> pl.DataFrame:
    """Rows whose ``column`` (a Date, or a ``YYYY-MM``/``YYYY-MM-DD`` string) is inside the window.

    A ``YYYY-MM`` value stands for its first day, so a month is inside a window that starts on it.
    """
    start, end = _as_date(window.start), _as_date(window.end)
    if frame[column].dtype == pl.String:
        text = pl.col(column).str.strip_chars()
        as_date = pl.when(text.str.len_chars() >= 10).then(text.str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False)) \
            .otherwise(text.str.slice(0, 7).str.to_date("%Y-%m", strict=False))
    else:
        as_date = pl.col(column).cast(pl.Date)
    return frame.filter(as_date.is_not_null() & (as_date >= start) & (as_date < end))


def _as_date(value: datetime | date) -> date:
    return value.date() if isinstance(value, datetime) else value


# ------------------------------------------------------------------------------ CLI date ranges

@dataclass(frozen=True)
class DateRange:
    """``--from``/``--to`` as days: a month given as ``YYYY-MM`` spans all its days."""

    first: date
    last: date
    label: str

    @classmethod
    def parse(cls, first: str | None, last: str | None) -> "DateRange":
        first, last = first or last, last or first
        start, end = _day(first, "--from", start=True), _day(last, "--to", start=False)
        if start > end:
            raise ValueError(f"--from {first} is after --to {last}")
        return cls(start, end, f"{first}..{last}" if first != last else first)

    def tags(self, grain: str) -> dict[str, str]:
        """Range tags for one run of the sources of this grain, validated against its partitions."""
        partitions = partitions_for(grain)
        keys = partitions.get_partition_keys()
        if grain == "month":
            start, end = f"{self.first:%Y-%m}-01", f"{self.last:%Y-%m}-01"
            shown = lambda k: k[:7]  # noqa: E731
        else:
            start, end = f"{self.first:%Y-%m-%d}", f"{self.last:%Y-%m-%d}"
            shown = lambda k: k  # noqa: E731
        for label, key in (("--from", start), ("--to", end)):
            if key not in keys:
                raise ValueError(f"{label} {shown(key)} is outside the {ADJECTIVE[grain]} partitions "
                                 f"({shown(keys[0])} .. {shown(keys[-1])}; the current {grain} is not complete)")
        return {RANGE_START_TAG: start, RANGE_END_TAG: end}


def _day(value: str, label: str, *, start: bool) -> date:
    for fmt in ("%Y-%m-%d", "%Y-%m"):
        try:
            parsed = datetime.strptime(value.strip(), fmt).date()
        except ValueError:
            continue
        if fmt == "%Y-%m" and not start:  # a month as the end of a range means its last day
            parsed = parsed.replace(day=calendar.monthrange(parsed.year, parsed.month)[1])
        return parsed
    raise ValueError(f"{label} '{value}' is not a month or a day: use YYYY-MM or YYYY-MM-DD, e.g. 2018-01")


@dataclass(frozen=True)
class BackfillRun:
    grain: str
    assets: tuple[AssetKey, ...]
    tags: dict[str, str]


def backfill_plan(graph, selection: list[AssetKey], dates: DateRange) -> list[BackfillRun]:
    """Split a ranged run into one run per grain, the monthly sources first.

    Assets that are not partitioned (the raw tables, the models) go with the last run, so they are
    rebuilt once, after every source of the range has loaded.
    """
    by_grain: dict[str, list[AssetKey]] = {g: [] for g in GRAINS}
    rest: list[AssetKey] = []
    for key in selection:
        node = graph.get(key)
        grain = next((g for g, p in GRAINS.items() if node.is_partitioned and node.partitions_def == p), None)
        if node.is_partitioned and grain is None:
            raise ValueError(f"{key.to_user_string()} has partitions this CLI cannot range over")
        (by_grain[grain] if grain else rest).append(key)
    runs = [[g, keys] for g, keys in by_grain.items() if keys]
    if not runs:
        raise ValueError("no partitioned source is selected: a date range applies to trade and articles")
    runs[-1][1] = runs[-1][1] + rest
    return [BackfillRun(g, tuple(keys), dates.tags(g)) for g, keys in runs]


# -------------------------------------------------------------------------------- the jobs

class _MixedPartitionsAssetJob(UnresolvedAssetJobDefinition):
    """An asset job over assets with different partitions definitions (monthly trade, daily articles).

    Dagster's implicit ``__ASSET_JOB`` is built this way; a named job is not, so this resolves the
    selection the same way. Unpartitioned runs (the nightly refresh) load everything; ranged runs
    select assets of one partitions definition (see :func:`backfill_plan`).
    """

    def resolve(self, asset_graph, default_executor_def=None, resource_defs=None):
        job_graph = get_asset_graph_for_job(asset_graph, self.selection, allow_different_partitions_defs=True)
        return build_asset_job(self.name, asset_graph=job_graph, description=self.description, tags=self.tags,
                               run_tags=self.run_tags, metadata=self.metadata,
                               executor_def=self.executor_def or default_executor_def,
                               resource_defs=resource_defs, allow_different_partitions_defs=True)


def mixed_partitions_job(name: str, selection, executor_def, description: str | None = None):
    base = define_asset_job(name, selection=selection, executor_def=executor_def, description=description)
    fields = UnresolvedAssetJobDefinition.__annotations__
    return _MixedPartitionsAssetJob(**{f: getattr(base, f) for f in fields if hasattr(base, f)})
