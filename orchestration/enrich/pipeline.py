"""Mentions and tone of many articles in one pass, the way the ``enrich_articles`` asset needs them.

Each article's sentences are split and scored once and shared by its mentions and its own tone;
computing the two tables separately (:func:`extract_mentions`, :func:`score_articles`) would split
every article twice and score many sentences twice.
"""

from __future__ import annotations

import polars as pl

from .dictionary import Dictionary
from .mentions import MENTION_SCHEMA, find_mentions
from .tone import TONE_SCHEMA, Sentences, tone_row


def enrich(articles: pl.DataFrame, dictionary: Dictionary) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(mentions as ``MENTION_SCHEMA``, tone rows as ``TONE_SCHEMA``) for ``articles``
    (article_id, body and optionally language), equal to ``extract_mentions`` and ``score_articles``."""
    langs = articles["language"] if "language" in articles.columns else [None] * articles.height
    mentions: list[dict] = []
    tones = []
    for article_id, body, lang in zip(articles["article_id"], articles["body"], langs):
        sentences = Sentences(body) if body else None
        mentions.extend(find_mentions(article_id, body, dictionary, lang, sentences))
        tones.append(tone_row(article_id, body, lang, sentences))
    return (pl.DataFrame(mentions, schema=MENTION_SCHEMA),
            pl.DataFrame(tones, schema=TONE_SCHEMA, orient="row"))
