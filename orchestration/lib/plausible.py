"""Dates no row of this warehouse can hold, caught by the loader before they reach a raw table.

A well-formed but absurd date (``2999-01-01``, ``0001-01-01``, an article "published" next month) is
rarely a parser's business, yet one such row makes a raw table's blocking Great Expectations suite
fail, and with it every model downstream of the table. The loader is the one place every plugin's
rows pass, so it quarantines such rows with the reason and loads the rest.

The bounds are deliberately wide; tighter, per-table bounds are the suites' job. A date that
records something that already happened (a publication, an announcement, a signature) may be at
most a day ahead (time zones); other dates (planned exercises, scheduled tariff steps and sunsets)
up to ten years.
"""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from sources.contract import Rejected

EARLIEST = date(1800, 1, 1)
PAST_EVENT_COLUMNS = frozenset({"published_on", "publication_date", "announced_on", "signing_date"})
PAST_EVENT_AHEAD = timedelta(days=1)
PLANNED_AHEAD = timedelta(days=3653)


def split_implausible(frame: pl.DataFrame, today: date | None = None) -> tuple[pl.DataFrame, list[Rejected]]:
    """The rows whose every date is plausible, and a :class:`Rejected` (with the reason) for each other row."""
    today = today or date.today()
    reasons = []
    for col, dtype in frame.schema.items():
        if dtype != pl.Date:
            continue
        latest = today + (PAST_EVENT_AHEAD if col in PAST_EVENT_COLUMNS else PLANNED_AHEAD)
        value = pl.col(col)
        reasons.append(
            pl.when(value < EARLIEST).then(pl.format(f"column '{col}' value {{}} is before {EARLIEST}", value))
            .when(value > latest).then(pl.format(f"column '{col}' value {{}} is after {latest}", value)))
    if not reasons or frame.is_empty():
        return frame, []
    is_bad = pl.any_horizontal([r.is_not_null() for r in reasons])
    bad = frame.filter(is_bad).with_columns(pl.concat_str(reasons, separator="; ", ignore_nulls=True).alias("_why"))
    rejected = [Rejected({k: v for k, v in row.items() if k != "_why"},
                         f"implausible date: {row['_why']}; fix the date at the source (so far in the past "
                         "or the future, it is a typo or a parsing error)")
                for row in bad.iter_rows(named=True)]
    return frame.filter(~is_bad), rejected
