"""A plugin from another package (tests/plugins/alliance-plugin-example, installed by `make
install-dev`) registers through the entry point and becomes a Dagster asset with its checks, with
no change to this repository's code; `alliance sources` lists it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from dagster import AssetKey, AssetSelection, DagsterEventType, DagsterInstance

from orchestration.lib.config import load_config
from sources.registry import installed_plugins

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def articles_jsonl(tmp_path_factory) -> Path:
    """Two real articles (the bundled sample's public-domain texts) as JSON Lines, plus one bad line."""
    from sources.http import Fetcher
    from sources.registry import create
    from sources.runner import collect

    rss = create(load_config(REPO / "alliance.yml").source("commentary"))
    frame = collect(rss, rss.extract(Fetcher())).frame.sort("published_on").head(2)
    lines = [json.dumps({"url": r["url"], "title": r["title"], "published": r["published_on"].isoformat(),
                         "body": r["body"], "language": r["language"], "author": r["author"]})
             for r in frame.iter_rows(named=True)]
    path = tmp_path_factory.mktemp("plugin") / "articles.jsonl"
    path.write_text("\n".join(lines + ["{not json"]) + "\n", encoding="utf-8")
    return path


def test_the_plugin_is_found_through_its_entry_point():
    cls = installed_plugins()["jsonl_articles"]
    assert cls.__module__ == "alliance_plugin_example"  # another distribution, not sources/
    assert not Path(sys.modules[cls.__module__].__file__).resolve().is_relative_to(REPO / "sources")


def test_configured_it_becomes_an_asset_with_checks_and_loads(articles_jsonl, tmp_path, monkeypatch):
    monkeypatch.setenv("ALLIANCE_DATA_DIR", str(tmp_path / "data"))
    cfg = tmp_path / "alliance.yml"
    cfg.write_text(f"sources:\n  - name: partner_notes\n    plugin: jsonl_articles\n    path: {articles_jsonl}\n"
                   "    options: {publisher: Example Institute}\n")
    from orchestration.definitions import build_definitions

    defs = build_definitions(load_config(cfg))
    graph = defs.resolve_asset_graph()
    checks = {(k.asset_key.to_user_string(), k.name) for k in graph.asset_check_keys}
    assert ("ingest/partner_notes", "records_accounted_for") in checks
    assert ("raw/articles", "gx_raw_articles") in checks
    selection = AssetSelection.assets(AssetKey(["ingest", "partner_notes"]), AssetKey(["raw", "articles"]))
    with DagsterInstance.ephemeral() as instance:
        result = defs.resolve_job_def("refresh_all").execute_in_process(
            instance=instance, raise_on_error=False, asset_selection=list(selection.resolve(graph)))
    assert result.success
    evaluations = {e.event_specific_data.check_name: e.event_specific_data for e in result.all_events
                   if e.event_type == DagsterEventType.ASSET_CHECK_EVALUATION}
    # the plugin's asset gets every check a built-in source gets: accounting, volume and freshness
    assert set(evaluations) == {"records_accounted_for", "rows_delivered", "freshness_check", "gx_raw_articles"}
    assert evaluations["rows_delivered"].passed
    assert evaluations["gx_raw_articles"].passed
    # one line in three was bad: more than the 25 % the ingest check tolerates, so it warns (not blocks)
    ingest_check = evaluations["records_accounted_for"]
    assert not ingest_check.passed and ingest_check.severity.value == "WARN"
    assert ingest_check.metadata["records_quarantined"].value == 1
    [mat] = [e for e in result.all_events if e.event_type == DagsterEventType.ASSET_MATERIALIZATION
             and e.asset_key == AssetKey(["ingest", "partner_notes"])]
    meta = mat.event_specific_data.materialization.metadata
    assert (meta["rows_loaded"].value, meta["records_rejected"].value, meta["table"].value) == (2, 1, "raw.articles")


def test_alliance_sources_lists_it(articles_jsonl, tmp_path):
    cfg = tmp_path / "alliance.yml"
    cfg.write_text(f"sources:\n  - name: partner_notes\n    plugin: jsonl_articles\n    path: {articles_jsonl}\n")
    out = subprocess.run([sys.executable, "-m", "orchestration.cli", "sources"], check=False, capture_output=True, text=True,
                         env={**os.environ, "COLUMNS": "200", "ALLIANCE_CONFIG": str(cfg),
                              "ALLIANCE_DATA_DIR": str(tmp_path / "data")})
    assert out.returncode == 0, out.stderr
    assert "jsonl_articles" in out.stdout and "alliance_plugin_example.JsonLinesArticles" in out.stdout
    assert "partner_notes" in out.stdout and "raw.articles" in out.stdout
