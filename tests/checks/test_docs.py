"""Data Docs: recorded outcomes survive the process and rebuild into a real GX site."""

from __future__ import annotations

import pytest

from orchestration.checks import docs
from orchestration.checks import gx_suites as g
from tests.checks.frames import BAD, GOOD


def test_recorded_outcomes_rebuild_the_site(tmp_path):
    good = g.validate_frame(GOOD["raw.exercises"](), "raw.exercises")
    bad = g.validate_frame(BAD["raw.trade_flows"][0](), "raw.trade_flows")
    for outcome in (good, bad):
        docs.record(outcome, tmp_path)
    assert sorted(p.name for p in docs.results_dir(tmp_path).iterdir()) == ["raw.exercises.json", "raw.trade_flows.json"]
    back = {o.suite: o for o in docs.recorded(tmp_path)}
    assert back["raw.trade_flows"].summary() == bad.summary() and back["raw.exercises"].success

    index = docs.refresh_data_docs(tmp_path)
    assert index == tmp_path / "docs" / "gx" / "index.html"
    html = index.read_text()
    assert "raw.exercises" in html and "raw.trade_flows" in html
    pages = list((tmp_path / "docs" / "gx" / "validations").rglob("*.html"))
    assert len(pages) == 2
    assert any("exprt" in p.read_text() for p in pages)  # the unexpected value is on the page

    # the next outcome of a suite replaces its page: the site shows the latest of each suite
    docs.record(g.validate_frame(GOOD["raw.trade_flows"](), "raw.trade_flows"), tmp_path)
    docs.refresh_data_docs(tmp_path)
    pages = list((tmp_path / "docs" / "gx" / "validations").rglob("*.html"))
    assert len(pages) == 2 and not any("exprt" in p.read_text() for p in pages)


def test_unreadable_record_names_the_file(tmp_path):
    docs.results_dir(tmp_path).mkdir(parents=True)
    (docs.results_dir(tmp_path) / "raw.articles.json").write_text("{not json")
    with pytest.raises(g.SuiteError, match=r"raw\.articles\.json.*delete it"):
        docs.recorded(tmp_path)


def test_no_records_builds_an_empty_site(tmp_path):
    assert docs.refresh_data_docs(tmp_path).is_file()


def test_incremental_builds_give_the_site_a_full_build_gives(tmp_path):
    """Later builds in a process render only changed pages; the folder must still match a full build."""
    site = tmp_path / "docs" / "gx"
    for suite in ("raw.exercises", "raw.trade_flows"):
        docs.record(g.validate_frame(GOOD[suite](), suite), tmp_path)
    docs.refresh_data_docs(tmp_path)
    docs.record(g.validate_frame(BAD["raw.trade_flows"][0](), "raw.trade_flows"), tmp_path)
    docs.refresh_data_docs(tmp_path)  # changed: trade_flows
    (docs.results_dir(tmp_path) / "raw.exercises.json").unlink()
    docs.refresh_data_docs(tmp_path)  # gone: exercises
    incremental = {p.relative_to(site) for p in site.rglob("*.html")}
    index = (site / "index.html").read_text()
    assert "raw.trade_flows" in index and "raw.exercises" not in index
    assert not any("exercises" in str(p) for p in incremental)

    fresh = tmp_path / "fresh"
    docs.build_data_docs(docs.recorded(tmp_path), fresh)
    assert incremental == {p.relative_to(fresh) for p in fresh.rglob("*.html")}
    page = next(p for p in incremental if p.parts[0] == "validations")
    assert "exprt" in (site / page).read_text()  # the latest (bad) result is the one shown
