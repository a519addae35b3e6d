"""What the timeline shows, read from the marts (and the annual totals under trade_monthly).

Every query is a plain read of the published contract tables; no value from the data is ever
formatted into SQL.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

TRADE = """
    select period, period_type, period_start, period_end, balance_usd, balance_basis
    from intermediate.int_trade_totals
    where balance_usd is not null
    order by period_type, period_start
"""

# Actions between the pair, and agreements a member of the pair is party to.
TARIFFS = """
    select action_id, entity_type, title, instrument, rate_pct, announced_on, effective_on,
           in_force_end, superseded_by, timeline_start
    from marts.tariff_timeline
    where timeline_start is not null and (affects_partner or is_agreement)
    order by timeline_start, action_id
"""

# Exercises of the pair, and any other exercise an article links to.
EXERCISES = """
    select exercise_id, name, status, start_date, end_date, reference_date, participants
    from marts.exercise_calendar
    where reference_date is not null and (involves_pair or articles_mentioning > 0)
    order by reference_date, exercise_id
"""

ARTICLES = """
    select article_id, title, url, published_on, source, tone, tone_label,
           tariff_actions_in_force, list_transform(exercises_in_window, lambda e: e.name) as exercises_in_window,
           latest_trade_period, latest_trade_balance_usd
    from marts.article_context
    where published_on is not null
    order by published_on, article_id
"""


@dataclass(frozen=True)
class TimelineData:
    trade: pl.DataFrame
    tariffs: pl.DataFrame
    exercises: pl.DataFrame
    articles: pl.DataFrame


def read_timeline_data(con: duckdb.DuckDBPyConnection) -> TimelineData:
    return TimelineData(
        trade=con.sql(TRADE).pl(),
        tariffs=con.sql(TARIFFS).pl(),
        exercises=con.sql(EXERCISES).pl(),
        articles=con.sql(ARTICLES).pl(),
    )
