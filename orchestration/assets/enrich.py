"""Entity mentions and tone for every article: the Python step between raw.articles and dbt.

Matching (Aho–Corasick over ``seeds/entity_aliases.csv``) and tone (VADER) are pure functions in
:mod:`orchestration.enrich`; this asset reads the articles and keeps the two tables that the dbt
models resolve into links.

Incremental, because VADER makes enrichment the slow half of a refresh: an article is enriched
again only when it is new or its page payload (``payload_sha256``) changed. Everything is
recomputed when the enrichment fingerprint changes (the alias file's bytes or
``ENRICHMENT_VERSION``), on a full refresh, and when the tables predate the fingerprint. Rows of
re-enriched articles, and of articles no longer in raw.articles, are replaced in one transaction,
so the two tables always describe the same articles and equal what a from-scratch run writes.
"""

import hashlib
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl
from dagster import AssetExecutionContext, AssetKey, AssetSpec, MaterializeResult, MetadataValue, multi_asset

from orchestration.assets.ingest import FULL_REFRESH_TAG
from orchestration.enrich import enrich, load_dictionary
from orchestration.lib.config import PROJECT_ROOT
from orchestration.lib.crashpoints import crash_point
from orchestration.lib.resources import WarehouseResource
from orchestration.lib.warehouse import Warehouse

ALIASES = PROJECT_ROOT / "seeds" / "entity_aliases.csv"
MENTIONS_KEY = AssetKey(["enrich", "article_mentions"])
FEATURES_KEY = AssetKey(["enrich", "article_features"])
# Bump when what the enrichment code computes changes: stored rows then no longer match the code.
ENRICHMENT_VERSION = "2"  # 2: a mention's tone is the mean of its context's sentence scores


@dataclass(frozen=True)
class EnrichStats:
    articles: int        # in raw.articles
    enriched: int        # (re)computed in this run
    removed: int         # enriched before, no longer in raw.articles
    full: bool           # everything was recomputed
    mentions: int        # rows in enrich.article_mentions afterwards
    features: int        # rows in enrich.article_features afterwards
    mean_tone: float | None
    by_entity_type: dict[str, int]


def fingerprint(aliases: Path = ALIASES) -> str:
    """sha256 of what enrichment depends on besides the article: the alias file and the code version."""
    return hashlib.sha256(ENRICHMENT_VERSION.encode() + b"\0" + Path(aliases).read_bytes()).hexdigest()


def refresh_enrichment(wh: Warehouse, aliases: Path = ALIASES, *, full: bool = False) -> EnrichStats:
    """Enrich the new and changed articles (all of them when ``full`` or the fingerprint changed)
    and merge them into ``enrich.article_mentions`` / ``enrich.article_features``."""
    fp = fingerprint(aliases)
    with wh.connect(read_only=True) as con:
        full = full or not _up_to_date(con, fp)
        changed = "" if full else """where not exists (select 1 from enrich.article_features f
                                     where f.article_id = a.article_id and f.payload_sha256 = a.payload_sha256)"""
        todo = con.sql(f"select article_id, body, language, payload_sha256 from raw.articles a {changed} "
                       "order by article_id").pl()
        total = con.execute("select count(*) from raw.articles").fetchall()[0][0]
    mentions, tones = enrich(todo, load_dictionary(aliases))
    features = tones.with_columns(payload_sha256=todo["payload_sha256"], enrichment_sha256=pl.lit(fp))
    removed = _merge(wh, mentions, features, full=full)
    with wh.connect(read_only=True) as con:
        n_mentions = con.execute("select count(*) from enrich.article_mentions").fetchall()[0][0]
        n_features, mean_tone = con.execute("select count(*), avg(tone) from enrich.article_features").fetchall()[0]
        per_type = con.execute("select entity_type, count(*) from enrich.article_mentions "
                               "group by entity_type order by entity_type").fetchall()
    return EnrichStats(articles=total, enriched=todo.height, removed=removed, full=full, mentions=n_mentions,
                       features=n_features, mean_tone=mean_tone, by_entity_type=dict(per_type))


def _up_to_date(con: duckdb.DuckDBPyConnection, fp: str) -> bool:
    """Both tables exist, carry the fingerprint column, and every row has the current fingerprint."""
    cols = con.execute("select table_name, column_name from information_schema.columns where table_schema = 'enrich' "
                       "and table_name in ('article_features', 'article_mentions')").fetchall()
    names = {t for t, _ in cols}
    if names != {"article_features", "article_mentions"} or ("article_features", "enrichment_sha256") not in cols:
        return False
    stale = con.execute("select count(*) from enrich.article_features where enrichment_sha256 is distinct from ?",
                        [fp]).fetchall()[0][0]
    return stale == 0


def _merge(wh: Warehouse, mentions: pl.DataFrame, features: pl.DataFrame, *, full: bool) -> int:
    """Write both tables in one transaction; returns how many articles' rows were dropped as gone."""
    gone = "not exists (select 1 from raw.articles a where a.article_id = t.article_id)"
    redo = "t.article_id in (select article_id from new_features)"
    with wh.connect() as con:
        con.execute("create schema if not exists enrich")
        con.register("new_mentions", mentions.to_arrow())
        con.register("new_features", features.to_arrow())
        con.execute("begin transaction")
        try:
            removed = 0
            for table, new in (("article_mentions", "new_mentions"), ("article_features", "new_features")):
                if full:
                    con.execute(f"create or replace table enrich.{table} as select * from {new}")
                else:
                    if table == "article_features":
                        removed = con.execute(f"select count(*) from enrich.{table} t where {gone}").fetchall()[0][0]
                    con.execute(f"delete from enrich.{table} t where {redo} or {gone}")
                    con.execute(f"insert into enrich.{table} by name select * from {new}")
                crash_point("replace")
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
        finally:
            con.unregister("new_mentions")
            con.unregister("new_features")
    return removed


@multi_asset(
    specs=[
        AssetSpec(MENTIONS_KEY, deps=[AssetKey(["raw", "articles"])], group_name="enrich", kinds={"python", "duckdb"},
                  description="Every entity alias found in every article body, with the sentences around it "
                              "and their tone. Dictionary: seeds/entity_aliases.csv."),
        AssetSpec(FEATURES_KEY, deps=[AssetKey(["raw", "articles"])], group_name="enrich", kinds={"python", "duckdb"},
                  description="Per-article tone (VADER compound, approximate, English only) and text size."),
    ],
    pool="duckdb",
    name="enrich_articles",
)
def enrich_articles(context: AssetExecutionContext, warehouse: WarehouseResource):
    full = warehouse.full_refresh or context.run.tags.get(FULL_REFRESH_TAG) == "true"
    stats = refresh_enrichment(warehouse.handle(), full=full)
    scope = "all" if stats.full else "new or changed"
    context.log.info(f"enriched {stats.enriched} of {stats.articles} articles ({scope}), dropped {stats.removed} "
                     f"no longer in raw.articles; {stats.mentions} mentions")
    yield MaterializeResult(asset_key=MENTIONS_KEY, metadata={
        "row_count": stats.mentions, "articles": stats.articles, "articles_enriched": stats.enriched,
        "articles_removed": stats.removed, "by_entity_type": MetadataValue.json(stats.by_entity_type)})
    yield MaterializeResult(asset_key=FEATURES_KEY, metadata={
        "row_count": stats.features, "mean_tone": MetadataValue.float(
            float(stats.mean_tone) if stats.mean_tone is not None else float("nan"))})
