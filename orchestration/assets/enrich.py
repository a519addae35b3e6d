"""Entity mentions and tone for every article: the Python step between raw.articles and dbt.

Matching (Aho–Corasick over ``seeds/entity_aliases.csv``) and tone (VADER) are pure functions in
:mod:`orchestration.enrich`; this asset only reads the articles and writes the two tables that the
dbt models resolve into links.
"""


from dagster import AssetExecutionContext, AssetKey, AssetSpec, MaterializeResult, MetadataValue, multi_asset

from orchestration.enrich import extract_mentions, load_dictionary, score_articles
from orchestration.lib.config import PROJECT_ROOT
from orchestration.lib.resources import WarehouseResource

ALIASES = PROJECT_ROOT / "seeds" / "entity_aliases.csv"
MENTIONS_KEY = AssetKey(["enrich", "article_mentions"])
FEATURES_KEY = AssetKey(["enrich", "article_features"])


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
    wh = warehouse.handle()
    with wh.connect(read_only=True) as con:
        articles = con.sql("select article_id, body, language from raw.articles order by article_id").pl()
    dictionary = load_dictionary(ALIASES)
    mentions = extract_mentions(articles, dictionary)
    features = score_articles(articles)
    wh.replace_table("enrich", "article_mentions", mentions)
    wh.replace_table("enrich", "article_features", features)
    per_type = (mentions.group_by("entity_type").len().sort("entity_type").to_dicts() if mentions.height else [])
    context.log.info(f"{mentions.height} mentions in {articles.height} articles")
    yield MaterializeResult(asset_key=MENTIONS_KEY, metadata={
        "row_count": mentions.height, "articles": articles.height,
        "by_entity_type": MetadataValue.json({d["entity_type"]: d["len"] for d in per_type})})
    mean_tone = features["tone"].mean() if features.height else None
    yield MaterializeResult(asset_key=FEATURES_KEY, metadata={
        "row_count": features.height, "mean_tone": MetadataValue.float(float(mean_tone) if mean_tone is not None else float("nan"))})
