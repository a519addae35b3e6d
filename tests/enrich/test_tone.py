"""Tone (VADER, sentence by sentence) and the sentence splitter it relies on."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from orchestration.enrich import TONE_SCHEMA, score_articles, split_sentences
from orchestration.enrich.tone import score_text, tone_label, vader_compound
from sources.rss.parse import decode_html, extract_body

PAGES = Path(__file__).resolve().parents[2] / "samples" / "commentary" / "pages"


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


def test_positive_sentence_scores_above_negative_one():
    positive = "The summit was a tremendous success that strengthened a close and trusted friendship."
    negative = "The reckless missile launch was a dangerous threat and a terrible provocation."
    assert vader_compound(positive) > 0.05 > -0.05 > vader_compound(negative)
    assert score_text(positive)[0] > score_text(negative)[0]


def test_labels():
    assert [tone_label(t) for t in (-0.5, -0.05, 0.0, 0.05, 0.5, None)] == [
        "negative", "neutral", "neutral", "neutral", "positive", None]


def test_score_articles_schema_and_values():
    articles = pl.DataFrame({
        "article_id": ["good", "bad", "ja", "empty", "ja_unlabelled"],
        "body": ["What a wonderful, friendly meeting. Both sides were delighted.",
                 "A terrible failure. The talks collapsed in anger and mistrust.",
                 "日本は懸念を表明した。米国は歓迎した。",
                 "",
                 "日本は懸念を表明した。"],
        "language": ["en", "en", "ja", "en", None],
    })
    out = score_articles(articles)
    assert out.schema == TONE_SCHEMA
    assert list(out.columns) == ["article_id", "tone", "tone_label", "sentence_count", "word_count"]
    rows = {r["article_id"]: r for r in out.iter_rows(named=True)}
    assert rows["good"]["tone_label"] == "positive" and rows["bad"]["tone_label"] == "negative"
    assert (rows["good"]["sentence_count"], rows["good"]["word_count"]) == (2, 9)
    assert rows["ja"]["tone"] is None and rows["ja"]["tone_label"] is None and rows["ja"]["sentence_count"] == 2
    assert rows["ja_unlabelled"]["tone"] is None  # no language: the script decides
    assert (rows["empty"]["tone"], rows["empty"]["sentence_count"], rows["empty"]["word_count"]) == (None, 0, 0)


def test_score_articles_without_language_column():
    out = score_articles(pl.DataFrame({"article_id": ["a"], "body": ["A fine and pleasant day."]}))
    assert out.schema == TONE_SCHEMA and out["tone"][0] > 0


def test_abbreviations_do_not_split():
    text = ("The U.S. and Japan met in Washington, D.C. on Monday. Lt. Gen. Kevin Schneider spoke. "
            "President Joseph R. Biden, Jr. and Prime Minister Kishida agreed. No. 51 was cited.")
    assert sentences(text) == [
        "The U.S. and Japan met in Washington, D.C. on Monday.",
        "Lt. Gen. Kevin Schneider spoke.",
        "President Joseph R. Biden, Jr. and Prime Minister Kishida agreed.",
        "No. 51 was cited.",
    ]


def test_line_breaks_paragraphs_and_japanese():
    wrapped = ("The two leaders affirmed that Article V of the Treaty applies to the Senkaku\n"
               "Islands. They oppose any unilateral action.\n\nNew paragraph without a stop\n\n"
               "日本は懸念を表明した。米国は歓迎した！")
    assert sentences(wrapped) == [
        "The two leaders affirmed that Article V of the Treaty applies to the Senkaku\nIslands.",
        "They oppose any unilateral action.",
        "New paragraph without a stop",
        "日本は懸念を表明した。",
        "米国は歓迎した！",
    ]


def test_numbered_paragraphs_stay_whole():
    text = "as amended (19 U.S.C.\n1862).\n2. The Secretary found that imports\nthreaten security."
    assert sentences(text) == ["as amended (19 U.S.C.\n1862).", "2. The Secretary found that imports\nthreaten security."]


def test_sample_documents_all_get_a_tone():
    files = sorted(PAGES.glob("*.html"))
    assert len(files) == 21
    out = score_articles(pl.DataFrame({
        "article_id": [f.stem for f in files],
        "body": [extract_body(decode_html(f.read_bytes(), "text/html")[0]) for f in files],
        "language": ["en"] * len(files),
    }))
    assert out["tone"].null_count() == 0
    assert out["sentence_count"].min() > 0 and out["word_count"].min() > 100
    assert set(out["tone_label"]) <= {"negative", "neutral", "positive"}
