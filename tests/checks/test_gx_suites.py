"""The Great Expectations suites in expectations/ and the runner in orchestration/checks/gx_suites.py.

Frames are built with the real raw-table schemas from sources/tables.py (+ loaded_at) and go to
pandas the way the warehouse delivers them (Polars/DuckDB dates become datetime64). No mocks:
real GX validation, a real DuckDB file, real Data Docs.
"""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime, timedelta, timezone

import duckdb
import pandas as pd
import polars as pl
import pytest

from orchestration.checks import gx_suites as g
from sources.tables import ARTICLES, EXERCISES, QUARANTINE_COLUMNS, TARIFF_ACTIONS, TRADE_FLOWS

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


def failing(outcome) -> dict[tuple[str, str | None], g.ExpectationOutcome]:
    """Failed expectations by (type, column); the first one when a suite has several alike."""
    out: dict = {}
    for e in outcome.failures:
        out.setdefault((e.type, e.column), e)
    return out


# --- good and bad rows per raw table ---------------------------------------------------------------

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
    "raw.quarantine": lambda: quarantine_frame([
        {"source": "exercises_mme", "payload_sha256": "cd" * 32, "record": "{}",
         "reason": "mme281: end date 1982-11-10 is before start date 1982-11-11",
         "quarantined_at": LOADED_AT},
    ]),
}

# (suite, bad frame, {(expectation type, column): examples that must be shown})
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
    "raw.quarantine": (
        lambda: quarantine_frame([{"source": "commentary", "reason": None, "quarantined_at": LOADED_AT}]),
        {("expect_column_values_to_not_be_null", "reason"): None},
    ),
}


# --- suites ---------------------------------------------------------------------------------------

def test_every_suite_loads_and_is_documented():
    specs = g.list_suites()
    names = {s.name for s in specs}
    assert {"raw.articles", "raw.trade_flows", "raw.tariff_actions", "raw.exercises", "raw.quarantine",
            "marts.article_context", "marts.article_links", "marts.tariff_timeline",
            "marts.exercise_calendar", "marts.trade_monthly"} <= names
    for spec in specs:
        assert spec.path.name == f"{spec.name}.json" and spec.table == spec.name
        assert spec.blocking is spec.table.startswith("raw."), spec
        suite = g.load_suite(spec.name)
        doc = json.loads(spec.path.read_text())
        assert suite.name == spec.name and len(suite.expectations) == len(doc["expectations"]) > 0
        assert doc["meta"]["notes"], spec.name
        for e in doc["expectations"]:
            assert e.get("meta", {}).get("why"), f"{spec.name}: {e['type']} says nothing about why"


def test_unknown_expectation_type_names_the_file(tmp_path, monkeypatch):
    monkeypatch.setattr(g, "SUITES_DIR", tmp_path)
    path = tmp_path / "raw.things.json"
    path.write_text(json.dumps({"name": "raw.things", "meta": {"table": "raw.things"}, "expectations": [
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "a"}, "id": "abc"},
        {"type": "expect_column_values_to_be_purple", "kwargs": {"column": "a"}},
    ]}))
    with pytest.raises(g.SuiteError, match=r"raw\.things\.json.*#2.*expect_column_values_to_be_purple"):
        g.load_suite("raw.things")
    path.write_text(json.dumps({"name": "raw.things", "expectations": [
        {"type": "expect_column_values_to_be_between",
         "kwargs": {"column": "d", "max_value": {"$PARAMETER": "next_week"}}}]}))
    with pytest.raises(g.SuiteError, match="unknown \\$PARAMETER.*next_week"):
        g.load_suite("raw.things")
    path.write_text(json.dumps({"name": "raw.other", "expectations": []}))
    with pytest.raises(g.SuiteError, match="file's stem"):
        g.list_suites()
    with pytest.raises(g.SuiteError, match="no suite file"):
        g.load_suite("raw.missing")


def test_ids_in_suite_files_are_dropped(tmp_path, monkeypatch):
    monkeypatch.setattr(g, "SUITES_DIR", tmp_path)
    (tmp_path / "raw.things.json").write_text(json.dumps({"name": "raw.things", "id": "x", "expectations": [
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "a"},
         "id": "0e3b6a8e-0000-0000-0000-000000000000"}]}))
    suite = g.load_suite("raw.things")
    assert suite.id is None and suite.expectations[0].id is None


# --- raw suites: good passes, bad fails with the reason shown -------------------------------------

@pytest.mark.parametrize("suite", sorted(GOOD))
def test_good_frame_passes(suite):
    outcome = g.validate_frame(GOOD[suite](), suite)
    assert outcome.success, outcome.summary()
    assert outcome.failed == 0 and outcome.evaluated == len(outcome.expectations) > 0
    assert outcome.table == suite and outcome.blocking is True
    json.dumps(outcome.result)  # JSON-safe: can go to Dagster metadata or a file for Data Docs later
    json.dumps([e.__dict__ for e in outcome.expectations])


@pytest.mark.parametrize("suite", sorted(BAD))
def test_bad_frame_fails_with_the_failing_expectation_and_values(suite):
    make, expected = BAD[suite]
    outcome = g.validate_frame(make(), suite)
    assert not outcome.success
    failed = failing(outcome)
    assert set(expected) <= set(failed), outcome.summary()
    assert outcome.failed == len(outcome.failures)
    for key, examples in expected.items():
        e = failed[key]
        assert e.error is None, e.error
        assert len(e.unexpected_examples) <= 5
        if examples is not None:
            assert e.unexpected_examples == examples, (key, e.unexpected_examples)
            assert e.unexpected_count >= 1
    text = outcome.summary()
    assert "FAILED" in text and all(t in text for t, _ in expected)


def test_quarantine_may_be_empty():
    assert g.validate_frame(quarantine_frame([]), "raw.quarantine").success


def test_dates_relative_to_today():
    """published_on may be tomorrow (time zones) but not later; the bound moves with the run date."""
    today = datetime.now(timezone.utc).date()
    ok = frame(ARTICLES, [article(published_on=today + timedelta(days=1))])
    assert g.validate_frame(ok, "raw.articles").success
    late = frame(ARTICLES, [article(published_on=today + timedelta(days=3))])
    outcome = g.validate_frame(late, "raw.articles")
    [e] = outcome.failures
    assert e.column == "published_on" and e.unexpected_examples == [(today + timedelta(days=3)).isoformat()]
    assert e.kwargs["max_value"] == (today + timedelta(days=1)).isoformat()


def test_accepts_date_objects_and_datetime64():
    """The same rows pass whether dates are datetime.date objects or datetime64 (DuckDB, Polars)."""
    df = GOOD["raw.exercises"]()
    assert str(df["start_date"].dtype).startswith("datetime64")
    as_objects = df.assign(start_date=[None if pd.isna(v) else v.date() for v in df["start_date"]])
    assert g.validate_frame(df, "raw.exercises").success
    assert g.validate_frame(as_objects, "raw.exercises").success


def test_missing_column_fails_with_a_clear_error():
    df = quarantine_frame([{"source": "commentary", "reason": "x"}]).drop(columns=["reason"])
    outcome = g.validate_frame(df, "raw.quarantine")
    [e] = outcome.failures
    assert e.column == "reason" and "reason" in e.error and "does not exist" in e.error
    assert str(e.observed_value).startswith("error:")


def test_repeated_validation_and_edited_suite(tmp_path, monkeypatch):
    df = GOOD["raw.tariff_actions"]()
    first = [g.validate_frame(df, "raw.tariff_actions") for _ in range(3)]
    assert all(o.success for o in first)
    # an edited suite file is picked up without restarting the process
    monkeypatch.setattr(g, "SUITES_DIR", tmp_path)
    doc = json.loads((g.REPO_ROOT / "expectations" / "raw.tariff_actions.json").read_text())
    doc["expectations"].append({"type": "expect_column_values_to_be_between",
                                "kwargs": {"column": "rate_pct", "max_value": 20}})
    (tmp_path / "raw.tariff_actions.json").write_text(json.dumps(doc))
    edited = g.validate_frame(df, "raw.tariff_actions")
    assert not edited.success and edited.evaluated == first[0].evaluated + 1
    assert failing(edited)[("expect_column_values_to_be_between", "rate_pct")].unexpected_examples == [25.0, 24.0]


# --- mart suites ------------------------------------------------------------------------------------

def test_mart_suites_report():
    links = pd.DataFrame({
        "article_id": ["a", "a", "a", "b"],
        "entity_type": ["tariff_action", "country", "exercise", "exercise"],
        "entity_id": ["SEC232_STEEL_2018", "JPN", "KS_21", "KS_21"],
        "reason": ["in_force", "mentioned", "in_window", "in_window"],
        "confidence": [1.0, 1.0, 0.8, 1.0],
    })
    outcome = g.validate_frame(links, "marts.article_links")
    assert outcome.success and outcome.blocking is False, outcome.summary()
    bad = pd.concat([links, links.iloc[[0]].assign(reason="nearby", confidence=1.5), links.iloc[[1]]])
    failed = failing(g.validate_frame(bad, "marts.article_links"))
    assert failed[("expect_column_values_to_be_in_set", "reason")].unexpected_examples == ["nearby"]
    assert failed[("expect_column_values_to_be_between", "confidence")].unexpected_examples == [1.5]
    assert ("expect_compound_columns_to_be_unique", "article_id, entity_type, entity_id, reason") in failed

    context = pd.DataFrame({"article_id": ["a", "b"], "published_on": pd.to_datetime(["2020-11-05", "2018-06-18"]),
                            "tone": [0.4, None], "link_count": [3, 0],
                            "topics": [["exercises"], []]})  # list columns as DuckDB gives them
    assert g.validate_frame(context, "marts.article_context").success
    trade = pd.DataFrame({"month": pd.to_datetime(["2025-01-01", "2025-02-01"]), "period": ["2025-01", "2025-02"],
                          "us_exports_usd": [6.1e9, 6.3e9], "us_imports_usd": [1.2e10, None]})
    assert g.validate_frame(trade, "marts.trade_monthly").success
    failed = failing(g.validate_frame(trade.assign(period="2025-01"), "marts.trade_monthly"))
    assert failed[("expect_column_values_to_be_unique", "period")].unexpected_examples == ["2025-01"]


# --- DuckDB and Data Docs -----------------------------------------------------------------------------

@pytest.fixture
def warehouse_file(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    good = pl.from_pandas(GOOD["raw.exercises"]())
    with duckdb.connect(str(path)) as con:
        con.execute("create schema raw")
        con.execute("create table raw.exercises as select * from good")
        con.execute("create table raw.quarantine (source varchar, payload_sha256 varchar, record varchar, "
                    "reason varchar, quarantined_at timestamp)")
    return path


def test_read_table_from_a_real_duckdb_file(warehouse_file):
    df = g.read_table(warehouse_file, "raw.exercises")
    assert list(df.columns) == [*EXERCISES.schema, "loaded_at"] and len(df) == 4
    assert g.validate_frame(df, "raw.exercises").success
    assert g.validate_frame(g.read_table(warehouse_file, "raw.quarantine"), "raw.quarantine").success
    # the read-only connection is closed: a writer can take the file right away
    with duckdb.connect(str(warehouse_file)) as con:
        con.execute("insert into raw.quarantine (source, reason) values ('x', null)")
    outcome = g.validate_frame(g.read_table(warehouse_file, "raw.quarantine"), "raw.quarantine")
    assert not outcome.success


def test_read_table_errors(warehouse_file, tmp_path):
    with pytest.raises(g.TableNotFoundError, match=r"raw\.articles does not exist.*raw\.exercises"):
        g.read_table(warehouse_file, "raw.articles")
    for name in ("raw.exercises; drop table raw.exercises", "exercises", 'raw."x"', "Raw.Exercises"):
        with pytest.raises(ValueError, match="schema.table"):
            g.read_table(warehouse_file, name)
    with pytest.raises(FileNotFoundError):
        g.read_table(tmp_path / "nope.duckdb", "raw.exercises")


def test_build_data_docs(tmp_path, monkeypatch):
    good = g.validate_frame(GOOD["raw.exercises"](), "raw.exercises")
    bad = g.validate_frame(BAD["raw.trade_flows"][0](), "raw.trade_flows")
    index = g.build_data_docs([good, bad], tmp_path / "docs")
    assert index == tmp_path / "docs" / "index.html" and index.is_file()
    html = index.read_text()
    assert "raw.exercises" in html and "raw.trade_flows" in html
    pages = list((tmp_path / "docs" / "validations").rglob("*.html"))
    assert len(pages) == 2
    assert any("exprt" in p.read_text() for p in pages)  # the unexpected value is on the page
    # a rebuild shows exactly the new set
    g.build_data_docs([good], tmp_path / "docs")
    assert len(list((tmp_path / "docs" / "validations").rglob("*.html"))) == 1
    # default folder: ALLIANCE_DATA_DIR/docs/gx
    monkeypatch.setenv("ALLIANCE_DATA_DIR", str(tmp_path / "data"))
    assert g.build_data_docs([good]) == tmp_path / "data" / "docs" / "gx" / "index.html"
    shutil.rmtree(tmp_path / "docs")


def test_trade_period_must_match_period_type():
    df = frame(TRADE_FLOWS, [trade(period="2024", period_type="month"),
                             trade(period="2024-05", period_type="year", flow="import")])
    outcome = g.validate_frame(df, "raw.trade_flows")
    shown = sorted(v for e in outcome.failures if e.column == "period" for v in e.unexpected_examples)
    assert shown == ["2024", "2024-05"] and outcome.failed == 2, outcome.summary()
