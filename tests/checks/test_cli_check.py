"""`alliance check` on the session's refreshed warehouse (see tests/checks/test_blocking_refresh.py
for a warehouse with a failing suite)."""

from __future__ import annotations

import json

import pytest

from orchestration.cli import main

pytestmark = pytest.mark.integration


@pytest.fixture
def data_env(refreshed, monkeypatch, tmp_path):
    _, wh, _ = refreshed
    monkeypatch.setenv("ALLIANCE_DATA_DIR", str(wh.data_dir))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster"))  # an instance that never saw a refresh
    return wh


def test_check_the_published_snapshot(data_env, capsys):
    code = main(["check", "--published", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert report["database"] == str(data_env.published_path)
    suites = {s["suite"]: s for s in report["suites"]}
    assert {"raw.articles", "raw.exercises", "marts.topic_trends", "marts.article_context"} <= set(suites)
    assert all(s["passed"] for s in suites.values()), suites
    assert suites["raw.exercises"]["rows"] > 3700 and suites["raw.articles"]["rows"] == 21
    # this Dagster instance has no record of any load: every dated source is stale, so the exit is 1
    stale = {f["source"] for f in report["freshness"] if not f["fresh"]}
    assert stale == {f["source"] for f in report["freshness"] if f["cadence"] != "static"}
    assert code == 1 and report["failures"] == len(stale) + sum(not v["passed"] for v in report["volume"])
    assert (data_env.data_dir / "docs" / "gx" / "index.html").is_file()


def test_check_refuses_what_it_cannot_check(data_env, capsys, tmp_path, monkeypatch):
    assert main(["check", "--suite", "raw.nothing"]) == 2
    assert "no suite named raw.nothing" in capsys.readouterr().err
    monkeypatch.setenv("ALLIANCE_DATA_DIR", str(tmp_path / "empty"))
    assert main(["check"]) == 2
    assert "run `alliance refresh` first" in capsys.readouterr().err
