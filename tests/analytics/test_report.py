"""The timeline report renders: files exist, the PNG has its size, the HTML parses and escapes.

One test renders SYNTHETIC data with a hostile title and URL (labelled as such); the others look
at what the refresh and `alliance report` produced from the sample.
"""

from __future__ import annotations

import base64
import struct
from datetime import date
from pathlib import Path

import defusedxml.ElementTree as SafeET
import lxml.html
import polars as pl
import pytest
from dagster import DagsterEventType

from orchestration.assets.report import DOCS_KEY, TIMELINE_KEY
from orchestration.cli import main
from orchestration.reports.timeline import render_timeline
from orchestration.reports.timeline_data import TimelineData

PNG_SIZE = (1400, 900)
HOSTILE_TITLE = "SYNTHETIC <script>alert('x')</script> & \"quotes\""


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])  # IHDR width, height


def _synthetic() -> TimelineData:
    d = date
    return TimelineData(
        trade=pl.DataFrame({"period": ["2018", "2018-07"], "period_type": ["year", "month"],
                            "period_start": [d(2018, 1, 1), d(2018, 7, 1)], "period_end": [d(2018, 12, 31), d(2018, 7, 31)],
                            "balance_usd": [-67.2e9, -5.5e9], "balance_basis": ["computed", "computed"]}),
        tariffs=pl.DataFrame({"action_id": ["SYN_1"], "entity_type": ["tariff_action"], "title": ["Synthetic <b>tariff</b>"],
                              "instrument": ["section_232"], "rate_pct": [25.0], "announced_on": [d(2018, 3, 8)],
                              "effective_on": [d(2018, 3, 23)], "in_force_end": [None], "superseded_by": [None],
                              "timeline_start": [d(2018, 3, 8)]},
                             schema_overrides={"in_force_end": pl.Date, "superseded_by": pl.String}),
        exercises=pl.DataFrame({"exercise_id": ["SYN_EX"], "name": ["Synthetic drill"], "status": ["suspended"],
                                "start_date": [None], "end_date": [None], "reference_date": [d(2018, 6, 18)],
                                "participants": [["USA", "JPN"]]},
                               schema_overrides={"start_date": pl.Date, "end_date": pl.Date}),
        articles=pl.DataFrame({"article_id": ["a1", "a2"], "title": [HOSTILE_TITLE, "Plain synthetic title"],
                               "url": ["javascript:alert(1)", "https://example.invalid/a2"],
                               "published_on": [d(2018, 7, 26), d(2018, 9, 1)], "source": ["synthetic", "synthetic"],
                               "tone": [-0.4, None], "tone_label": ["negative", None],
                               "tariff_actions_in_force": [["SYN_1"], []], "exercises_in_window": [[], []],
                               "latest_trade_period": ["2017", None], "latest_trade_balance_usd": [-68.85e9, None]}),
    )


def test_hostile_text_is_escaped_and_the_files_are_well_formed(tmp_path):
    files = render_timeline(_synthetic(), tmp_path, "US–Japan", source="synthetic data")
    assert files.html.exists() and files.png.exists()
    assert png_size(files.png.read_bytes()) == PNG_SIZE
    assert png_size(files.preview_png) == (PNG_SIZE[0] // 2, PNG_SIZE[1] // 2)

    text = files.html.read_text(encoding="utf-8")
    doc = lxml.html.document_fromstring(text)
    assert doc.xpath("//script") == []                       # the title did not become a script
    assert "<script>alert" not in text and "&lt;script&gt;alert" in text
    assert HOSTILE_TITLE in doc.text_content()               # ...and still reads as written
    hrefs = [a.get("href") for a in doc.xpath("//a")]
    assert hrefs == ["https://example.invalid/a2"]           # no javascript: link
    # the figure is well-formed SVG whose hover titles carry the text, escaped
    svg = text[text.index("<svg"):text.index("</svg>") + len("</svg>")]
    root = SafeET.fromstring(svg)
    titles = [t.text for t in root.iter("{http://www.w3.org/2000/svg}title")]
    assert any(t.startswith(f"2018-07-26: {HOSTILE_TITLE}") for t in titles)
    assert any("Synthetic drill" in t and "suspended" in t for t in titles)
    assert any(t.startswith("SYN_1: Synthetic <b>tariff</b>") and "effective 2018-03-23" in t for t in titles)


def _materialisation(result, key):
    for ev in result.all_events:
        if ev.event_type == DagsterEventType.ASSET_MATERIALIZATION:
            m = ev.event_specific_data.materialization
            if m.asset_key == key:
                return m
    raise AssertionError(f"{key.to_user_string()} was not materialised")


@pytest.mark.integration
def test_refresh_builds_the_timeline_with_its_preview_in_the_metadata(refreshed):
    result, wh, _ = refreshed
    meta = _materialisation(result, TIMELINE_KEY).metadata
    png = Path(meta["png"].value)
    assert png == wh.data_dir / "reports" / "timeline.png"
    assert png_size(png.read_bytes()) == PNG_SIZE
    preview = meta["preview"].value
    assert preview.startswith("![timeline](data:image/png;base64,")
    assert png_size(base64.b64decode(preview.split(",", 1)[1].rstrip(")"))) == (700, 450)
    assert meta["articles"].value == 21
    html = Path(meta["html"].value).read_text(encoding="utf-8")
    doc = lxml.html.document_fromstring(html)
    assert len(doc.xpath("//tbody/tr")) == 21
    assert "Ulchi Freedom Guardian 2018" in html and "SEC232_STEEL_2018" in html


@pytest.mark.integration
def test_refresh_builds_the_dbt_docs_with_every_mart_column_described(refreshed):
    result, wh, _ = refreshed
    meta = _materialisation(result, DOCS_KEY).metadata
    index = Path(meta["index"].value)
    assert index == wh.data_dir / "docs" / "dbt" / "static_index.html"
    page = index.read_text(encoding="utf-8")
    assert "article_context" in page and "int_tariff_supersessions" in page
    assert meta["undocumented_mart_columns"].value == []


@pytest.mark.integration
def test_alliance_report_writes_from_the_published_snapshot(refreshed, tmp_path, monkeypatch, capsys):
    _, wh, _ = refreshed
    monkeypatch.setenv("ALLIANCE_DATA_DIR", str(wh.data_dir))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster"))
    assert main(["report", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert str(tmp_path / "timeline.html") in out and str(tmp_path / "timeline.png") in out
    assert "static_index.html" in out
    assert png_size((tmp_path / "timeline.png").read_bytes()) == PNG_SIZE


def test_alliance_report_without_a_warehouse_says_what_to_do(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ALLIANCE_DATA_DIR", str(tmp_path / "empty"))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster"))
    assert main(["report"]) == 2
    assert "run `alliance refresh` first" in capsys.readouterr().err


def test_report_assets_sit_beside_publish_not_before_it(defs):
    """The reports read the marts; publishing waits for neither, and neither waits for publishing."""
    from orchestration.assets.publish import PUBLISHED_KEY

    graph = defs.resolve_asset_graph()
    for key in (TIMELINE_KEY, DOCS_KEY):
        upstream = graph.get(key).parent_keys
        assert any(k.path[0] == "marts" for k in upstream)
        assert PUBLISHED_KEY not in graph.get_ancestor_asset_keys(key)
        assert key not in graph.get_ancestor_asset_keys(PUBLISHED_KEY)


def test_dbt_docs_reuse_the_dbt_steps_parse(refreshed):
    """The docs step starts from the parse state the dbt step kept for this data folder."""
    _, wh, _ = refreshed
    from orchestration.lib.dbt_project import parse_state_path

    assert parse_state_path(wh.data_dir).is_file()
    log = (wh.data_dir / "docs" / "dbt" / "dbt.log").read_text(encoding="utf-8")
    assert "Nothing changed, skipping partial parsing" in log
