"""Pure enrichment of raw.articles: entity mentions (Aho–Corasick over seeds/entity_aliases.csv)
and tone (VADER). No I/O beyond reading the dictionary file; the Dagster asset owns the tables.
"""

from .dictionary import Alias, Dictionary, build_dictionary, load_dictionary
from .mentions import MENTION_SCHEMA, extract_mentions, find_mentions
from .pipeline import enrich
from .tone import TONE_SCHEMA, score_articles, split_sentences

__all__ = [
    "Alias", "Dictionary", "MENTION_SCHEMA", "TONE_SCHEMA", "build_dictionary", "enrich", "extract_mentions",
    "find_mentions", "load_dictionary", "score_articles", "split_sentences",
]
