"""VADER (vaderSentiment 3.3.2) with its per-word checks made cheap; every score unchanged.

VADER is most of the enrichment's time. For every lexicon word it lower-cases the whole sentence
again, up to four times (the negation check for each of the three preceding words, then the idiom
check), tests a candidate negation against its 59-word list one item at a time, and copies the
sentence character by character to replace emojis even when there are none. These overrides read
only the words the checks look at, at the same indices, with the same tests in the same order, so
the scores are identical (``tests/enrich/test_vader.py`` compares both on every sentence of the
sample pages and on edge cases). Code adapted from vaderSentiment (MIT licence, C.J. Hutto).
"""

from __future__ import annotations

from vaderSentiment.vaderSentiment import (
    BOOSTER_DICT,
    N_SCALAR,
    NEGATE,
    SPECIAL_CASES,
    SentimentIntensityAnalyzer,
    SentiText,
)

_NEGATE = frozenset(NEGATE)


class SentenceAnalyzer(SentimentIntensityAnalyzer):
    """``polarity_scores`` as VADER computes it, in about half the time."""

    def __init__(self):
        super().__init__()
        self.emoji_chars = frozenset(e for e in self.emojis if len(e) == 1)  # the loop only sees single chars

    def polarity_scores(self, text):
        if not self.emoji_chars.isdisjoint(text):
            return super().polarity_scores(text)
        text = text.strip()  # without emojis VADER's copy of the text is the text
        sentitext = SentiText(text)
        sentiments = []
        words = sentitext.words_and_emoticons
        for i, item in enumerate(words):
            lower = item.lower()
            if lower in BOOSTER_DICT or (i < len(words) - 1 and lower == "kind" and words[i + 1].lower() == "of"):
                sentiments.append(0)
                continue
            sentiments = self.sentiment_valence(0, sentitext, item, i, sentiments)
        sentiments = self._but_check(words, sentiments)
        return self.score_valence(sentiments, text)

    @staticmethod
    def _negation_check(valence, words_and_emoticons, start_i, i):
        def low(k: int) -> str:
            return str(words_and_emoticons[k]).lower()

        if start_i == 0:
            if _negated(low(i - 1)):
                valence = valence * N_SCALAR
        if start_i == 1:
            if low(i - 2) == "never" and (low(i - 1) == "so" or low(i - 1) == "this"):
                valence = valence * 1.25
            elif low(i - 2) == "without" and low(i - 1) == "doubt":
                pass
            elif _negated(low(i - 2)):
                valence = valence * N_SCALAR
        if start_i == 2:
            if low(i - 3) == "never" and (low(i - 2) == "so" or low(i - 2) == "this") or \
                    (low(i - 1) == "so" or low(i - 1) == "this"):
                valence = valence * 1.25
            elif low(i - 3) == "without" and (low(i - 2) == "doubt" or low(i - 1) == "doubt"):
                pass
            elif _negated(low(i - 3)):
                valence = valence * N_SCALAR
        return valence

    @staticmethod
    def _special_idioms_check(valence, words_and_emoticons, i):
        w = [str(words_and_emoticons[k]).lower() for k in (i - 3, i - 2, i - 1, i)]  # w[3] is word i
        onezero, twoonezero = f"{w[2]} {w[3]}", f"{w[1]} {w[2]} {w[3]}"
        twoone, threetwoone, threetwo = f"{w[1]} {w[2]}", f"{w[0]} {w[1]} {w[2]}", f"{w[0]} {w[1]}"
        for seq in (onezero, twoonezero, twoone, threetwoone, threetwo):
            if seq in SPECIAL_CASES:
                valence = SPECIAL_CASES[seq]
                break
        n = len(words_and_emoticons)
        if n - 1 > i:
            zeroone = f"{w[3]} {str(words_and_emoticons[i + 1]).lower()}"
            if zeroone in SPECIAL_CASES:
                valence = SPECIAL_CASES[zeroone]
        if n - 1 > i + 1:
            zeroonetwo = (f"{w[3]} {str(words_and_emoticons[i + 1]).lower()} "
                          f"{str(words_and_emoticons[i + 2]).lower()}")
            if zeroonetwo in SPECIAL_CASES:
                valence = SPECIAL_CASES[zeroonetwo]
        for n_gram in (threetwoone, threetwo, twoone):
            if n_gram in BOOSTER_DICT:
                valence = valence + BOOSTER_DICT[n_gram]
        return valence


def _negated(word: str) -> bool:
    """``vaderSentiment.negated([word])`` for one lower-case word."""
    return word in _NEGATE or "n't" in word
