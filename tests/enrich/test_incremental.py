"""Incremental enrichment: only new and changed articles are enriched again, and the merged tables
equal what a from-scratch enrichment of the same raw.articles writes (real DuckDB files)."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest

from orchestration.assets.enrich import ALIASES, refresh_enrichment
from orchestration.lib.warehouse import Warehouse
from sources.tables import ARTICLES

BODIES = {
    "a1": "Japan welcomed a wonderful and successful summit with the United States in Tokyo.",
    "a2": "The reckless missile launch by North Korea was condemned in Tokyo and Washington.",
    "a3": "Talks on the Section 232 tariffs on steel went nowhere. Japan said nothing.",
}


def write_articles(wh: Warehouse, bodies: dict[str, str]) -> None:
    """Replace raw.articles with one row per body; payload_sha256 follows the body, as a page's would."""
    frame = pl.DataFrame([{
        "article_id": a, "source": "test", "url": f"https://example.invalid/{a}", "title": a, "author": None,
        "published_on": date(2024, 1, 1), "language": "en", "body": b, "publisher": "test",
        "feed_url": "https://example.invalid/feed", "payload_sha256": f"sha-of-{b}",
    } for a, b in bodies.items()], schema=ARTICLES.schema)
    with wh.connect() as con:
        con.execute("create schema if not exists raw")
        wh.ensure_table(con, "articles", ARTICLES.schema)
        con.execute("delete from raw.articles")
        con.register("incoming", frame.to_arrow())
        con.execute("insert into raw.articles by name select * from incoming")


def contents(wh: Warehouse) -> dict[str, list[tuple]]:
    with duckdb.connect(str(wh.path), read_only=True) as con:
        return {t: con.execute(f"select * from enrich.{t} order by all").fetchall()
                for t in ("article_mentions", "article_features")}


def from_scratch(wh: Warehouse, tmp_path: Path, aliases: Path = ALIASES) -> dict[str, list[tuple]]:
    """What a full enrichment of the same raw.articles writes, on a copy of the warehouse."""
    copy = Warehouse(tmp_path / "scratch")
    copy.data_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(wh.path, copy.path)
    refresh_enrichment(copy, aliases, full=True)
    return contents(copy)


@pytest.fixture
def wh(tmp_path) -> Warehouse:
    wh = Warehouse(tmp_path / "data")
    write_articles(wh, BODIES)
    first = refresh_enrichment(wh)
    assert (first.full, first.enriched, first.articles) == (True, 3, 3)
    return wh


def test_only_new_and_changed_articles_are_enriched_and_gone_ones_dropped(wh, tmp_path):
    before = contents(wh)
    changed = {"a1": BODIES["a1"], "a2": "Japan and the United States held friendly talks in Tokyo.",
               "a4": "Keen Sword began near Okinawa with Japan and the United States."}
    write_articles(wh, changed)  # a2 changed, a3 gone, a4 new
    stats = refresh_enrichment(wh)
    assert (stats.full, stats.enriched, stats.removed, stats.articles) == (False, 2, 1, 3)
    after = contents(wh)
    assert after == from_scratch(wh, tmp_path)
    assert {r[0] for r in after["article_features"]} == {"a1", "a2", "a4"}
    assert [r for r in after["article_mentions"] if r[0] == "a1"] == [r for r in before["article_mentions"] if r[0] == "a1"]
    assert not any(r[0] == "a3" for r in after["article_mentions"])


def test_nothing_changed_enriches_nothing(wh):
    before = contents(wh)
    stats = refresh_enrichment(wh)
    assert (stats.full, stats.enriched, stats.removed) == (False, 0, 0)
    assert contents(wh) == before
    assert stats.mentions == len(before["article_mentions"]) and stats.features == 3


def test_a_changed_dictionary_enriches_everything_again(wh, tmp_path):
    aliases = tmp_path / "entity_aliases.csv"
    text = ALIASES.read_text(encoding="utf-8")
    aliases.write_text(text + "organization,test_summit,summit,en,,,diplomacy\n", encoding="utf-8")
    stats = refresh_enrichment(wh, aliases)  # the articles did not change; the dictionary did
    assert (stats.full, stats.enriched) == (True, 3)
    assert [r[0] for r in contents(wh)["article_mentions"] if r[3] == "test_summit"] == ["a1"]
    assert contents(wh) == from_scratch(wh, tmp_path, aliases)


def test_tables_written_before_the_fingerprint_are_rebuilt(wh):
    with wh.connect() as con:
        con.execute("alter table enrich.article_features drop column enrichment_sha256")
    stats = refresh_enrichment(wh)
    assert (stats.full, stats.enriched) == (True, 3)
    with duckdb.connect(str(wh.path), read_only=True) as con:
        assert con.execute("select count(distinct enrichment_sha256) from enrich.article_features").fetchall() == [(1,)]
