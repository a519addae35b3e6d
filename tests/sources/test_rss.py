"""The `rss` plugin, end to end on the bundled sample and on the real-feed quirks it must survive.

No internet: the sample is read through the real ``sources.http.Fetcher`` on file URLs, and the
http path is exercised against pytest-httpserver on localhost.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
import time
from pathlib import Path

import feedparser
import polars as pl
import pytest
from hypothesis import given, strategies as st

from sources.contract import Payload, SourceConfig, SourceError
from sources.http import Fetcher, Limits
from sources.runner import collect
from sources.rss import RssPlugin
from sources.rss import parse as p
from sources.tables import ARTICLES

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "samples" / "commentary"
SHARED = REPO.parent / "shared"
SEED_TITLE = "U.S.-Japan Relations in the Coming Year: Alliance Management and Risk Management"
BOILERPLATE = ("Subscribe to our newsletter", "cookies", "Accept all cookies", "About us", "Manage cookie preferences", "Our experts", "Upcoming events",
               "Privacy policy", "Terms of use", "Synthetic page scaffolding", "Share this page",
               "More from this site", "Search this site")


def plugin_for(location: str | Path, **options) -> RssPlugin:
    loc = str(location)
    if "://" in loc:
        return RssPlugin(SourceConfig(name="commentary", plugin="rss", url=loc, options=options))
    return RssPlugin(SourceConfig(name="commentary", plugin="rss", path=loc, base_dir=str(REPO), options=options))


def run(plugin: RssPlugin, cursor=None):
    """extract + parse, as the warehouse does; returns (payloads, frame, rejected, notes).

    A feed that cannot be read at all raises, as extract does in a real run."""
    payloads = list(plugin.extract(Fetcher(Limits(timeout=10, attempts=2, backoff=0.05)), cursor))
    batch = collect(plugin, payloads)
    return payloads, batch.frame, [r for _, r in batch.rejected], batch.notes


def page_html(body_paragraphs: list[str], *, head: str = '<meta charset="utf-8">', lang: str = "en") -> str:
    """A page with real-looking boilerplate around the given paragraphs."""
    paras = "\n".join(f"<p>{t}</p>" for t in body_paragraphs)
    return f"""<!DOCTYPE html><html lang="{lang}"><head>{head}<title>Test page | Site</title></head>
<body><header><nav><ul><li><a href="/">Home</a></li><li><a href="/about">About us</a></li></ul></nav></header>
<div id="CookieConsent"><p>We use cookies and similar technologies to understand how visitors use this site,
to remember your preferences and to improve your experience. You can change your choice at any time.</p>
<button>Accept all cookies</button></div>
<main><article><h1>Test page</h1>{paras}</article>
<aside class="newsletter"><h2>Subscribe to our newsletter</h2><p>Weekly analysis in your inbox.</p></aside></main>
<footer><a href="/privacy">Privacy policy</a> <a href="/terms">Terms of use</a></footer></body></html>"""


ENGLISH = [
    "The alliance managers in Tokyo and Washington met again this week to review the state of defense "
    "cooperation, including the joint exercises that were suspended last summer and the tariff dispute.",
    "Officials said the talks covered the East China Sea, supply chains for semiconductors and the "
    "schedule for the next meeting of foreign and defense ministers, which is expected in the spring.",
    "Both sides agreed that the relationship remains the cornerstone of regional stability and that "
    "working-level consultations on trade would continue through the end of the year.",
]


def rss(items: str, title: str = "Test feed") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"
     xmlns:feedburner="http://rssnamespace.org/feedburner/ext/1.0">
<channel><title>{title}</title><link>http://example.invalid/</link><description>t</description>
{items}</channel></rss>""".encode()


def item(link: str, date: str = "Mon, 02 Mar 2020 10:00:00 +0000", title: str = "An article", extra: str = "") -> str:
    return f"<item><title>{title}</title><link>{link}</link><pubDate>{date}</pubDate>{extra}</item>"


# --- the bundled sample -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample():
    return run(plugin_for("samples/commentary/feed.xml"))


def test_sample_loads_21_articles_with_the_declared_schema(sample):
    payloads, frame, rejected, notes = sample
    assert payloads[0].meta["kind"] == "feed" and payloads[0].url.startswith("file://")
    assert [x.meta["kind"] for x in payloads[1:]] == ["page"] * 21
    assert notes == ["feed: 21 items"]
    assert rejected == []
    assert frame.height == 21
    assert frame.schema == ARTICLES.schema
    assert frame["article_id"].n_unique() == 21
    assert frame["source"].unique().to_list() == ["commentary"]
    assert frame["language"].unique().to_list() == ["en"]
    assert frame.select(pl.col("published_on").min()).item().isoformat() == "2016-06-13"
    assert frame.null_count().select("article_id", "url", "title", "published_on", "body", "publisher",
                                     "feed_url", "payload_sha256").sum_horizontal().item() == 0


def test_seed_article_is_complete_and_free_of_boilerplate(sample):
    _, frame, _, _ = sample
    seed = frame.filter(pl.col("title") == SEED_TITLE).row(0, named=True)
    assert seed["published_on"].isoformat() == "2018-07-26"
    assert seed["author"] == "J. Berkshire Miller"
    assert seed["publisher"] == "EastWest Institute"
    assert "Ulchi Freedom Guardian" in seed["body"] and "Senkaku" in seed["body"]
    assert seed["body"].startswith("Blog | July 26, 2018\n\nAs always, management")
    assert seed["body"].endswith("by U.S. Embassy Tokyo")
    assert seed["body"].count("\n\n") == 9  # ten paragraphs, separated by blank lines
    # No invented original URL: the canonical URL is the sample's clearly local one.
    assert seed["url"] == "http://alliance-warehouse.localhost/samples/commentary/pages/eastwest_2018-07-26_us-japan-relations.html"
    assert seed["article_id"] == hashlib.sha256(seed["url"].encode()).hexdigest()[:16]


def test_no_body_contains_page_boilerplate(sample):
    _, frame, _, _ = sample
    for body in frame["body"]:
        assert not [b for b in BOILERPLATE if b in body], body[:80]


def test_body_comes_from_the_html_not_the_feed(sample):
    _, frame, _, _ = sample
    entries = feedparser.parse((SAMPLE / "feed.xml").read_bytes()).entries
    teaser = {e.title: e.summary for e in entries}
    for row in frame.iter_rows(named=True):
        assert len(row["body"]) > 4 * len(teaser[row["title"]]), row["title"]
    assert len(frame.filter(pl.col("title") == SEED_TITLE)["body"][0]) > 40 * len(teaser[SEED_TITLE])


def test_canonical_urls_are_the_originals_where_known(sample):
    _, frame, _, _ = sample
    urls = dict(zip(frame["published_on"].cast(str), frame["url"]))
    assert urls["2021-04-16"].startswith("https://bidenwhitehouse.archives.gov/briefing-room/")
    assert urls["2017-01-23"].startswith("http://alliance-warehouse.localhost/")  # blank in index.csv
    assert not any(u.startswith("file:") for u in urls.values())


def test_every_paragraph_of_every_text_is_extracted(sample):
    """The extracted bodies equal the shared texts, paragraph for paragraph (whitespace collapsed)."""
    build = _load_build_script()
    _, frame, _, _ = sample
    by_url = {a.canonical: a for a in build.load_articles()}
    for row in frame.iter_rows(named=True):
        article = by_url[row["url"]]
        expected = [" ".join(b.split()) for b in build.blocks(article.text)]
        if expected[0] == article.title:
            expected = expected[1:]
        assert [" ".join(b.split()) for b in row["body"].split("\n\n")] == expected, article.slug


def test_committed_sample_matches_build_script(tmp_path):
    written = _load_build_script().build(tmp_path)
    assert len(written) == 22
    for f in written:
        committed = SAMPLE / f.relative_to(tmp_path)
        assert committed.read_bytes() == f.read_bytes(), f"{committed} is stale: rerun build_sample.py"


def _load_build_script():
    spec = importlib.util.spec_from_file_location("build_sample", SAMPLE / "build_sample.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_cursor_skips_older_items_and_next_cursor_is_the_newest_date():
    plugin = plugin_for("samples/commentary/feed.xml")
    payloads, frame, _, _ = run(plugin, cursor={"last_published": "2024-04-10"})
    assert len(payloads) == 1 + 4
    assert sorted(frame["published_on"].cast(str)) == ["2024-04-10", "2025-02-07", "2025-07-23", "2025-09-04"]
    assert plugin.next_cursor(None, frame, [])["last_published"] == "2025-09-04"
    # a run that brings nothing keeps what the cursor knew; a cursor never moves back
    assert plugin.next_cursor({"last_published": "2025-09-04"}, plugin.empty_frame(), [])["last_published"] == "2025-09-04"
    assert plugin.next_cursor({"last_published": "2030-01-01"}, frame, [])["last_published"] == "2030-01-01"


def test_plugin_is_registered_under_its_name():
    from sources.registry import installed_plugins

    cls = installed_plugins()["rss"]
    assert cls is RssPlugin
    assert (cls.plugin_name, cls.table, cls.key, cls.cadence) == ("rss", "articles", ("article_id",), "daily")


# --- pages: encodings, rejects ------------------------------------------------------------------

JAPANESE = [
    "日米両政府は今週、東京で外務・防衛担当閣僚による協議を開き、同盟の抑止力と対処力を一層強化する方針で一致した。",
    "会談では尖閣諸島を含む東シナ海の情勢や、北朝鮮による弾道ミサイル発射への対応について意見が交わされた。",
    "両国は半導体の供給網や関税をめぐる協議も続け、年内に次回の経済対話を開催することを確認した。",
]


@pytest.mark.parametrize("head", [
    '<meta charset="Shift_JIS">',
    '<meta http-equiv="Content-Type" content="text/html; charset=shift_jis">',
])
def test_shift_jis_declared_only_in_a_meta_tag_is_decoded(head):
    content = page_html(JAPANESE, head=head, lang="ja").encode("shift_jis")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")  # the test is meaningful: UTF-8 would garble it
    payload = Payload(source="commentary", url="http://example.invalid/ja.html", content=content,
                      content_type="text/html",  # no charset in the HTTP header
                      meta={"kind": "page", "link": "http://example.invalid/ja.html", "published": "2023-01-11"})
    result = plugin_for("samples/commentary/feed.xml").parse(payload)
    assert result.rejected == []
    row = result.frame.row(0, named=True)
    assert "尖閣諸島" in row["body"] and "\ufffd" not in row["body"]
    assert row["language"] == "ja"
    assert row["title"] == "Test page | Site"  # no feed title: the page's <title>


def test_paragraphs_are_separated_by_blank_lines_and_list_items_keep_their_lines():
    html = page_html(ENGLISH[:2] + ["Key outcomes:<br>more drills<br>fewer tariffs"]).replace(
        "</article>", "<ul><li>First commitment on supply chains.</li><li>Second commitment on drills.</li></ul></article>")
    body = p.extract_body(html, titles=("An article", "Test page | Site"))
    assert body.split("\n\n")[:2] == ENGLISH[:2]  # the <h1> repeating the title is not body text
    assert "Key outcomes:\nmore drills\nfewer tariffs" in body
    assert "First commitment on supply chains.\nSecond commitment on drills." in body
    assert "cookies" not in body


def test_http_charset_wins_over_meta_and_bad_bytes_do_not_fail():
    text, enc = p.decode_html('<meta charset="utf-8"><p>café</p>'.encode("cp1252"), "text/html; charset=windows-1252")
    assert (enc, "café" in text) == ("cp1252", True)
    text, enc = p.decode_html(b"<p>caf\xe9</p>", None)
    assert enc == "utf-8" and "caf\ufffd" in text


def test_page_without_text_is_rejected_with_a_reason():
    content = page_html([]).replace("<h1>Test page</h1>", "").encode()
    payload = Payload(source="commentary", url="http://example.invalid/empty.html", content=content,
                      meta={"kind": "page", "title": "Empty", "published": "2020-01-01"})
    result = plugin_for("samples/commentary/feed.xml").parse(payload)
    assert result.frame.is_empty() and result.frame.schema == ARTICLES.schema
    [rej] = result.rejected
    assert "no article text" in rej.reason
    assert "commentary" in rej.reason and "http://example.invalid/empty.html" in rej.reason
    assert rej.record["title"] == "Empty"


def test_page_without_any_date_is_rejected_but_a_page_date_is_enough():
    plugin = plugin_for("samples/commentary/feed.xml")
    undated = Payload(source="commentary", url="http://example.invalid/a.html",
                      content=page_html(ENGLISH).encode(), meta={"kind": "page"})
    [rej] = plugin.parse(undated).rejected
    assert "no publication date" in rej.reason and "http://example.invalid/a.html" in rej.reason
    head = '<meta charset="utf-8"><meta property="article:published_time" content="2019-05-17T09:00:00-04:00">'
    dated = Payload(source="commentary", url="http://example.invalid/a.html",
                    content=page_html(ENGLISH, head=head).encode(), meta={"kind": "page"})
    row = plugin.parse(dated).frame.row(0, named=True)
    assert row["published_on"].isoformat() == "2019-05-17"
    assert row["url"] == "http://example.invalid/a.html" and row["author"] is None


def test_unfetchable_page_is_quarantined_not_fatal(tmp_path):
    (tmp_path / "ok.html").write_text(page_html(ENGLISH))
    (tmp_path / "feed.xml").write_bytes(rss(item("ok.html") + item("missing.html", title="Gone")))
    _, frame, rejected, _ = run(plugin_for(tmp_path / "feed.xml"))
    assert frame.height == 1
    [rej] = rejected
    assert "could not be fetched" in rej.reason and "missing.html" in rej.reason


# --- feeds: safety, quirks, transports ----------------------------------------------------------

BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
 <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
 <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
 <!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
]>
<rss version="2.0"><channel><title>&g;</title><item><title>&g;</title><link>x.html</link></item></channel></rss>"""


def test_entity_bomb_feed_raises_source_error_quickly(tmp_path):
    feed = tmp_path / "bomb.xml"
    feed.write_bytes(BOMB)
    plugin = plugin_for(feed)
    start = time.perf_counter()
    with pytest.raises(SourceError) as exc:
        run(plugin)
    assert time.perf_counter() - start < 2
    message = str(exc.value)
    assert "commentary" in message and feed.as_uri() in message and "DOCTYPE" in message and "Fix:" in message
    with pytest.raises(SourceError):  # replaying the archived payload fails the same way
        plugin.parse(Payload(source="commentary", url=feed.as_uri(), content=BOMB, meta={"kind": "feed"}))


@pytest.mark.parametrize("content, problem", [
    (b"<!DOCTYPE html><html><head><title>Home</title></head><body><p>Welcome<br></body></html>", "HTML"),
    (b'<?xml version="1.0"?><rss><channel><title>unclosed</channel></rss>', "not well-formed"),
    (b'<?xml version="1.0"?><sitemap><url/></sitemap>', "not an RSS or Atom feed"),
    (b"", "empty"),
])
def test_non_feed_bytes_raise_source_error_naming_the_fix(tmp_path, content, problem):
    feed = tmp_path / "feed.xml"
    feed.write_bytes(content)
    with pytest.raises(SourceError) as exc:
        run(plugin_for(feed))
    assert problem in str(exc.value) and feed.as_uri() in str(exc.value)
    assert exc.value.source == "commentary" and exc.value.fix


def test_relative_links_resolve_against_the_feed(tmp_path):
    (tmp_path / "feeds").mkdir()
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "one.html").write_text(page_html(ENGLISH))
    (tmp_path / "feeds" / "feed.xml").write_bytes(rss(item("../articles/one.html")))
    payloads, frame, rejected, _ = run(plugin_for(tmp_path / "feeds" / "feed.xml"))
    assert rejected == []
    assert payloads[1].url == (tmp_path / "articles" / "one.html").as_uri()
    assert frame["feed_url"].to_list() == [(tmp_path / "feeds" / "feed.xml").as_uri()]


def test_resolve_link_rules():
    feed = "https://think.example/feeds/asia/rss.xml"
    assert p.resolve_link(feed, "a.html") == "https://think.example/feeds/asia/a.html"
    assert p.resolve_link(feed, "/2018/07/a.html#comments") == "https://think.example/2018/07/a.html"
    assert p.resolve_link(feed, " https://other.example/x ") == "https://other.example/x"
    assert p.resolve_link(feed, "file:///etc/passwd") is None  # a remote feed may not read local files
    assert p.resolve_link(feed, "javascript:alert(1)") is None
    assert p.resolve_link(feed, "") is None
    assert p.resolve_link("file:///srv/feed.xml", "pages/a.html") == "file:///srv/pages/a.html"


def test_feed_quirks_origlink_empty_creator_and_publisher_timezone():
    items = item("https://proxy.example/~r/x/1", date="Thu, 26 Jul 2018 08:00:00 +0900",
                 extra="<feedburner:origLink>https://think.example/2018/07/alliance</feedburner:origLink>"
                       "<dc:creator></dc:creator><source url='https://eastwest.example/rss'>EastWest</source>")
    items += item("b.html", date="2024-04-10T23:30:00-04:00", title="Atom-style date", extra="<dc:creator>A. Writer</dc:creator>")
    feed = p.parse_feed(rss(items, title="Channel"), source="commentary", url="https://think.example/rss")
    first, second = feed.items
    assert first.link == "https://think.example/2018/07/alliance"
    assert first.published.isoformat() == "2018-07-26"  # feedparser's UTC value would be the 25th
    assert (first.author, first.publisher) == (None, "EastWest")
    assert (second.link, second.author, second.publisher) == ("https://think.example/b.html", "A. Writer", "Channel")
    assert second.published.isoformat() == "2024-04-10"


def test_atom_feed_is_read_too():
    atom = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom site</title><id>urn:x</id><updated>2021-04-16T00:00:00Z</updated>
<entry><title>Entry</title><id>urn:x:1</id><link href="posts/1"/><published>2021-04-16T09:00:00+09:00</published>
<author><name>Writer</name></author></entry></feed>"""
    [entry] = p.parse_feed(atom, source="commentary", url="https://site.example/atom.xml").items
    assert (entry.link, entry.author, entry.publisher) == ("https://site.example/posts/1", "Writer", "Atom site")
    assert entry.published.isoformat() == "2021-04-16"


def test_feed_served_over_http(httpserver):
    httpserver.expect_request("/feeds/commentary.xml").respond_with_data(
        rss(item("articles/one.html", title="One") + item("/two.html", title="Two")),
        content_type="application/rss+xml; charset=utf-8")
    for path in ("/feeds/articles/one.html", "/two.html"):
        httpserver.expect_request(path).respond_with_data(
            page_html(ENGLISH).encode("utf-8"), content_type="text/html; charset=utf-8")
    feed_url = httpserver.url_for("/feeds/commentary.xml")
    payloads, frame, rejected, notes = run(plugin_for(feed_url))
    assert rejected == [] and notes == ["feed: 2 items"]
    assert [x.url for x in payloads[1:]] == [httpserver.url_for("/feeds/articles/one.html"), httpserver.url_for("/two.html")]
    assert sorted(frame["title"]) == ["One", "Two"]
    assert frame["publisher"].unique().to_list() == ["Test feed"]
    assert all("Subscribe" not in b and "officials said" in b.lower() for b in frame["body"])


def test_article_id_is_sha256_prefix_of_the_canonical_url():
    url = "https://www.whitehouse.gov/briefings-statements/2025/02/united-states-japan-joint-leaders-statement/"
    assert p.article_id(url) == hashlib.sha256(url.encode()).hexdigest()[:16]
    assert p.article_id(url + "#top") == p.article_id(url)


@given(st.binary(max_size=2000), st.one_of(st.none(), st.text(max_size=40)))
def test_decode_html_never_raises(content, content_type):
    text, encoding = p.decode_html(content, content_type)
    assert isinstance(text, str) and encoding


@given(st.text(max_size=60))
def test_parse_date_never_raises(value):
    assert p.parse_date(value) is None or p.parse_date(value).year >= 1
