"""Good and bad rows for every suite in expectations/, built the way the warehouse delivers them.

Raw frames use the real raw-table schemas from sources/tables.py (+ loaded_at) and go to pandas the
way DuckDB and Polars hand them over (dates as datetime64); mart frames carry the columns their
suites read. ``BAD[suite]`` pairs a frame with the failures it must show: {(expectation type,
column): the unexpected values shown, or None when only the failure matters}.
"""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import polars as pl

from sources.tables import ARTICLES, EXERCISES, POLICY_DOCUMENTS, QUARANTINE_COLUMNS, TARIFF_ACTIONS, TRADE_FLOWS

LOADED_AT = datetime(2025, 9, 5, 2, 0, 7)
BODY = "The United States and Japan reaffirmed their alliance. " * 6  # 330 characters


def frame(table, rows: list[dict]) -> pd.DataFrame:
    """Rows (missing columns = null) with the table's exact schema, as the loader writes them."""
    full = [{c: r.get(c) for c in table.schema} for r in rows]
    df = pl.DataFrame(full, schema=table.schema, orient="row")
    return df.with_columns(loaded_at=pl.lit(LOADED_AT)).to_pandas()


def quarantine_frame(rows: list[dict]) -> pd.DataFrame:
    schema = {c: pl.String for c in QUARANTINE_COLUMNS} | {"quarantined_at": pl.Datetime("us")}
    return pl.DataFrame([{c: r.get(c) for c in QUARANTINE_COLUMNS} for r in rows], schema=schema,
                        orient="row").to_pandas()


def article(**kw):
    return {"article_id": "3f2a9c0d11e4b7a1", "source": "commentary", "url": "https://example.org/a",
            "title": "Keen Sword 21", "published_on": date(2020, 11, 5), "language": "en", "body": BODY,
            "payload_sha256": "ab" * 32} | kw


def trade(**kw):
    return {"source": "census_trade", "reporter": "USA", "partner": "JPN", "flow": "export",
            "commodity_code": "TOTAL", "period": "2025-01", "period_type": "month",
            "value_usd": 6.1e9} | kw


def tariff(**kw):
    return {"action_id": "SEC232_STEEL_2018", "title": "Proclamation 9705", "instrument": "section_232",
            "imposing": "USA", "affected": "ALL", "rate_pct": 25.0, "announced_on": date(2018, 3, 8),
            "effective_on": date(2018, 3, 23)} | kw


def exercise(**kw):
    return {"exercise_id": "KS_21", "name": "Keen Sword 21", "participants": "USA;JPN",
            "start_date": date(2020, 10, 26), "end_date": date(2020, 11, 5), "date_precision": "day",
            "status": "held"} | kw


def document(**kw):
    return {"document_number": "2018-05478", "title": "Adjusting Imports of Steel Into the United States",
            "signing_date": date(2018, 3, 8), "publication_date": date(2018, 3, 15),
            "content_sha256": "cd" * 32} | kw


def dates(*values: str | None) -> pd.Series:
    return pd.to_datetime(pd.Series(values))


GOOD = {
    "raw.articles": lambda: frame(ARTICLES, [
        article(),
        article(article_id="9b1c", url="https://example.org/b", language="ja", author=None,
                published_on=date(2016, 6, 13)),
    ]),
    "raw.trade_flows": lambda: frame(TRADE_FLOWS, [
        trade(),
        trade(flow="import", value_usd=1.2e10),
        trade(source="trade_annual_balance", flow="balance", period="2018", period_type="year",
              value_usd=-6.76e10),
        trade(source="trade_annual_sector", commodity_code="Total", period="2014", period_type="year",
              value_usd=6.69e10),
    ]),
    "raw.tariff_actions": lambda: frame(TARIFF_ACTIONS, [
        tariff(),
        tariff(action_id="US_JAPAN_TA_2019", instrument="trade_agreement", rate_pct=None,
               announced_on=date(2019, 10, 7), effective_on=date(2020, 1, 1)),
        tariff(action_id="IEEPA_RECIPROCAL_JPN_2025", instrument="executive_order", rate_pct=24.0,
               announced_on=date(2025, 4, 2), effective_on=None),
        tariff(action_id="SEC232_EXEMPTIONS_2018_03_22", effective_on=date(2018, 3, 23),
               ended_on=date(2018, 5, 1), announced_on=date(2018, 3, 22)),
    ]),
    "raw.exercises": lambda: frame(EXERCISES, [
        exercise(),
        exercise(exercise_id="UFG_2018", status="suspended", start_date=None, end_date=None,
                 date_precision=None, announced_on=date(2018, 6, 18)),
        exercise(exercise_id="mme87", start_date=date(1980, 1, 14), end_date=date(1980, 1, 14)),
        exercise(exercise_id="mme88", start_date=date(1980, 1, 1), end_date=date(1980, 1, 31),
                 date_precision="month"),
    ]),
    "raw.policy_documents": lambda: frame(POLICY_DOCUMENTS, [
        document(),
        document(document_number="2019-10825", signing_date=date(2019, 5, 17), publication_date=date(2019, 5, 21),
                 title="Adjusting Imports of Automobiles and Automobile Parts Into the United States"),
    ]),
    "raw.quarantine": lambda: quarantine_frame([
        {"source": "exercises_mme", "payload_sha256": "cd" * 32, "record": "{}",
         "reason": "mme281: end date 1982-11-10 is before start date 1982-11-11",
         "quarantined_at": LOADED_AT},
    ]),
    "marts.article_context": lambda: pd.DataFrame({
        "article_id": ["a", "b"], "url": ["https://example.org/a", "https://example.org/b"],
        "published_on": dates("2020-11-05", "2018-06-18"), "payload_sha256": ["ab" * 32, "cd" * 32],
        "tone": [0.4, None], "link_count": [3, 0], "topics": [["exercises"], []]}),  # list columns as DuckDB gives
    "marts.article_links": lambda: pd.DataFrame({
        "article_id": ["a", "a", "a", "b"],
        "entity_type": ["tariff_action", "country", "exercise", "exercise"],
        "entity_id": ["SEC232_STEEL_2018", "JPN", "KS_21", "KS_21"],
        "reason": ["in_force", "mentioned", "in_window", "in_window"],
        "confidence": [1.0, 1.0, 0.8, 1.0], "mention_count": [0, 4, 0, 0]}),
    "marts.exercise_calendar": lambda: pd.DataFrame({
        "exercise_id": ["KS_21", "UFG_2018"], "status": ["held", "suspended"],
        "start_date": dates("2020-10-26", None), "duration_days": [11, None], "participant_count": [2, 2]}),
    "marts.tariff_timeline": lambda: pd.DataFrame({
        "action_id": ["SEC232_STEEL_2018", "US_JAPAN_TA_2019"], "entity_type": ["tariff_action", "agreement"],
        "instrument": ["section_232", "trade_agreement"], "rate_pct": [25.0, None],
        "timeline_start": dates("2018-03-08", "2019-10-07"), "duration_days": [None, None]}),
    "marts.trade_monthly": lambda: pd.DataFrame({
        "month": dates("2025-01-01", "2025-02-01"), "period": ["2025-01", "2025-02"],
        "us_exports_usd": [6.1e9, 6.3e9], "us_imports_usd": [1.2e10, None]}),
    "marts.topic_trends": lambda: pd.DataFrame({
        "month": dates("2018-07-01", "2018-07-01", "2019-12-01"), "topic": ["trade", "security", "trade"],
        "mentions": [12, 3, 7], "articles": [1, 1, 2]}),
}

BAD = {
    "raw.articles": (
        lambda: frame(ARTICLES, [
            article(),
            article(url="https://example.org/dup"),                    # duplicate article_id
            article(article_id="c1", published_on=date(1970, 1, 1)),   # epoch date
            article(article_id="c2", language="xx"),                   # not ISO 639-1
            article(article_id="c3", body="Cookie settings"),          # failed extraction
            article(article_id="c4", title=None),
        ]),
        {
            ("expect_column_values_to_be_unique", "article_id"): ["3f2a9c0d11e4b7a1"],
            ("expect_column_values_to_be_between", "published_on"): ["1970-01-01"],
            ("expect_column_values_to_be_in_set", "language"): ["xx"],
            ("expect_column_value_lengths_to_be_between", "body"): ["Cookie settings"],
            ("expect_column_values_to_not_be_null", "title"): [None],
        },
    ),
    "raw.trade_flows": (
        lambda: frame(TRADE_FLOWS, [
            trade(),
            trade(),                                                   # duplicate key
            trade(flow="exprt", period="2025-02"),
            trade(flow="balance", period="2025-03", value_usd=-5e12),  # beyond the bound
            trade(period="2025-13"),                                   # no such month
            trade(period="2024", period_type="month"),                 # year period on a month row
            trade(period="2025-04", reporter="US"),
        ]),
        {
            ("expect_compound_columns_to_be_unique",
             "source, reporter, partner, flow, commodity_code, period"): None,
            ("expect_column_values_to_be_in_set", "flow"): ["exprt"],
            ("expect_column_values_to_be_between", "value_usd"): [-5e12],
            ("expect_column_values_to_match_regex", "period"): ["2025-13"],
            ("expect_column_values_to_match_regex", "reporter"): ["US"],
        },
    ),
    "raw.tariff_actions": (
        lambda: frame(TARIFF_ACTIONS, [
            tariff(),
            tariff(action_id="X1", instrument="tariff"),
            tariff(action_id="X2", rate_pct=2500.0),
            tariff(action_id="X3", announced_on=date(2018, 3, 23), effective_on=date(2018, 3, 8)),
            tariff(action_id=None),
        ]),
        {
            ("expect_column_values_to_be_in_set", "instrument"): ["tariff"],
            ("expect_column_values_to_be_between", "rate_pct"): [2500.0],
            ("expect_column_pair_values_a_to_be_greater_than_b", "effective_on, announced_on"):
                [["2018-03-08", "2018-03-23"]],
            ("expect_column_values_to_not_be_null", "action_id"): None,
        },
    ),
    "raw.exercises": (
        lambda: frame(EXERCISES, [
            exercise(),
            exercise(exercise_id="X1", status="unknown"),
            exercise(exercise_id="X2", start_date=date(2020, 11, 5), end_date=date(2020, 10, 26)),
            exercise(exercise_id="X3", date_precision="week"),
            exercise(exercise_id="X4", start_date=date(1950, 1, 1), end_date=date(1950, 1, 2)),
        ]),
        {
            ("expect_column_values_to_be_in_set", "status"): ["unknown"],
            ("expect_column_pair_values_a_to_be_greater_than_b", "end_date, start_date"):
                [["2020-10-26", "2020-11-05"]],
            ("expect_column_values_to_be_in_set", "date_precision"): ["week"],
            ("expect_column_values_to_be_between", "start_date"): ["1950-01-01"],
        },
    ),
    "raw.policy_documents": (
        lambda: frame(POLICY_DOCUMENTS, [
            document(),
            document(title="a duplicate"),                                   # same document_number
            document(document_number="FR Doc. 2018-0547"),                   # not the register's format
            document(document_number="2018-05479", publication_date=date(2018, 3, 1)),  # before signing
        ]),
        {
            ("expect_column_values_to_be_unique", "document_number"): ["2018-05478"],
            ("expect_column_values_to_match_regex", "document_number"): ["FR Doc. 2018-0547"],
            ("expect_column_pair_values_a_to_be_greater_than_b", "publication_date, signing_date"):
                [["2018-03-01", "2018-03-08"]],
        },
    ),
    "raw.quarantine": (
        lambda: quarantine_frame([{"source": "commentary", "reason": None, "quarantined_at": LOADED_AT}]),
        {("expect_column_values_to_not_be_null", "reason"): None},
    ),
    "marts.article_context": (
        lambda: GOOD["marts.article_context"]().assign(
            article_id=["a", "a"], url=["https://example.org/a", None], tone=[1.7, None],
            published_on=dates("2020-11-05", "1969-12-31")),
        {
            ("expect_column_values_to_be_unique", "article_id"): ["a"],
            ("expect_column_values_to_not_be_null", "url"): None,
            ("expect_column_values_to_be_between", "tone"): [1.7],
            ("expect_column_values_to_be_between", "published_on"): ["1969-12-31"],
        },
    ),
    "marts.article_links": (
        lambda: pd.concat([GOOD["marts.article_links"](),
                           GOOD["marts.article_links"]().iloc[[0]].assign(reason="nearby", confidence=1.5),
                           GOOD["marts.article_links"]().iloc[[1]]]),
        {
            ("expect_column_values_to_be_in_set", "reason"): ["nearby"],
            ("expect_column_values_to_be_between", "confidence"): [1.5],
            ("expect_compound_columns_to_be_unique", "article_id, entity_type, entity_id, reason"): None,
        },
    ),
    "marts.exercise_calendar": (
        lambda: GOOD["marts.exercise_calendar"]().assign(status=["held", "rumoured"], duration_days=[11, -3]),
        {
            ("expect_column_values_to_be_in_set", "status"): ["rumoured"],
            ("expect_column_values_to_be_between", "duration_days"): [-3],
        },
    ),
    "marts.tariff_timeline": (
        lambda: GOOD["marts.tariff_timeline"]().assign(entity_type=["tariff_action", "treaty"],
                                                       instrument=["section_232", "sec232"], rate_pct=[2500.0, None]),
        {
            ("expect_column_values_to_be_in_set", "entity_type"): ["treaty"],
            ("expect_column_values_to_be_in_set", "instrument"): ["sec232"],
            ("expect_column_values_to_be_between", "rate_pct"): [2500.0],
        },
    ),
    "marts.trade_monthly": (
        lambda: GOOD["marts.trade_monthly"]().assign(period=["2025-01", "2025"], us_exports_usd=[-1.0, 6.3e9]),
        {
            ("expect_column_values_to_match_regex", "period"): ["2025"],
            ("expect_column_values_to_be_between", "us_exports_usd"): [-1.0],
        },
    ),
    "marts.topic_trends": (
        lambda: GOOD["marts.topic_trends"]().assign(topic=["trade", "trade", None], mentions=[12, 3, 1]),
        {
            ("expect_compound_columns_to_be_unique", "month, topic"): None,
            ("expect_column_values_to_not_be_null", "topic"): [None],
            ("expect_column_pair_values_a_to_be_greater_than_b", "mentions, articles"): [[1, 2]],
        },
    ),
}
