"""The faster VADER (orchestration/enrich/vader.py) gives exactly the scores of vaderSentiment's own."""

from __future__ import annotations

from pathlib import Path

import pytest
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from orchestration.enrich.tone import split_sentences
from orchestration.enrich.vader import SentenceAnalyzer
from sources.rss.parse import decode_html, extract_body

ROOT = Path(__file__).resolve().parents[2]
ORIGINAL, FAST = SentimentIntensityAnalyzer(), SentenceAnalyzer()
EDGE_CASES = [
    "", "good", "not good", "I am not happy at all.", "It isn't great, but it is fine.", "never so good",
    "never this bad", "It was never so very good.", "without doubt great", "without any doubt, a fine deal",
    "He is least happy.", "at least happy", "very least happy", "Not bad but not good either.",
    "kind of nice", "sort of good", "The bomb was the bomb.", "GREAT news and BAD news", "no problem",
    "no good or bad", "nor good", "It cut the mustard.", "it's the shit", "very GOOD indeed!!!",
    "Why??? Terrible???", "Talks resumed 😁", "yeah right 😡!!!", "The summit was a success :)",
    "Japan welcomed the deal, but Korea rejected it.", "Hardly a threat; barely a success.",
    "Nobody doubted the alliance would strengthen.", "Don't ever say it isn't a good deal.",
]


def sample_sentences() -> list[str]:
    out = []
    for f in sorted((ROOT / "samples" / "commentary" / "pages").glob("*.html")):
        body = extract_body(decode_html(f.read_bytes(), "text/html")[0])
        out += [body[s:e] for s, e in split_sentences(body)]
    return out


def test_every_sample_sentence_scores_exactly_the_same():
    sentences = sample_sentences()
    assert len(sentences) > 500
    differ = [s for s in sentences if FAST.polarity_scores(s) != ORIGINAL.polarity_scores(s)]
    assert differ == []


@pytest.mark.parametrize("text", EDGE_CASES)
def test_negation_idiom_emoji_and_but_cases_score_the_same(text):
    assert FAST.polarity_scores(text) == ORIGINAL.polarity_scores(text)
