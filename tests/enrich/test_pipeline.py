"""One pass per article (orchestration.enrich.enrich): same tables as the two separate functions,
a mention's tone is the mean of its context's sentence scores, and skipping VADER is exact."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from orchestration.enrich import enrich, extract_mentions, find_mentions, load_dictionary, score_articles
from orchestration.enrich.tone import _may_score_nonzero, split_sentences, vader_compound
from sources.rss.parse import decode_html, extract_body

ROOT = Path(__file__).resolve().parents[2]
DICT = load_dictionary(ROOT / "seeds" / "entity_aliases.csv")
BODIES = [extract_body(decode_html(f.read_bytes(), "text/html")[0])
          for f in sorted((ROOT / "samples" / "commentary" / "pages").glob("*.html"))]


def test_vader_is_skipped_only_where_it_scores_exactly_zero():
    sentences = [b[s:e] for b in BODIES for s, e in split_sentences(b)]
    skipped = [s for s in sentences if not _may_score_nonzero(s)]
    assert 0 < len(skipped) < len(sentences)
    assert {vader_compound(s) for s in skipped} == {0.0}


@pytest.mark.parametrize("sentence", ["Talks resumed 😁", "It was NOT good!!!", "no, not bad :)", "Kind of great."])
def test_emoji_and_lexicon_tokens_are_scored(sentence):
    assert _may_score_nonzero(sentence) and vader_compound(sentence) != 0.0


def test_enrich_equals_the_separate_functions_on_the_sample():
    articles = pl.DataFrame({"article_id": [f"p{i}" for i in range(len(BODIES))], "body": BODIES,
                             "language": ["en"] * len(BODIES)})
    mentions, tones = enrich(articles, DICT)
    assert mentions.height > 100
    assert mentions.equals(extract_mentions(articles, DICT))
    assert tones.equals(score_articles(articles))


def test_mention_tone_is_the_mean_of_its_context_sentences():
    sentences = ["The weather was terrible.", "Japan welcomed a wonderful summit.", "Officials met.",
                 "Nothing else happened."]
    text = " ".join(sentences)
    (m,) = find_mentions("t", text, DICT, "en")
    assert m["context"] == " ".join(sentences[:3])
    assert m["tone"] == pytest.approx(sum(vader_compound(s) for s in sentences[:3]) / 3)
