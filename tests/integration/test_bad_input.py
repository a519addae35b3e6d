"""A missing or unreadable sample fails only its own source, with an error that says what to do."""

from __future__ import annotations

import os

import pytest
from dagster import AssetSelection, DagsterEventType, DagsterInstance

from orchestration.lib.config import PROJECT_ROOT, load_config

pytestmark = pytest.mark.integration


def _run_ingest(tmp_path, override: str):
    cfg = tmp_path / "broken.yml"
    cfg.write_text(f"extends: {PROJECT_ROOT / 'alliance.yml'}\nsources:\n{override}")
    from orchestration.definitions import build_definitions

    defs = build_definitions(load_config(cfg))
    graph = defs.resolve_asset_graph()
    selection = list(AssetSelection.groups("ingest").resolve(graph))
    with DagsterInstance.ephemeral() as instance:
        return defs.resolve_job_def("refresh_all").execute_in_process(
            instance=instance, raise_on_error=False, asset_selection=selection)


def _failures(result):
    return {e.step_key: e.event_specific_data.error.message for e in result.all_events
            if e.event_type == DagsterEventType.STEP_FAILURE}


def _materialized(result):
    return {e.asset_key.to_user_string() for e in result.all_events
            if e.event_type == DagsterEventType.ASSET_MATERIALIZATION}


def test_missing_file_fails_only_its_source(tmp_path, monkeypatch):
    monkeypatch.setenv("ALLIANCE_DATA_DIR", str(tmp_path / "data"))
    missing = tmp_path / "nowhere" / "tariff_actions.csv"
    result = _run_ingest(tmp_path, f"""  - name: tariff_actions
    plugin: csv_table
    path: {missing}
    options: {{table: tariff_actions}}
""")
    failures = _failures(result)
    assert list(failures) == ["ingest__tariff_actions"]
    message = failures["ingest__tariff_actions"]
    assert str(missing) in message and "does not exist" in message and "Fix:" in message
    done = _materialized(result)
    assert {"ingest/commentary", "ingest/census_trade", "ingest/exercises_mme", "ingest/exercises_curated"} <= done


def test_unreadable_file_fails_only_its_source(tmp_path, monkeypatch):
    if os.geteuid() == 0:
        # root reads files whatever their mode: make the path unreadable by pointing it at a directory.
        bad = tmp_path / "a_directory.csv"
        bad.mkdir()
    else:
        bad = tmp_path / "unreadable.csv"
        bad.write_text("x")
        bad.chmod(0)
    monkeypatch.setenv("ALLIANCE_DATA_DIR", str(tmp_path / "data"))
    result = _run_ingest(tmp_path, f"""  - name: exercises_curated
    plugin: csv_table
    path: {bad}
    options: {{table: exercises}}
""")
    failures = _failures(result)
    assert list(failures) == ["ingest__exercises_curated"]
    assert str(bad) in failures["ingest__exercises_curated"]
    assert "ingest/exercises_mme" in _materialized(result)
