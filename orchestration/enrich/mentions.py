"""Entity mentions: every dictionary alias found in an article, with its context and tone.

One row per mention (``MENTION_SCHEMA``). Offsets are 0-based Unicode code-point offsets into
``raw.articles.body``, end exclusive (in DuckDB: ``substring(body, start_char + 1, end_char -
start_char)``). ``context`` is the sentence holding the mention plus one neighbouring sentence on
each side, whitespace collapsed: downstream models read it to tell steel from aluminum from autos
for a "Section 232" mention, so it stays short: when the three sentences exceed
``MAX_CONTEXT_CHARS`` only the mention's own sentence is kept, and a text without usable sentence
breaks gets a window of that size around the mention. ``tone`` is the mean of the VADER compound
scores of the sentences the context was taken from, each sentence scored alone (the scores the
article's own tone averages, so each sentence is scored once per article); null for non-English
text (see tone.py for what VADER can and cannot tell).

Resolving a mention to concrete records (which tariff action, which exercise year) is left to the
dbt models: record_table/record_match say where to look, the article date and context decide.
"""

from __future__ import annotations

from bisect import bisect_right

import polars as pl

from .dictionary import Dictionary
from .tone import Sentences, is_english

MENTION_SCHEMA = pl.Schema({
    "article_id": pl.String,
    "mention_id": pl.String,
    "entity_type": pl.String,
    "entity_key": pl.String,
    "record_table": pl.String,
    "record_match": pl.String,
    "topic": pl.String,
    "alias": pl.String,
    "matched_text": pl.String,
    "start_char": pl.Int64,
    "end_char": pl.Int64,
    "context": pl.String,
    "tone": pl.Float64,
})
MAX_CONTEXT_CHARS = 1000


def find_mentions(article_id: str, text: str | None, dictionary: Dictionary,
                  language: str | None = None, sentences: Sentences | None = None) -> list[dict]:
    """Mentions in one text, in text order, as dicts keyed like ``MENTION_SCHEMA``.

    ``language`` (ISO 639-1) says whether tone applies; when None the script of each context
    decides. ``sentences`` (of this same text) shares sentence scores with the article's tone.
    """
    if not text:
        return []
    matches = dictionary.match(text)
    if not matches:
        return []
    sentences = sentences or Sentences(text)
    out = []
    for m in matches:
        context, first, last = _context(text, sentences, m.start, m.end)
        tone = None
        if first is not None and is_english(context, language):
            tone = sentences.mean_tone(first, last)
        a = m.alias
        out.append({
            "article_id": article_id,
            "mention_id": f"{article_id}:{m.start}",
            "entity_type": a.entity_type,
            "entity_key": a.entity_key,
            "record_table": a.record_table,
            "record_match": a.record_match,
            "topic": a.topic,
            "alias": a.alias,
            "matched_text": text[m.start:m.end],
            "start_char": m.start,
            "end_char": m.end,
            "context": context,
            "tone": tone,
        })
    return out


def extract_mentions(articles: pl.DataFrame, dictionary: Dictionary) -> pl.DataFrame:
    """Mentions for every article (needs article_id, body; uses language when present)."""
    langs = articles["language"] if "language" in articles.columns else [None] * articles.height
    rows: list[dict] = []
    for article_id, body, lang in zip(articles["article_id"], articles["body"], langs):
        rows.extend(find_mentions(article_id, body, dictionary, lang))
    return pl.DataFrame(rows, schema=MENTION_SCHEMA)


def _context(text: str, sentences: Sentences, start: int, end: int) -> tuple[str, int | None, int | None]:
    """(context, first and last sentence it was taken from): sentence ± 1; just the sentence if that
    is too long; a window of the sentence (or of the text, without sentences) if even that is."""
    spans = sentences.spans
    first = last = None
    if spans:
        i = max(bisect_right(sentences.starts, start) - 1, 0)
        first, last = max(i - 1, 0), min(i + 1, len(spans) - 1)
        lo, hi = spans[first][0], spans[last][1]
        if hi - lo > MAX_CONTEXT_CHARS:
            first = last = i
            lo, hi = spans[i]
        lo, hi = min(lo, start), max(hi, end)
    else:
        lo, hi = 0, len(text)
    if hi - lo > MAX_CONTEXT_CHARS:
        half = max((MAX_CONTEXT_CHARS - (end - start)) // 2, 0)
        lo, hi = max(lo, start - half), min(hi, end + half)
    return " ".join(text[lo:hi].split()), first, last
