"""The Great Expectations suites in expectations/ and the runner in orchestration/checks/gx_suites.py.

Every suite gets a frame that passes and a known-bad frame that fails with the failing expectation
and the unexpected values shown (tests/checks/frames.py). No mocks: real GX validation.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pandas as pd
import pytest

from orchestration.checks import gx_suites as g
from sources.tables import ARTICLES
from tests.checks.frames import BAD, GOOD, article, frame, quarantine_frame


def failing(outcome) -> dict[tuple[str, str | None], g.ExpectationOutcome]:
    """Failed expectations by (type, column); the first one when a suite has several alike."""
    out: dict = {}
    for e in outcome.failures:
        out.setdefault((e.type, e.column), e)
    return out


# --- suites ---------------------------------------------------------------------------------------

def test_every_suite_loads_and_is_documented():
    specs = g.list_suites()
    names = {s.name for s in specs}
    assert {"raw.articles", "raw.trade_flows", "raw.tariff_actions", "raw.exercises", "raw.quarantine",
            "marts.article_context", "marts.article_links", "marts.tariff_timeline",
            "marts.exercise_calendar", "marts.trade_monthly", "marts.topic_trends"} <= names
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


# --- every suite: good passes, bad fails with the reason shown ---------------------------------------

def test_every_suite_has_a_good_and_a_bad_frame():
    assert {s.name for s in g.list_suites()} == set(GOOD) == set(BAD)


@pytest.mark.parametrize("suite", sorted(GOOD))
def test_good_frame_passes(suite):
    outcome = g.validate_frame(GOOD[suite](), suite)
    assert outcome.success, outcome.summary()
    assert outcome.failed == 0 and outcome.evaluated == len(outcome.expectations) > 0
    assert outcome.table == suite and outcome.blocking is suite.startswith("raw.")
    json.dumps(outcome.to_json())  # JSON-safe: goes to Dagster metadata and to the Data Docs store


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


@pytest.mark.parametrize("suite", sorted(s.name for s in g.list_suites() if s.max_row_drop is not None))
def test_far_fewer_rows_than_last_run_fails(suite):
    df = GOOD[suite]()
    outcome = g.validate_frame(df, suite, parameters={g.ROW_FLOOR_PARAMETER: len(df) + 1})
    [e] = [e for e in outcome.failures if e.type == "expect_table_row_count_to_be_between"]
    assert e.observed_value == len(df) and e.kwargs["min_value"] == len(df) + 1
    assert f"observed {len(df)}" in outcome.summary()
    assert g.validate_frame(df, suite, parameters={g.ROW_FLOOR_PARAMETER: len(df)}).success


def test_empty_table_fails_where_rows_are_always_expected():
    empty = frame(ARTICLES, [article()]).iloc[0:0]
    outcome = g.validate_frame(empty, "raw.articles")
    assert [(e.type, e.observed_value) for e in outcome.failures] == [("expect_table_row_count_to_be_between", 0)]


def test_trade_period_must_match_period_type():
    from sources.tables import TRADE_FLOWS
    from tests.checks.frames import trade

    df = frame(TRADE_FLOWS, [trade(period="2024", period_type="month"),
                             trade(period="2024-05", period_type="year", flow="import")])
    outcome = g.validate_frame(df, "raw.trade_flows")
    shown = sorted(v for e in outcome.failures if e.column == "period" for v in e.unexpected_examples)
    assert shown == ["2024", "2024-05"] and outcome.failed == 2, outcome.summary()


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
    assert "error:" in outcome.summary()


def test_outcome_round_trips_through_json():
    outcome = g.validate_frame(BAD["raw.exercises"][0](), "raw.exercises")
    again = g.SuiteOutcome.from_json(json.loads(json.dumps(outcome.to_json())))
    assert again.summary() == outcome.summary()
    assert [e.unexpected_examples for e in again.expectations] == [e.unexpected_examples for e in outcome.expectations]


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


def test_part_of_a_suite(tmp_path):
    """run_suite_on_frame(only=...) evaluates just those expectations (what a batch pass needs)."""
    doc = g.suite_document("raw.exercises")
    status = next(i for i, e in enumerate(doc["expectations"])
                  if e["type"] == "expect_column_values_to_be_in_set" and e["kwargs"]["column"] == "status")
    raw = g.run_suite_on_frame(BAD["raw.exercises"][0](), "raw.exercises", only=(status,))
    assert [r["expectation_config"]["type"] for r in raw["results"]] == ["expect_column_values_to_be_in_set"]
    assert raw["success"] is False
