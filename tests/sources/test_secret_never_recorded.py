"""A planted API key reaches the (local, recorded-format) API but appears in no log, metadata,
error, archive row, quarantine record or loaded row of a real Dagster run."""

from __future__ import annotations

import logging
from pathlib import Path

import duckdb
import pytest
from dagster import AssetKey, DagsterEventType, DagsterInstance

from orchestration.lib.config import load_config

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]
SECRET = "census-planted-key-9f86d081884c7d659a2feaa0c55ad015"


def test_planted_key_appears_nowhere(httpserver, tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("CENSUS_API_KEY", SECRET)
    monkeypatch.setenv("ALLIANCE_DATA_DIR", str(tmp_path / "data"))
    caplog.set_level(logging.DEBUG)
    exports = (REPO / "samples" / "census_trade" / "exports_hs.json").read_bytes()
    httpserver.expect_request("/data/timeseries/intltrade/exports/hs").respond_with_data(
        exports, content_type="application/json;charset=utf-8")
    httpserver.expect_request("/data/timeseries/intltrade/imports/hs").respond_with_data(
        "Invalid Key", status=401)  # an error whose request URL carried the key
    cfg = tmp_path / "alliance.yml"
    cfg.write_text(f"sources:\n  - name: census_live\n    plugin: census_trade\n    url: {httpserver.url_for('/data')}\n")
    from orchestration.definitions import build_definitions

    defs = build_definitions(load_config(cfg))
    with DagsterInstance.ephemeral() as instance:
        result = defs.resolve_job_def("refresh_all").execute_in_process(
            instance=instance, raise_on_error=False, asset_selection=[AssetKey(["ingest", "census_live"])])
        logs = instance.all_logs(result.run_id)

    assert all(req.args["key"] == SECRET for req, _ in httpserver.log)  # the key did reach the API
    [mat] = [e for e in result.all_events if e.event_type == DagsterEventType.ASSET_MATERIALIZATION]
    meta = mat.event_specific_data.materialization.metadata
    assert meta["rows_loaded"].value == 24 and "HTTP 401" in meta["extract_error"].value  # exports load; imports fail
    recorded = [str(e) for e in result.all_events] + [str(e.dagster_event or "") + e.user_message for e in logs]
    recorded += [r.getMessage() for r in caplog.records if r.name != "werkzeug"]  # werkzeug = the fake API
    recorded += [str(v.value) for v in meta.values()]
    with duckdb.connect(str(tmp_path / "data" / "warehouse.duckdb"), read_only=True) as con:
        for table in ("landing.payloads", "landing.cursors", "raw.quarantine", "raw.trade_flows"):
            recorded += [str(row) for row in con.execute(f"select * from {table}").fetchall()]
    assert any("HTTP Request" in text for text in recorded)  # httpx's log lines were seen ...
    assert any("HTTP 401" in text for text in recorded)      # ... and so was the error
    leaks = [text[:200] for text in recorded if SECRET in text]
    assert leaks == []
