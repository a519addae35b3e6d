"""Tempting wrong links the sample has no article for, checked on small SYNTHETIC articles.

The sample holds no 2018 article that names "Keen Sword", and none that names the Section 232
steel and aluminum tariffs together; these cases are written here, labelled synthetic, and
joined with the real reference data: a copy of the refreshed warehouse gets the synthetic
articles, the real enrichment code finds their mentions with the real dictionary, and the dbt
models' compiled SQL rebuilds every model from the raw tables.
"""

from __future__ import annotations

import os
import shutil
from datetime import date

import duckdb
import polars as pl
import pytest

from orchestration.assets.enrich import ALIASES
from orchestration.enrich import extract_mentions, load_dictionary, score_articles
from tests.analytics.dbt_sql import insert

pytestmark = pytest.mark.integration

SYNTHETIC = [
    ("synthetic-ks-2018", date(2018, 2, 15),
     "SYNTHETIC TEST ARTICLE: alliance drills",
     ("This is a synthetic test article. Planners in Tokyo said Keen Sword would again test how U.S. and "
      "Japanese forces operate together.")),
    ("synthetic-ks-2016", date(2016, 11, 5),
     "SYNTHETIC TEST ARTICLE: drills under way",
     "This is a synthetic test article. Keen Sword is under way around Japan this week."),
    ("synthetic-232-2018", date(2018, 5, 1),
     "SYNTHETIC TEST ARTICLE: tariffs on allies",
     ("This is a synthetic test article. Japan was not exempted from the Section 232 tariffs on steel and "
      "aluminum that took effect in March. Tokyo called the steel and aluminum tariffs regrettable.")),
]


@pytest.fixture(scope="module")
def links(refreshed, compiled, tmp_path_factory):
    """article_id -> {(entity_id, reason)} after rebuilding the models with the synthetic articles."""
    _, wh, _ = refreshed
    db = tmp_path_factory.mktemp("synthetic") / "warehouse.duckdb"  # the name the compiled SQL expects
    shutil.copyfile(wh.published_path, db)
    os.chmod(db, 0o644)
    articles = pl.DataFrame(
        [{"article_id": a, "source": "synthetic", "url": f"https://example.invalid/{a}", "title": t,
          "published_on": d, "language": "en", "body": b} for a, d, t, b in SYNTHETIC])
    with duckdb.connect(str(db)) as con:
        con.execute("delete from enrich.article_mentions; delete from enrich.article_features")
        insert(con, "raw.articles", articles)
        everything = con.sql("select article_id, body, language from raw.articles").pl()
        insert(con, "enrich.article_mentions", extract_mentions(everything, load_dictionary(ALIASES)))
        insert(con, "enrich.article_features", score_articles(everything))
        compiled.build(con, ["article_links", "article_context"])
        rows = con.execute("select article_id, entity_id, reason from marts.article_links "
                           "where article_id like 'synthetic-%'").fetchall()
    out: dict[str, set[tuple[str, str]]] = {}
    for article_id, entity_id, reason in rows:
        out.setdefault(article_id, set()).add((entity_id, reason))
    return out


def test_a_2018_article_naming_keen_sword_links_the_nearest_keen_sword(links):
    ids = {e for e, _ in links["synthetic-ks-2018"]}
    assert ("KS_19", "mentioned") in links["synthetic-ks-2018"]   # October 2018, 256 days after
    assert not ids & {"KS_17", "KS_2012", "KS_21"}                  # not 2016's (473 days before)


def test_a_2016_article_naming_keen_sword_links_the_2016_exercise(links):
    assert ("KS_17", "mentioned") in links["synthetic-ks-2016"]
    assert ("KS_17", "in_window") in links["synthetic-ks-2016"]
    assert not {e for e, _ in links["synthetic-ks-2016"]} & {"KS_19", "KS_2012"}


def test_steel_and_aluminum_tariffs_link_both_2018_actions(links):
    got = links["synthetic-232-2018"]
    assert {("SEC232_STEEL_2018", "mentioned"), ("SEC232_ALUMINUM_2018", "mentioned"),
            ("SEC232_STEEL_2018", "in_force"), ("SEC232_ALUMINUM_2018", "in_force")} <= got
    ids = {e for e, _ in got}
    # not the 2025 steel action, not the 50% raise, not the exemptions for other countries
    assert not ids & {"SEC232_STEEL_2025", "SEC232_ALUMINUM_2025", "SEC232_STEEL_ALUMINUM_50PCT_2025",
                      "SEC232_EXEMPTIONS_2018_03_22", "JPN_STEEL_TRQ_2022"}
