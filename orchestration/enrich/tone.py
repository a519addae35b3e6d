"""Sentences and tone.

Tone is VADER's compound score (-1 … +1). VADER is an approximate, lexicon-based measure built for
English social-media text: it counts sentiment-bearing words ("threat" -, "strengthen" +), knows no
irony or diplomatic register, and means nothing for other languages, so non-English text gets a
null tone rather than a misleading 0. Treat it as a coarse signal for trends, not a reading of one
article.

Scoring sentence by sentence is much faster than scoring a whole article as one string (VADER's
cost grows faster than linearly with length; STACK_NOTES.md: ~2.6 ms vs ~15 ms per 6 KB article).
VADER is still most of the enrichment's time (~250 µs a sentence), so :class:`Sentences` scores each
sentence of an article at most once (the article's tone and every mention's tone read the same
scores) and skips VADER for a sentence that has no lexicon word and no emoji: VADER gives such a
sentence exactly 0 (see :func:`_may_score_nonzero`). :mod:`.vader` runs VADER's own checks without
their redundant list building, with identical scores.
"""

from __future__ import annotations

import re
import string
from functools import lru_cache

import polars as pl

TONE_SCHEMA = pl.Schema({
    "article_id": pl.String,
    "tone": pl.Float64,
    "tone_label": pl.String,
    "sentence_count": pl.Int64,
    "word_count": pl.Int64,
})
NEUTRAL_BAND = 0.05  # VADER's customary thresholds

# Tokens followed by "." that do not end a sentence (lower case, without the dot).
_ABBREVIATIONS = frozenset("""
    mr mrs ms dr prof sr jr st gen lt col maj capt cmdr cdr adm sgt cpl pvt gov sen rep rev hon
    pres sec no nos vol art para fig inc ltd co corp dept est approx vs v cf al stat pub ch cl proc
    jan feb mar apr jun jul aug sep sept oct nov dec
""".split())
_CANDIDATE = re.compile(
    r"(?P<end>[.!?]+)[\"'”’)\]]*(?=\s+[\"'“‘(\[*]*[A-Z0-9])"  # . ! ? before a capital or digit
    r"|[。！？]+[」』）\"”]*"                                    # Japanese full stops
    r"|\n[^\S\n]*\n"                                            # blank line (paragraph)
    r"|\n(?=[^\S\n]*[*\"“]*[A-Z0-9])"                           # line break: only after a heading
)
_PREV_TOKEN = re.compile(r"(\S*)$")
_HAS_WORD = re.compile(r"\w")
_WORD = re.compile(r"\S*\w\S*")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
_OTHER_LETTER = re.compile(r"[^\W\d_A-Za-z\u00c0-\u024f]")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) spans of sentences in ``text``, whitespace trimmed.

    Fast and good enough: splits at . ! ? before a capital, at 。！？, at blank lines, and at a line
    break after a short heading-like line. A "." after an abbreviation ("U.S.", "D.C.", "Lt.",
    "No.", "Dec."), an initial ("J.") or an enumeration ("2." at a line start) does not split, so
    a sentence that really ends in "U.S." runs on into the next one.
    Hard-wrapped text (Federal Register, White House markdown) keeps its sentences whole.
    """
    spans: list[tuple[int, int]] = []
    limit = _heading_limit(text)
    start = 0
    for m in _CANDIDATE.finditer(text):
        g = m.group()
        if g[0] == "\n":
            if g.count("\n") == 1 and not _is_heading(text, m.start(), limit):
                continue
            cut = m.start()
        else:
            end = m.group("end")
            if end and end[-1] == "." and _no_break_before(text, m.start()):
                continue
            cut = m.end()
        _add(spans, text, start, cut)
        start = cut
    _add(spans, text, start, len(text))
    return spans


def is_english(text: str, language: str | None = None) -> bool:
    """The language column when known, else a script check (more Latin than other letters)."""
    if language:
        return language.lower().startswith("en")
    latin = len(_LATIN.findall(text))
    return latin > 0 and latin >= len(_OTHER_LETTER.findall(text))


def vader_compound(text: str) -> float:
    return _analyzer().polarity_scores(text)["compound"]


def tone_label(tone: float | None) -> str | None:
    if tone is None:
        return None
    if tone < -NEUTRAL_BAND:
        return "negative"
    return "positive" if tone > NEUTRAL_BAND else "neutral"


class Sentences:
    """One text's sentence spans and their VADER scores, each sentence scored at most once, on demand."""

    def __init__(self, text: str):
        self.text = text
        self.spans = split_sentences(text)
        self.starts = [s for s, _ in self.spans]
        self._tones: dict[int, float] = {}

    def tone(self, i: int) -> float:
        """VADER compound of sentence ``i`` scored alone."""
        if i not in self._tones:
            s, e = self.spans[i]
            self._tones[i] = sentence_tone(self.text[s:e])
        return self._tones[i]

    def mean_tone(self, first: int, last: int) -> float:
        """Mean of the sentence scores from ``first`` to ``last`` (inclusive)."""
        return sum(self.tone(i) for i in range(first, last + 1)) / (last - first + 1)


def sentence_tone(sentence: str) -> float:
    """VADER's compound score of one sentence; 0.0 straight away when VADER cannot score it non-zero."""
    return vader_compound(sentence) if _may_score_nonzero(sentence) else 0.0


def score_text(text: str | None, language: str | None = None,
               sentences: Sentences | None = None) -> tuple[float | None, int, int]:
    """(mean VADER compound over sentences or None, sentence count, word count).

    ``sentences`` lets a caller that also needs the sentence scores (mentions) share them.
    """
    if not text:
        return None, 0, 0
    sentences = sentences or Sentences(text)
    n = len(sentences.spans)
    words = len(_WORD.findall(text))  # whitespace-delimited tokens: not meaningful for Japanese
    if not n or not is_english(text, language):
        return None, n, words
    return sentences.mean_tone(0, n - 1), n, words


def score_articles(articles: pl.DataFrame) -> pl.DataFrame:
    """One row per article: ``TONE_SCHEMA`` (article_id, tone, tone_label, sentence_count, word_count).

    ``articles`` needs article_id and body; an optional ``language`` column (ISO 639-1) decides
    whether the text is English, otherwise the script does. VADER is approximate, lexicon-based
    and English-only: non-English articles (and empty bodies) get a null tone and tone_label.
    """
    langs = articles["language"] if "language" in articles.columns else [None] * articles.height
    rows = [tone_row(a, body, lang) for a, body, lang in zip(articles["article_id"], articles["body"], langs)]
    return pl.DataFrame(rows, schema=TONE_SCHEMA, orient="row")


def tone_row(article_id: str, body: str | None, language: str | None,
             sentences: Sentences | None = None) -> tuple[str, float | None, str | None, int, int]:
    """One ``TONE_SCHEMA`` row."""
    tone, n_sent, n_words = score_text(body, language, sentences)
    return article_id, tone, tone_label(tone), n_sent, n_words


@lru_cache(maxsize=1)
def _analyzer():
    from .vader import SentenceAnalyzer  # loads VADER's lexicon once

    return SentenceAnalyzer()


def _may_score_nonzero(sentence: str) -> bool:
    """False only when VADER's compound is exactly 0: no emoji and no token in its lexicon.

    Mirrors vaderSentiment 3.3's ``polarity_scores``: it replaces single-character emojis by their
    descriptions, splits on whitespace, strips punctuation from each token unless that leaves two
    characters or fewer (``SentiText._strip_punc_if_word``), and only a token whose lower case is in
    ``lexicon`` gets a valence; boosters, negations and "but" only scale valences, and
    ``normalize(0)`` is 0. So without an emoji and a lexicon token every valence, and the compound, is 0.
    """
    analyzer = _analyzer()
    if not analyzer.emoji_chars.isdisjoint(sentence):
        return True
    lexicon = analyzer.lexicon
    for token in sentence.split():
        stripped = token.strip(string.punctuation)
        if (stripped if len(stripped) > 2 else token).lower() in lexicon:
            return True
    return False


def _add(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start and _HAS_WORD.search(text, start, end):
        spans.append((start, end))


def _no_break_before(text: str, dot: int) -> bool:
    token = _PREV_TOKEN.search(text, max(0, dot - 40), dot).group(1).lstrip("([\"'“‘*")
    if not token:
        return False
    if "." in token or token.lower() in _ABBREVIATIONS:
        return True                                   # U.S. / D.C. / e.g. / Lt. / No.
    if len(token) == 1 and token.isupper():
        return True                                   # an initial: Joseph R. Biden
    if token.isdigit() and len(token) <= 3:           # "2." opening a numbered paragraph
        line_start = text.rfind("\n", 0, dot) + 1
        return not text[line_start:dot - len(token)].strip()
    return False


def _heading_limit(text: str) -> float:
    """A line shorter than 65% of the usual (90th percentile) line length may be a heading."""
    lengths = sorted(len(line.strip()) for line in text.split("\n") if line.strip())
    if len(lengths) < 5:
        return 0.0
    return 0.65 * lengths[int(0.9 * (len(lengths) - 1))]


def _is_heading(text: str, newline: int, limit: float) -> bool:
    line = text[text.rfind("\n", 0, newline) + 1:newline].strip()
    if not line or len(line) > limit or line[-1] in ",;:-(":
        return False
    last = line.split()[-1].strip("*_()[]<>/\"'“”‘’")
    return bool(last) and (last[0].isupper() or last[0].isdigit())
