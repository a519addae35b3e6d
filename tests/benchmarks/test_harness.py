"""The benchmark harness keeps working: one run of the one command at the tiny size.

Not a timed test: it asserts that every figure P1…P6 was measured and written (JSON and report),
whatever the numbers are. The figures themselves come from `--size full` runs (BENCHMARKS.md).
"""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest

from tests.conftest import ROOT

FIGURES = ("P1", "P2", "P3", "P4", "P5", "P6", "G1")


@pytest.mark.timeout(1800)  # a few minutes on an idle 2-core machine; a busy shared one needs more
def test_the_one_command_measures_every_figure_at_tiny_size(tmp_path):
    out, report = tmp_path / "results.json", tmp_path / "BENCHMARKS.md"
    proc = subprocess.run([sys.executable, "-m", "benchmarks", "--size", "tiny", "--out", str(out),
                           "--markdown", str(report), "--work", str(tmp_path / "work")],
                          cwd=ROOT, capture_output=True, text=True, timeout=1500, check=False)
    assert proc.returncode == 0, proc.stderr[-4000:]
    results = json.loads(out.read_text())
    assert results["errors"] == [] and results["size"] == "tiny"
    assert results["machine"]["cores"] >= 1
    by_figure = {f["figure"] for f in results["figures"]}
    assert by_figure == set(FIGURES)
    for f in results["figures"]:
        assert isinstance(f["value"], float) and math.isfinite(f["value"]) and f["value"] >= 0, f
        assert isinstance(f["met"], bool) and f["goal"], f
        if f["baseline"] is not None:  # ratios are value over a baseline measured in the same run
            assert f["baseline"] > 0 and math.isclose(f["ratio"], f["value"] / f["baseline"]), f
    text = report.read_text()
    for fig in FIGURES:
        assert f"| {fig}" in text
    assert "id  " in proc.stdout and "P6" in proc.stdout  # the printed table


def test_generated_data_is_seeded_and_labelled_synthetic(tmp_path):
    from benchmarks.generate import MARKER, write_articles, write_census, write_tables

    write_census(tmp_path / "a", 500)
    write_census(tmp_path / "b", 500)
    for name in ("exports_hs.json", "imports_hs.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
        rows = json.loads((tmp_path / "a" / name).read_text())
        assert len(rows) == 251 and all(isinstance(v, str) for r in rows for v in r)
    write_articles(tmp_path / "feed", 5)
    write_tables(tmp_path / "tables", 3, 3)
    for folder in ("a", "feed", "tables"):
        assert "SYNTHETIC" in (tmp_path / folder / MARKER).read_text()
    page = (tmp_path / "feed" / "pages" / "a0000000.html").read_text()
    assert "SYNTHETIC" in page and "SYNTHETIC" in (tmp_path / "feed" / "feed.xml").read_text()
    assert "SYNTHETIC" in (tmp_path / "tables" / "tariff_actions.csv").read_text()


def test_generated_tables_and_pages_load_through_the_real_plugins(tmp_path):
    from benchmarks.generate import write_articles, write_tables
    from sources import registry
    from sources.contract import SourceConfig
    from sources.http import Fetcher

    write_tables(tmp_path, 30, 40)
    for table, n in (("tariff_actions", 30), ("exercises", 40)):
        plugin = registry.create(SourceConfig(name=f"syn_{table}", plugin="csv_table",
                                              path=str(tmp_path / f"{table}.csv"), options={"table": table}))
        results = [plugin.parse(p) for p in plugin.extract(Fetcher(), None)]
        assert sum(r.frame.height for r in results) == n and not any(r.rejected for r in results)
    write_articles(tmp_path / "feed", 3)
    rss = registry.create(SourceConfig(name="syn_feed", plugin="rss", path=str(tmp_path / "feed" / "feed.xml")))
    frames = [rss.parse(p).frame for p in rss.extract(Fetcher(), None)]
    bodies = [b for f in frames for b in f["body"]]
    assert len(bodies) == 3 and all(len(b.split()) >= 450 for b in bodies)
