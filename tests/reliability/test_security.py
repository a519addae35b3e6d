"""Security: where the fetcher may go, what `alliance sql` may do, how the report treats source
text, and that a planted API key is recorded nowhere. The network is a local pytest-httpserver."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import lxml.html
import pytest

from orchestration.cli.sql import ReadOnlyQueryError, run_readonly_query
from orchestration.lib.config import PROJECT_ROOT, load_config
from sources.contract import SourceError
from sources.http import Fetcher, Limits

FAST = Limits(timeout=5, attempts=1, backoff=0.01, min_interval=0)
HOSTILE_TITLE = "Alliance <script>alert('title')</script><img src=x onerror=alert(1)>"


# --------------------------------------------------------------------------------- the fetcher


@pytest.mark.parametrize("url", ["ftp://example.org/feed.xml", "gopher://example.org/", "data:text/plain,hello",
                                 "javascript:alert(1)", "jar:file:///tmp/x.jar!/a", "smb://host/share/file",
                                 "dict://localhost:11211/stat", "ldap://example.org/", "/etc/passwd",
                                 "sftp://example.org/x"])
def test_fetcher_refuses_schemes_other_than_http_https_file(url):
    with pytest.raises(SourceError, match="is not allowed") as err:
        Fetcher(FAST).get(url, source="s")
    assert "Fix:" in str(err.value)


def test_a_redirect_to_a_local_file_is_refused(httpserver):
    httpserver.expect_request("/feed").respond_with_data("", status=302, headers={"Location": "file:///etc/passwd"})
    with pytest.raises(SourceError, match="a redirect led to a scheme other than http or https"):
        Fetcher(FAST).get(httpserver.url_for("/feed"), source="s")


def test_live_fetcher_refuses_hosts_outside_the_configured_sources(httpserver):
    httpserver.expect_request("/feed").respond_with_data("<rss/>")
    url = httpserver.url_for("/feed")  # http://localhost:<port>/feed
    assert Fetcher(FAST, allowed_hosts={"localhost"}).get(url, source="s").content == b"<rss/>"
    with pytest.raises(SourceError, match="host 'localhost' is not the host of any configured source"):
        Fetcher(FAST, allowed_hosts={"api.census.gov"}).get(url, source="s")
    assert len(httpserver.log) == 1  # the refused request never left the machine


def test_live_fetcher_refuses_a_redirect_to_another_host(httpserver):
    other = httpserver.url_for("/elsewhere").replace("localhost", "127.0.0.1")
    httpserver.expect_request("/feed").respond_with_data("", status=302, headers={"Location": other})
    httpserver.expect_request("/elsewhere").respond_with_data("secret internal page")
    with pytest.raises(SourceError, match="a redirect led to host '127.0.0.1'"):
        Fetcher(FAST, allowed_hosts={"localhost"}).get(httpserver.url_for("/feed"), source="s")
    assert [req.path for req, _ in httpserver.log] == ["/feed"]


def test_a_run_fetches_only_from_the_hosts_its_config_names():
    """Offline, no host at all; live, exactly the hosts of the sources' URLs."""
    assert load_config(PROJECT_ROOT / "alliance.yml").source_hosts == frozenset()
    live = load_config(PROJECT_ROOT / "alliance.live.yml")
    assert live.source_hosts == {p.hostname for p in map(__import__("urllib.parse").parse.urlparse,
                                                         (s.url for s in live.sources if s.url))}
    assert "api.census.gov" in live.source_hosts


@pytest.mark.integration
def test_a_feed_cannot_send_a_live_run_to_another_host(httpserver, tmp_path, monkeypatch):
    """The feed is served from a configured host; one item points at a host no source names. The
    run loads the other item and quarantines that one with the reason; the page is never requested."""
    from dagster import AssetKey, DagsterInstance

    from orchestration.definitions import build_definitions

    page = (PROJECT_ROOT / "tests/corpus/rss/pages/ok_a.html").read_bytes()
    httpserver.expect_request("/a.html").respond_with_data(page, content_type="text/html; charset=utf-8")
    httpserver.expect_request("/b.html").respond_with_data(page, content_type="text/html; charset=utf-8")
    elsewhere = httpserver.url_for("/b.html").replace("localhost", "127.0.0.1")
    feed = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
            f'<item><title>A</title><link>{httpserver.url_for("/a.html")}</link><pubDate>Mon, 12 Jul 2021 12:00:00 +0000</pubDate></item>'
            f'<item><title>B</title><link>{elsewhere}</link><pubDate>Mon, 12 Jul 2021 12:00:00 +0000</pubDate></item>'
            "</channel></rss>")
    httpserver.expect_request("/feed.xml").respond_with_data(feed, content_type="application/rss+xml")
    cfg = tmp_path / "live.yml"
    cfg.write_text(f"sources:\n  - name: feed\n    plugin: rss\n    url: {httpserver.url_for('/feed.xml')}\n")
    monkeypatch.setenv("ALLIANCE_DATA_DIR", str(tmp_path / "data"))
    defs = build_definitions(load_config(cfg))
    with DagsterInstance.ephemeral() as instance:
        defs.resolve_job_def("refresh_all").execute_in_process(
            instance=instance, raise_on_error=False, asset_selection=[AssetKey(["ingest", "feed"])])
    with duckdb.connect(str(tmp_path / "data" / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from raw.articles").fetchall() == [(1,)]
        reasons = [r for (r,) in con.execute("select reason from raw.quarantine").fetchall()]
    assert any("host '127.0.0.1' is not the host of any configured source" in r for r in reasons), reasons
    assert "/b.html" not in [req.path for req, _ in httpserver.log]


# ------------------------------------------------------------------------------- alliance sql


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory) -> Path:
    """A small published-style snapshot (read-only file) with one table."""
    db = tmp_path_factory.mktemp("sql") / "warehouse.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("create schema marts; create table marts.t as select range as i from range(5)")
    db.chmod(0o444)
    return db


@pytest.mark.parametrize("query", [
    "insert into marts.t values (99)",
    "update marts.t set i = 0",
    "delete from marts.t",
    "create table marts.u as select 1",
    "create view marts.v as select 1",
    "drop table marts.t",
    "alter table marts.t add column j int",
    "attach ':memory:' as m",
    "attach '{out}.duckdb' as other",
    "detach marts",
    "copy marts.t to '{out}.csv'",
    "copy (select 1) to '{out}.parquet' (format parquet)",
    "export database '{out}'",
    "import database '{out}'",
    "install httpfs",
    "load httpfs",
    "set enable_external_access = true",
    "reset lock_configuration",
    "pragma enable_profiling",
    "create secret s (type s3, key_id 'a', secret 'b')",
    "checkpoint",
    "vacuum",
    "call pragma_version()",
    "begin transaction",
    "explain analyze copy (select 1) to '{out}.csv'",
    "with x as (select 1) insert into marts.t select * from x",
    "select * from read_csv('{etc}')",
    "select * from read_text('{etc}')",
    "select * from '{etc}'",
    "select * from glob('/etc/*')",
    "select * from read_parquet('{out}.parquet')",
    "select * from duckdb_secrets()",
    "select 1; delete from marts.t",
])
def test_alliance_sql_cannot_write_attach_copy_or_touch_files(snapshot, tmp_path, query):
    out = tmp_path / "stolen"
    before = snapshot.read_bytes()
    with pytest.raises(ReadOnlyQueryError):
        run_readonly_query(snapshot, query.format(out=out, etc="/etc/passwd"))
    assert snapshot.read_bytes() == before
    assert list(tmp_path.iterdir()) == []  # nothing written next to it either
    with duckdb.connect(str(snapshot), read_only=True) as con:
        assert con.execute("select count(*) from marts.t").fetchall() == [(5,)]


def test_alliance_sql_still_answers_reads(snapshot):
    assert run_readonly_query(snapshot, "select sum(i) as s from marts.t") == (["s"], [(10,)])
    columns, rows = run_readonly_query(snapshot, "describe marts.t")
    assert rows and columns[0] == "column_name"


def test_alliance_sql_command_refuses_a_copy_as_a_user_runs_it(snapshot, tmp_path):
    out = tmp_path / "x.csv"
    proc = subprocess.run([sys.executable, "-m", "orchestration.cli", "sql", f"copy marts.t to '{out}'",
                           "--database", str(snapshot)], capture_output=True, text=True, cwd=PROJECT_ROOT, check=False,
                          env={**os.environ, "ALLIANCE_DATA_DIR": str(tmp_path / "data")})
    assert proc.returncode == 2 and "alliance sql:" in proc.stderr and not out.exists()


# ------------------------------------------------------------------------------------ the report


@pytest.mark.integration
def test_report_html_escapes_source_text(refreshed, tmp_path):
    """Hostile text in an article title, URL and source, a tariff title and an exercise name is shown
    as text: the page has no script element, no event handler, no javascript: link."""
    from orchestration.reports.timeline import write_timeline

    _, wh, _ = refreshed
    db = tmp_path / "warehouse.duckdb"
    shutil.copyfile(wh.published_path, db)
    db.chmod(0o644)
    with duckdb.connect(str(db)) as con:
        con.execute("update marts.article_context set title = ?, url = ?, source = ? where published_on = date '2018-07-26'",
                    [HOSTILE_TITLE, "javascript:alert('url')", "<b onmouseover=alert(2)>src</b>"])
        con.execute("update marts.tariff_timeline set title = ? where action_id = 'SEC232_STEEL_2018'", [HOSTILE_TITLE])
        con.execute("update marts.exercise_calendar set name = ? where exercise_id = 'UFG_2017'", [HOSTILE_TITLE])
    files = write_timeline(db, tmp_path / "reports")
    text = files.html.read_text(encoding="utf-8")
    doc = lxml.html.document_fromstring(text)
    assert doc.xpath("//script") == []
    handlers = [(el.tag, a) for el in doc.iter() if isinstance(el.tag, str) for a in el.attrib if a.lower().startswith("on")]
    assert handlers == []
    links = [v for el in doc.iter() if isinstance(el.tag, str) for k, v in el.attrib.items() if k.endswith("href")]
    assert not [v for v in links if v.strip().lower().startswith("javascript:")]
    assert "&lt;script&gt;alert(&#x27;title&#x27;)&lt;/script&gt;" in text or "&lt;script&gt;alert('title')" in text
    assert HOSTILE_TITLE in doc.text_content()  # shown, as text


# ------------------------------------------------------------------------------- a planted secret

SECRET = "5f4dcc3b5aa765d61d8327deb882cf99a1b2c3d4"  # planted: 40 hex characters, like a real Census key
PARTS = [SECRET[i:i + 12] for i in range(0, len(SECRET) - 11, 7)]  # a partial key is a leak too


def _duckdb_text(db: Path) -> str:
    """Every value of every table of a DuckDB file, as text (the file's bytes may be compressed)."""
    with duckdb.connect(str(db), read_only=True) as con:
        tables = con.execute("select table_schema, table_name from information_schema.tables").fetchall()
        return "\n".join(str(con.execute(f'select * from "{s}"."{t}"').fetchall()) for s, t in tables)


@pytest.mark.integration
def test_a_planted_api_key_is_recorded_nowhere(httpserver, tmp_path):
    """`alliance refresh`, as a user runs it, against an API that answers one query with an error page
    echoing the key back. The key reaches the API, and appears in no output, log, event, metadata,
    error, quarantine record, table, report or file of the data folder (the landing archive keeps
    the bytes the API sent, as they were sent: that is data, not a record of ours)."""
    exports = (PROJECT_ROOT / "samples/census_trade/exports_hs.json").read_bytes()
    httpserver.expect_request("/data/timeseries/intltrade/exports/hs").respond_with_data(
        exports, content_type="application/json;charset=utf-8")
    httpserver.expect_request("/data/timeseries/intltrade/imports/hs").respond_with_data(
        f"error: invalid key {SECRET}", content_type="text/plain")
    cfg = tmp_path / "live.yml"
    cfg.write_text(f"sources:\n  - name: census_live\n    plugin: census_trade\n    url: {httpserver.url_for('/data')}\n")
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME", "ALLIANCE_CRASH_AT")}
    env.update(CENSUS_API_KEY=SECRET, ALLIANCE_CONFIG=str(cfg), ALLIANCE_DATA_DIR=str(data), COLUMNS="200")
    proc = subprocess.run([sys.executable, "-m", "orchestration.cli", "refresh", "--select", "key:ingest/census_live",
                           "--log-level", "DEBUG"], capture_output=True, text=True, cwd=PROJECT_ROOT, env=env,
                          check=False, timeout=900)
    assert [req.args.get("key") for req, _ in httpserver.log] == [SECRET, SECRET], "the key must reach the API"
    assert "census_live" in proc.stdout + proc.stderr
    assert not [part for part in PARTS if part in proc.stdout + proc.stderr]
    landing = data / "landing"
    leaks = [str(p.relative_to(data)) for p in data.rglob("*") if p.is_file() and landing not in p.parents
             and p.suffix != ".duckdb" and any(part.encode() in p.read_bytes() for part in PARTS)]
    assert leaks == []
    for db in data.rglob("*.duckdb"):
        text = _duckdb_text(db)
        assert "census_live" in text and not [part for part in PARTS if part in text], \
            f"(part of) the key is in {db.relative_to(data)}"
