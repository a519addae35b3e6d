"""Snapshot of the code location: an accidental rename of an asset, check, job or schedule shows up
here in review."""

from __future__ import annotations

from dagster import AssetKey


def test_definitions_load(defs):
    assert defs.resolve_job_def("refresh_all") is not None


def test_expected_assets(defs):
    keys = {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()}
    expected = {
        "ingest/commentary", "ingest/census_trade", "ingest/trade_annual_sector", "ingest/trade_annual_balance",
        "ingest/tariff_actions", "ingest/exercises_curated", "ingest/exercises_mme",
        "raw/articles", "raw/trade_flows", "raw/tariff_actions", "raw/exercises", "raw/quarantine",
        "enrich/article_mentions", "enrich/article_features",
        "staging/stg_raw__articles", "staging/stg_raw__trade_flows", "staging/stg_raw__tariff_actions",
        "staging/stg_raw__exercises",
        "marts/article_context", "marts/article_links", "marts/tariff_timeline", "marts/exercise_calendar",
        "marts/trade_monthly",
        "published/warehouse",
    }
    missing = expected - keys
    assert not missing, f"missing assets: {sorted(missing)}"


def test_gx_suites_are_blocking_checks_on_raw_tables(defs):
    checks = {}
    for spec in defs.resolve_asset_graph().asset_check_keys:
        checks[(spec.asset_key.to_user_string(), spec.name)] = spec
    for table in ("articles", "trade_flows", "tariff_actions", "exercises"):
        assert (f"raw/{table}", f"gx_raw_{table}") in checks
    # They run inside the raw table's own step, so they have run when the dbt step asks which models
    # to leave out (orchestration/checks/gate.py); Dagster's step-level `blocking` would stop every model.
    from dagster import AssetKey

    for table in ("articles", "trade_flows", "tariff_actions", "exercises", "quarantine"):
        assets_def = defs.resolve_assets_def(AssetKey(["raw", table]))
        assert {k.name for k in assets_def.check_keys} >= {f"gx_raw_{table}"}
    for mart in ("article_context", "article_links", "tariff_timeline", "exercise_calendar", "trade_monthly",
                 "topic_trends"):
        assert (f"marts/{mart}", f"gx_marts_{mart}") in checks


def test_nightly_schedule(defs):
    sched = defs.resolve_schedule_def("nightly_refresh")
    assert sched.cron_schedule == "0 2 * * *"
    assert sched.execution_timezone == "UTC"
    assert sched.job_name == "refresh_all"


def test_schedule_time_is_configurable(tmp_path, monkeypatch):
    from orchestration.definitions import build_definitions
    from orchestration.lib.config import PROJECT_ROOT, load_config

    cfg = tmp_path / "alliance.yml"
    cfg.write_text(f"extends: {PROJECT_ROOT / 'alliance.yml'}\nschedule:\n  cron: '30 4 * * *'\n  timezone: Asia/Tokyo\n")
    monkeypatch.setenv("ALLIANCE_DATA_DIR", str(tmp_path / "data"))
    d = build_definitions(load_config(cfg))
    sched = d.resolve_schedule_def("nightly_refresh")
    assert (sched.cron_schedule, sched.execution_timezone) == ("30 4 * * *", "Asia/Tokyo")
