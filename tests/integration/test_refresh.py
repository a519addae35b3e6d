"""The whole graph on the bundled sample: every asset materialises, every check passes, and the
seed article (2018-07-26) gets exactly the context the warehouse exists to find."""

from __future__ import annotations

import duckdb
import pytest
from dagster import DagsterEventType

pytestmark = pytest.mark.integration

EXPECTED_TABLES = {
    "raw.articles", "raw.trade_flows", "raw.tariff_actions", "raw.exercises", "raw.quarantine",
    "marts.article_context", "marts.article_links", "marts.tariff_timeline", "marts.exercise_calendar",
    "marts.trade_monthly",
}


def _events(result, kind):
    return [e for e in result.all_events if e.event_type == kind]


def test_every_step_succeeds(refreshed):
    result, _, _ = refreshed
    failures = [f"{e.step_key}: {e.event_specific_data.error.message[:300]}"
                for e in _events(result, DagsterEventType.STEP_FAILURE)]
    assert failures == []
    assert result.success


def test_every_check_runs_and_passes(refreshed):
    result, _, defs = refreshed
    evaluations = [e.event_specific_data for e in _events(result, DagsterEventType.ASSET_CHECK_EVALUATION)]
    failed = [f"{d.asset_key.to_user_string()}:{d.check_name}" for d in evaluations if not d.passed]
    assert failed == []
    names = {d.check_name for d in evaluations}
    # One Great Expectations suite per raw table ran, and dbt tests ran as checks too.
    for table in ("articles", "trade_flows", "tariff_actions", "exercises"):
        assert f"gx_raw_{table}" in names
    assert any(n.startswith(("unique_", "not_null_")) for n in names)


def test_published_snapshot_has_the_contract_tables(refreshed):
    _, wh, _ = refreshed
    counts = wh.table_counts(wh.published_path)
    assert EXPECTED_TABLES - {"raw.quarantine"} <= {k for k, v in counts.items() if v > 0}
    assert "raw.quarantine" in counts
    assert counts["raw.articles"] == 21
    assert counts["raw.tariff_actions"] == 19
    # 43 curated exercises plus MME rows (duplicates and reversed dates are quarantined, not loaded)
    assert counts["raw.exercises"] > 3700


def _links(wh, article_filter="published_on = date '2018-07-26'"):
    with duckdb.connect(str(wh.published_path), read_only=True) as con:
        return con.execute(f"""
            select l.entity_type, l.entity_id, l.reason
            from marts.article_links l join marts.article_context c using (article_id)
            where c.{article_filter}
        """).fetchall()


def test_seed_article_links(refreshed):
    _, wh, _ = refreshed
    links = _links(wh)
    by_id = {}
    for etype, eid, reason in links:
        by_id.setdefault(eid, set()).add(reason)
    assert "in_force" in by_id.get("SEC232_STEEL_2018", set())
    assert "in_force" in by_id.get("SEC232_ALUMINUM_2018", set())
    assert "mentioned" in by_id.get("UFG_2018", set())
    assert "mentioned" in by_id.get("JPN_EU_EPA_2019", set())
    assert "mentioned" in (by_id.get("CPTPP_2018", set()) | by_id.get("US_TPP_WITHDRAWAL_2017", set()))
    for wrong in ("KS_17", "SEC232_STEEL_2025", "USJTA_2020", "UFG_2017", "KS_19"):
        assert wrong not in by_id, f"seed article must not link to {wrong}: {by_id.get(wrong)}"


def test_seed_article_context_row(refreshed):
    _, wh, _ = refreshed
    with duckdb.connect(str(wh.published_path), read_only=True) as con:
        rows = con.execute("""
            select title, source, tariff_actions_in_force, exercises_mentioned, agreements_mentioned,
                   latest_trade_period, latest_trade_balance_usd
            from marts.article_context where published_on = date '2018-07-26'
        """).fetchall()
    assert len(rows) == 1
    title, source, in_force, ex_mentioned, agreements, period, balance = rows[0]
    assert title.startswith("U.S.-Japan Relations in the Coming Year")
    assert source == "commentary"
    assert {"SEC232_STEEL_2018", "SEC232_ALUMINUM_2018"} <= set(in_force)
    assert "SEC232_STEEL_2025" not in in_force
    assert [e for e in ex_mentioned if e["exercise_id"] == "UFG_2018"][0]["status"] == "suspended"
    assert "JPN_EU_EPA_2019" in agreements
    # The latest annual figure published before July 2018 is 2017's goods balance (-$68.85 bn).
    assert period == "2017"
    assert balance == pytest.approx(-68.85e9)


def test_mart_rows_trace_to_landing_payloads(refreshed):
    _, wh, _ = refreshed
    with duckdb.connect(str(wh.published_path), read_only=True) as con:
        orphans = con.execute("""
            select count(*) from marts.article_context c
            where not exists (select 1 from landing.payloads p where p.payload_sha256 = c.payload_sha256)
        """).fetchall()[0][0]
        archived = con.execute("select count(*) from landing.payloads").fetchall()[0][0]
    assert orphans == 0
    assert archived >= 21 + 1 + 2 + 5  # pages + feed + census files + CSV tables
