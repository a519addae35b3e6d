"""Freshness (per source cadence) and volume (rows delivered per source), on real Dagster instances.

The Dagster freshness checks run in process against an instance whose ingest records are real
materialisation events; ``alliance check``'s evaluator must reach the same verdict on them.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest
from dagster import (
    AssetKey,
    AssetMaterialization,
    AssetSelection,
    AssetSpec,
    DagsterEventType,
    DagsterInstance,
    Definitions,
    MetadataValue,
    define_asset_job,
)

from orchestration.checks import freshness, volume
from orchestration.lib.config import ConfigError, load_config


def materialize(instance, source: str, *, hours_ago: float = 0, **metadata) -> None:
    meta = {k: (MetadataValue.json(v) if isinstance(v, dict) else v) for k, v in metadata.items()}
    if hours_ago:
        meta["dagster/last_updated_timestamp"] = MetadataValue.timestamp(time.time() - hours_ago * 3600)
    instance.report_runless_asset_event(AssetMaterialization(AssetKey(["ingest", source]), metadata=meta))


def test_cadences_of_the_default_sources():
    assert freshness.source_cadences(load_config()) == {
        "commentary": "daily", "census_trade": "monthly", "trade_annual_sector": "yearly",
        "trade_annual_balance": "yearly", "tariff_actions": "monthly", "exercises_curated": "monthly",
        "exercises_mme": "static",
    }


def test_unknown_cadence_names_the_source(monkeypatch):
    monkeypatch.delitem(freshness.WINDOWS, "monthly")
    with pytest.raises(ConfigError, match=r"source 'census_trade' \(census_trade\) declares cadence 'monthly'"):
        freshness.source_cadences(load_config())


def test_a_stale_source_fails_its_dagster_check_and_the_cli_evaluation():
    config = load_config()
    checks = freshness.build_freshness_checks(config)
    specs = [AssetSpec(AssetKey(["ingest", s.name])) for s in config.sources]
    defs = Definitions(assets=specs, asset_checks=checks,
                       jobs=[define_asset_job("freshness", selection=AssetSelection.all_asset_checks())])
    with DagsterInstance.ephemeral() as instance:
        materialize(instance, "commentary", hours_ago=50)           # daily: stale after 36 h
        materialize(instance, "tariff_actions", hours_ago=24 * 20)  # monthly: fresh for 35 days
        materialize(instance, "census_trade", hours_ago=24 * 40)    # monthly: stale
        for name in ("trade_annual_sector", "trade_annual_balance", "exercises_curated"):
            materialize(instance, name)
        result = defs.resolve_job_def("freshness").execute_in_process(instance=instance)
        verdicts = {e.event_specific_data.asset_key.path[-1]: e.event_specific_data.passed
                    for e in result.all_events if e.event_type == DagsterEventType.ASSET_CHECK_EVALUATION}
        evaluated = {f.source: f for f in freshness.evaluate(instance, config)}
    assert verdicts == {"commentary": False, "tariff_actions": True, "census_trade": False,
                        "trade_annual_sector": True, "trade_annual_balance": True, "exercises_curated": True}
    assert {s: f.fresh for s, f in evaluated.items()} == {**verdicts, "exercises_mme": True}
    assert "STALE" in evaluated["commentary"].describe() and "50 h ago" in evaluated["commentary"].describe()
    assert evaluated["exercises_mme"].describe() == "static: not expected to change"


def test_a_source_never_loaded_is_stale():
    with DagsterInstance.ephemeral() as instance:
        [f] = [f for f in freshness.evaluate(instance, load_config()) if f.source == "commentary"]
    assert not f.fresh and f.last_update is None and "never loaded" in f.describe()


def test_evaluation_moves_with_time():
    with DagsterInstance.ephemeral() as instance:
        materialize(instance, "commentary", hours_ago=2)
        now = datetime.now(timezone.utc)
        [today] = [f for f in freshness.evaluate(instance, load_config(), now=now) if f.source == "commentary"]
        [later] = [f for f in freshness.evaluate(instance, load_config(), now=now + timedelta(days=2))
                   if f.source == "commentary"]
    assert today.fresh and not later.fresh


# --- volume -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("history, passed, reason", [
    ([], False, "never loaded"),
    ([{"rows_loaded": 0}], False, "delivered nothing on a full extract"),
    ([{"rows_loaded": 21}], True, "21 rows"),
    ([{"rows_loaded": 40}, {"rows_loaded": 100}], False, "40 rows, far fewer than the previous full extract's 100"),
    ([{"rows_loaded": 50}, {"rows_loaded": 100}], True, "50 rows (previous full extract 100)"),
    ([{"rows_loaded": 0, "cursor_before": {"last_published": "2025-09-04"}}, {"rows_loaded": 21}], True, "incremental"),
    ([{"rows_loaded": 0, "payloads_not_modified": 1}, {"rows_loaded": 21}], True, "unchanged"),
    # the previous *full* extract counts, not an incremental run in between
    ([{"rows_loaded": 3}, {"rows_loaded": 1, "cursor_before": {"c": 1}}, {"rows_loaded": 21}], False, "21"),
])
def test_judge(history, passed, reason):
    d = volume.judge("src", history)
    assert d.passed is passed and reason in d.reason, d


def test_delivery_check_reads_the_ingest_materialisations():
    with DagsterInstance.ephemeral() as instance:
        materialize(instance, "tariff_actions", rows_loaded=19, cursor_before={})
        assert volume.deliveries(instance, "tariff_actions").passed
        materialize(instance, "tariff_actions", rows_loaded=2, cursor_before={})
        d = volume.deliveries(instance, "tariff_actions")
        assert not d.passed and (d.rows, d.previous, d.floor) == (2, 19, 10)
        check = volume.build_delivery_check("tariff_actions")
        defs = Definitions(assets=[AssetSpec(AssetKey(["ingest", "tariff_actions"]))], asset_checks=[check],
                           jobs=[define_asset_job("volume", selection=AssetSelection.all_asset_checks())])
        result = defs.resolve_job_def("volume").execute_in_process(instance=instance)
    [evaluation] = [e.event_specific_data for e in result.all_events
                    if e.event_type == DagsterEventType.ASSET_CHECK_EVALUATION]
    assert not evaluation.passed and evaluation.description.startswith("2 rows, far fewer")
    assert evaluation.metadata["previous_full_extract"].value == 19
