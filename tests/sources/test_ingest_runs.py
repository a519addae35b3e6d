"""Runs of one source against a real DuckDB warehouse: incremental cursors, idempotent merges,
--full-refresh, the landing archive and `alliance replay`, quarantine of bad input, schema drift."""

from __future__ import annotations

import json
import shutil
import time
import tracemalloc
from pathlib import Path

import duckdb
import pytest

from orchestration.assets.ingest import run_source
from orchestration.cli import main
from orchestration.cli.replay import replay_source
from orchestration.lib.warehouse import Warehouse
from sources.contract import SourceConfig, SourceError
from sources.http import Fetcher, Limits
from sources.registry import create

REPO = Path(__file__).resolve().parents[2]
TARIFFS = REPO / "samples" / "reference" / "tariffs" / "tariff_actions.csv"
FAST = Limits(timeout=5, attempts=2, backoff=0.05, min_interval=0)


@pytest.fixture
def wh(tmp_path) -> Warehouse:
    w = Warehouse(tmp_path / "data")
    w.bootstrap()
    return w


def tariffs(path: Path, **options):
    return create(SourceConfig(name="tariff_actions", plugin="csv_table", path=str(path),
                               options={"table": "tariff_actions", **options}))


def query(wh: Warehouse, sql: str, params=()):
    with duckdb.connect(str(wh.path), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def test_rerun_adds_no_duplicates_and_skips_an_unchanged_file(wh, tmp_path):
    csv = tmp_path / "tariffs.csv"
    shutil.copy(TARIFFS, csv)
    first = run_source(tariffs(csv), wh)
    second = run_source(tariffs(csv), wh)
    assert (first["rows_new"], first["rows_in_table"]) == (19, 19)
    assert (second["payloads_not_modified"], second["rows_loaded"], second["rows_in_table"]) == (1, 0, 19)
    assert query(wh, "select count(*) from landing.payloads")[0][0] == 1  # unchanged bytes are not archived again
    # a changed file is fetched and merged on the key: one row changes, none is added
    csv.write_text(csv.read_text().replace("Section 232 tariff on steel mill articles", "Section 232 steel tariff"))
    third = run_source(tariffs(csv), wh)
    assert (third["rows_loaded"], third["rows_new"], third["rows_replaced"], third["rows_in_table"]) == (19, 0, 19, 19)
    assert query(wh, "select title from raw.tariff_actions where action_id = 'SEC232_STEEL_2018'") == [
        ("Section 232 steel tariff",)]


def test_full_refresh_ignores_the_cursor_and_a_config_change_invalidates_it(wh, tmp_path):
    csv = tmp_path / "tariffs.csv"
    shutil.copy(TARIFFS, csv)
    run_source(tariffs(csv), wh)
    again = run_source(tariffs(csv), wh, full_refresh=True)
    assert (again["payloads_not_modified"], again["rows_loaded"], again["rows_new"]) == (0, 19, 0)
    assert again["cursor_before"] is None
    changed = run_source(tariffs(csv, cadence="monthly"), wh)  # a different configuration of the same source
    assert changed["cursor_before"] is None and changed["rows_loaded"] == 19


def test_rss_cursor_fetches_only_new_items(wh, tmp_path):
    from tests.sources.test_rss import ENGLISH, item, page_html, rss

    for name in ("a", "b", "c"):
        (tmp_path / f"{name}.html").write_text(page_html(ENGLISH))
    feed = tmp_path / "feed.xml"
    feed.write_bytes(rss(item("a.html", date="Mon, 02 Mar 2020 10:00:00 +0000", title="A")
                         + item("b.html", date="Tue, 03 Mar 2020 10:00:00 +0000", title="B")))
    src = lambda: create(SourceConfig(name="commentary", plugin="rss", path=str(feed)))
    first = run_source(src(), wh)
    assert first["rows_new"] == 2 and first["cursor_after"]["last_published"] == "2020-03-03"
    assert run_source(src(), wh)["payloads"] == 1  # the feed did not change: no page is fetched
    feed.write_bytes(rss(item("a.html", date="Mon, 02 Mar 2020 10:00:00 +0000", title="A")
                         + item("b.html", date="Tue, 03 Mar 2020 10:00:00 +0000", title="B")
                         + item("c.html", date="Wed, 04 Mar 2020 10:00:00 +0000", title="C")))
    third = run_source(src(), wh)
    assert third["payloads"] == 1 + 2  # the feed, the boundary day's page again, and the new page
    assert (third["rows_new"], third["rows_in_table"]) == (1, 3)


def test_bad_rows_are_quarantined_with_source_hash_record_and_reason(wh, tmp_path):
    csv = tmp_path / "tariffs.csv"
    lines = TARIFFS.read_text().splitlines()
    csv.write_text("\n".join(lines[:3] + [lines[3].replace("2018-01-22", "2018-13-45")] + lines[4:]) + "\n")
    meta = run_source(tariffs(csv), wh)
    assert (meta["rows_loaded"], meta["records_rejected"], meta["rows_quarantined"]) == (18, 1, 1)
    [(source, sha, record, reason)] = query(wh, "select source, payload_sha256, record, reason from raw.quarantine")
    archived = query(wh, "select payload_sha256 from landing.payloads")[0][0]
    assert source == "tariff_actions" and sha == archived
    assert json.loads(record)["action_id"] == "SEC201_WASHERS_2018" and "2018-13-45" in reason


def test_a_payload_that_fails_to_parse_is_archived_quarantined_and_fails_the_run_loudly(wh, tmp_path):
    csv = tmp_path / "tariffs.csv"
    csv.write_text('action_id,title\n"unclosed,quote\n')
    with pytest.raises(SourceError, match="nothing usable arrived"):
        run_source(tariffs(csv), wh)
    [(sha, reason)] = query(wh, "select payload_sha256, reason from raw.quarantine")
    assert "payload could not be parsed" in reason
    path = query(wh, "select archive_path from landing.payloads where payload_sha256 = ?", [sha])[0][0]
    assert Path(path).read_bytes() == csv.read_bytes()  # the bad bytes are kept, to fix and replay


def test_schema_drift_names_the_column(wh, tmp_path):
    csv = tmp_path / "tariffs.csv"
    text = TARIFFS.read_text()
    csv.write_text(text.replace("source_url\n", "source_url,hs_chapter\n", 1).replace("\n", ",72\n")
                   .replace("source_url,hs_chapter,72\n", "source_url,hs_chapter\n", 1))
    meta = run_source(tariffs(csv), wh)
    assert meta["rows_loaded"] == 19 and meta["records_rejected"] == 1
    reason = query(wh, "select reason from raw.quarantine")[0][0]
    assert "new column 'hs_chapter'" in reason and "options.ignore" in reason
    import csv as csvmod
    rows = list(csvmod.reader(TARIFFS.read_text().splitlines()))
    at = rows[0].index("announced_on")
    for r in rows[1:]:
        r[at] = "March 8, 2018"  # the column changed format for every row
    retyped = tmp_path / "retyped.csv"
    with open(retyped, "w", newline="") as fh:
        csvmod.writer(fh).writerows(rows)
    with pytest.raises(SourceError) as err:
        tariffs(retyped).parse(Fetcher(FAST).get(retyped.as_uri(), source="tariff_actions"))
    assert "column 'announced_on' changed type" in str(err.value) and "March 8, 2018" in str(err.value)


def test_unfetchable_pages_are_archived_as_distinct_failure_records_and_retried(wh, tmp_path):
    from tests.sources.test_rss import ENGLISH, item, page_html, rss

    (tmp_path / "ok.html").write_text(page_html(ENGLISH))
    feed = tmp_path / "feed.xml"
    feed.write_bytes(rss(item("ok.html") + item("gone1.html", title="G1") + item("gone2.html", title="G2")))
    src = lambda: create(SourceConfig(name="commentary", plugin="rss", path=str(feed)))
    meta = run_source(src(), wh)
    assert (meta["rows_loaded"], meta["fetch_failures"]) == (1, 2)
    failures = query(wh, "select payload_sha256, url from landing.payloads where http_status = 0 order by url")
    assert len({sha for sha, _ in failures}) == 2 and [u.rsplit("/", 1)[1] for _, u in failures] == ["gone1.html", "gone2.html"]
    assert sorted(u.rsplit("/", 1)[1] for u in meta["cursor_after"]["retry"]) == ["gone1.html", "gone2.html"]
    (tmp_path / "gone1.html").write_text(page_html(ENGLISH))
    later = run_source(src(), wh)  # the feed is unchanged, but the failed pages are tried again
    assert later["rows_new"] == 1 and later["fetch_failures"] == 1


def test_entity_bomb_is_refused_fast_in_bounded_memory(wh, tmp_path):
    from tests.sources.test_rss import BOMB

    feed = tmp_path / "bomb.xml"
    feed.write_bytes(BOMB)
    tracemalloc.start()
    start = time.perf_counter()
    with pytest.raises(SourceError, match="DOCTYPE"):
        run_source(create(SourceConfig(name="commentary", plugin="rss", path=str(feed))), wh)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert time.perf_counter() - start < 5 and peak < 50 * 1024 * 1024  # 20^7 expansions would be ~2 GB
    assert query(wh, "select count(*) from landing.payloads")[0][0] == 1  # archived before it was refused


def test_replay_rebuilds_the_table_from_the_archive_without_the_source(wh, tmp_path, monkeypatch):
    csv = tmp_path / "tariffs.csv"
    shutil.copy(TARIFFS, csv)
    plugin = tariffs(csv)
    run_source(plugin, wh)
    csv.unlink()  # the source is gone: replay must not need it
    with duckdb.connect(str(wh.path)) as con:
        con.execute("delete from raw.tariff_actions")
    result = replay_source(plugin, wh)
    assert (result["replayed"], result["rows_new"], result["rows_in_table"]) == (1, 19, 19)
    path = Path(query(wh, "select archive_path from landing.payloads")[0][0])
    path.write_bytes(b"tampered")
    tampered = replay_source(plugin, wh)
    assert tampered["unreadable"] == 1 and tampered["rows_loaded"] == 0
    assert "does not match its sha256" in query(wh, "select reason from raw.quarantine")[0][0]


def test_replay_command_line(tmp_path, monkeypatch, capsys):
    cfg = tmp_path / "alliance.yml"
    cfg.write_text(f"sources:\n  - name: tariff_actions\n    plugin: csv_table\n    path: {TARIFFS}\n"
                   "    options: {table: tariff_actions}\n")
    monkeypatch.setenv("ALLIANCE_CONFIG", str(cfg))
    monkeypatch.setenv("ALLIANCE_DATA_DIR", str(tmp_path / "data"))
    assert main(["replay", "tariff_actions"]) == 2 and "run `alliance refresh` first" in capsys.readouterr().err
    wh = Warehouse(tmp_path / "data")
    wh.bootstrap()
    run_source(create(SourceConfig(name="tariff_actions", plugin="csv_table", path=str(TARIFFS),
                                   options={"table": "tariff_actions"})), wh)
    assert main(["replay", "tariff_actions"]) == 0
    out = capsys.readouterr().out
    assert "Replayed 1 of 1 archived payloads of 'tariff_actions' into raw.tariff_actions: 19 rows" in out
