"""Entity mentions: the seed article's acceptance case, hand-checked sample documents, the matching
rules (case, word boundaries, longest match), the output contract, and a property test on offsets."""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orchestration.enrich import (
    MENTION_SCHEMA,
    build_dictionary,
    extract_mentions,
    find_mentions,
    load_dictionary,
)
from orchestration.enrich.dictionary import COLUMNS, normalise
from sources.rss.parse import decode_html, extract_body

ROOT = Path(__file__).resolve().parents[2]
PAGES = ROOT / "samples" / "commentary" / "pages"
REFERENCE = ROOT / "samples" / "reference"

DICT = load_dictionary(ROOT / "seeds" / "entity_aliases.csv")
BY_ALIAS = {a.alias: a for a in DICT.aliases}


def keys(text: str) -> set[tuple[str, str]]:
    return {(m["entity_type"], m["entity_key"]) for m in find_mentions("t", text, DICT)}


def read(name: str) -> str:
    """The text the warehouse stores for a sample page: the rss plugin's own extraction of it."""
    html, _ = decode_html((PAGES / name).with_suffix(".html").read_bytes(), "text/html")
    body = extract_body(html)
    assert body, f"no text extracted from {name}"
    return body


SEED = "eastwest_2018-07-26_us-japan-relations.html"


# --- the seed article (README: "what a correct warehouse must find in it") ----------------------

def test_seed_article_mentions():
    found = keys(read(SEED))
    assert {
        ("agreement", "JPN_EU_EPA_2019"), ("agreement", "US_TPP_WITHDRAWAL_2017"), ("agreement", "CPTPP_2018"),
        ("exercise_series", "Ulchi Freedom Guardian"),
        ("place", "senkaku_islands"), ("place", "east_china_sea"), ("place", "korean_peninsula"),
        ("place", "tokyo"), ("place", "washington"), ("place", "pyongyang"), ("place", "singapore"),
        ("person", "shinzo_abe"), ("person", "donald_trump"), ("person", "kim_jong_un"),
        ("country", "JPN"), ("country", "USA"), ("country", "CHN"), ("country", "PRK"), ("country", "EUU"),
    } <= found
    assert ("exercise_series", "Keen Sword") not in found
    assert ("agreement", "USJTA_2020") not in found


def test_seed_article_tpp11_is_cptpp_and_records_resolve():
    ms = find_mentions("seed", read(SEED), DICT)
    tpp11 = [m for m in ms if m["matched_text"] == "TPP-11"]
    assert [m["entity_key"] for m in tpp11] == ["CPTPP_2018"]
    ufg = next(m for m in ms if m["entity_key"] == "Ulchi Freedom Guardian")
    assert (ufg["record_table"], ufg["record_match"]) == ("exercises", "Ulchi Freedom Guardian")
    assert "cancellation" in ufg["context"]
    epa = next(m for m in ms if m["entity_key"] == "JPN_EU_EPA_2019")
    assert (epa["record_table"], epa["record_match"]) == ("tariff_actions", "JPN_EU_EPA_2019")


# --- hand-checked sample documents: expected mentions and tempting wrong ones ---------------------

DOCS = [
    ("2020-11-05_indopacom-keen-sword-21-enhances-us-japan-alliance",
     {("exercise_series", "Keen Sword"), ("place", "okinawa"), ("organization", "indopacom"), ("country", "JPN")},
     {("exercise_series", "Keen Edge"), ("organization", "jmsdf")}),
    ("2018-03-15_proclamation-9705-adjusting-imports-of-steel",
     {("instrument", "section_232"), ("country", "USA")},
     {("country", "JPN"), ("instrument", "section_201"), ("agreement", "USJTA_2020")}),  # excerpt never names Japan
    ("2025-09-04_eo-implementing-the-united-states-japan-agreement",
     {("country", "JPN"), ("instrument", "section_232"), ("instrument", "reciprocal_tariff"), ("instrument", "ieepa")},
     {("instrument", "section_301"),   # "section 301 of title 3, United States Code" is not the trade statute
      ("agreement", "USJTA_2020")}),   # "United States-Japan trade relations" is not the 2019 agreement
    ("2018-06-18_dod-halts-planning-ulchi-freedom-guardian",
     {("exercise_series", "Ulchi Freedom Guardian"), ("country", "PRK"), ("country", "KOR"),
      ("place", "korean_peninsula"), ("person", "dana_white"), ("person", "donald_trump")},
     {("exercise_series", "Key Resolve"), ("exercise_series", "Foal Eagle"), ("country", "JPN")}),
    ("2017-01-23_memorandum-withdrawal-from-tpp",
     {("agreement", "US_TPP_WITHDRAWAL_2017"), ("organization", "ustr")},
     {("agreement", "CPTPP_2018")}),
    ("2018-09-26_joint-statement-united-states-japan-trade-negotiations",
     {("agreement", "USJTA_2020"), ("person", "shinzo_abe"), ("person", "donald_trump")},
     {("instrument", "reciprocal_tariff")}),  # "reciprocal trade" is not the 2025 reciprocal tariff
    ("2019-03-02_dod-readout-jeong-shanahan-conclude-key-resolve-foal-eagle",
     {("exercise_series", "Key Resolve"), ("exercise_series", "Foal Eagle"), ("person", "kim_jong_un"),
      ("person", "patrick_shanahan"), ("country", "PRK")},
     {("exercise_series", "Ulchi Freedom Guardian")}),
    ("2017-02-10_joint-statement-trump-abe",
     {("place", "senkaku_islands"), ("place", "east_china_sea"), ("agreement", "us_japan_security_treaty"),
      ("place", "futenma")},
     {("country", "CHN")}),  # only "East China Sea": the place, not China
    ("2019-12-20_crs-r46140-stage-one-us-japan-trade-agreements",
     {("agreement", "USJTA_2020"), ("agreement", "us_japan_digital_trade_agreement"),
      ("instrument", "tariff_rate_quota")},
     {("instrument", "section_232")}),
    ("2019-12-30_proclamation-9974-agoa-and-us-japan-trade-agreement",
     {("country", "USA")},
     {("agreement", "USJTA_2020")}),  # the stored excerpt covers only the AGOA paragraphs
    ("2016-06-13_indopacom-three-navies-converge-on-sasebo-for-malabar-2016",
     {("exercise_series", "Malabar"), ("country", "IND"), ("organization", "jmsdf"), ("place", "sasebo")},
     {("exercise_series", "RIMPAC")}),
]


@pytest.mark.parametrize("name, expected, absent", DOCS, ids=[d[0][:24] for d in DOCS])
def test_sample_documents(name, expected, absent):
    found = keys(read(name))
    assert expected <= found, expected - found
    assert not absent & found, absent & found


def test_section_232_context_names_the_product():
    ms = find_mentions("p9705", read("2018-03-15_proclamation-9705-adjusting-imports-of-steel"), DICT)
    s232 = [m for m in ms if m["entity_key"] == "section_232"]
    assert s232 and all("steel" in m["context"].lower() for m in s232)
    assert all(len(m["context"]) <= 1000 for m in ms)


def test_line_breaks_and_curly_apostrophes_inside_aliases():
    # the page's own curly apostrophe, and a line break where hard-wrapped text (Federal Register) has them
    text = read("2022-10-03_nsc-statement-dprk-ballistic-missile-over-japan").replace(
        "People’s Republic of Korea", "People’s Republic\nof Korea")
    prk = [m for m in find_mentions("nsc", text, DICT) if m["entity_key"] == "PRK"]
    long_form = [m for m in prk if m["alias"] == "Democratic People's Republic of Korea"]
    assert long_form and "\n" in long_form[0]["matched_text"] and "’" in long_form[0]["matched_text"]
    assert text[long_form[0]["start_char"]:long_form[0]["end_char"]] == long_form[0]["matched_text"]


# --- matching rules ---------------------------------------------------------------------------

def test_cptpp_does_not_produce_tpp():
    found = keys("Japan ratified the CPTPP in 2018.")
    assert ("agreement", "CPTPP_2018") in found
    assert ("agreement", "US_TPP_WITHDRAWAL_2017") not in found


def test_lowercase_us_is_not_usa():
    assert ("country", "USA") not in keys("Let us see what is ahead of us. Join us.")
    assert ("country", "USA") not in keys("LET US KNOW")
    ms = find_mentions("t", "The U.S. and the United States and the US agreed.", DICT)
    assert [m["matched_text"] for m in ms if m["entity_key"] == "USA"] == ["U.S.", "United States", "US"]
    assert ("country", "USA") not in keys("under 19 U.S.C. 1862")


def test_acronyms_match_only_in_capitals():
    assert ("agreement", "US_TPP_WITHDRAWAL_2017") not in keys("a tpp deal")
    assert ("country", "EUU") not in keys("eu")
    assert ("country", "KOR") in keys("the ROK Army")


def test_capitalised_aliases_need_a_capital():
    assert keys("a japan lacquer box and a trump card") == set()
    assert {("country", "JPN"), ("person", "donald_trump")} <= keys("JAPAN and TRUMP")


def test_japanese_sentence():
    ms = find_mentions("ja", "日本政府は尖閣諸島周辺の東シナ海での中国の活動に懸念を表明した。", DICT)
    found = {(m["entity_type"], m["entity_key"]) for m in ms}
    assert {("country", "JPN"), ("place", "senkaku_islands"), ("place", "east_china_sea"), ("country", "CHN")} <= found
    assert all(m["tone"] is None for m in ms)  # VADER is English-only


@pytest.mark.parametrize("text, entity_key", [
    ("the Comprehensive and Progressive Agreement for Trans-Pacific Partnership", "CPTPP_2018"),
    ("the TPP-11 countries", "CPTPP_2018"),
    ("the TPP 11 countries", "CPTPP_2018"),
    ("the U.S.-Japan Trade Agreement", "USJTA_2020"),
    ("the Japan–EU EPA", "JPN_EU_EPA_2019"),
    ("the Japan-Australia Economic Partnership Agreement", "jpn_aus_epa"),
    ("in the East China Sea", "east_china_sea"),
    ("the Democratic People's Republic of Korea", "PRK"),
])
def test_longest_match_wins(text, entity_key):
    ms = find_mentions("t", text, DICT)
    assert [m["entity_key"] for m in ms] == [entity_key]


def test_offsets_refer_to_the_original_text():
    text = "Talks on the East  China\n   Sea — and on Japan’s Senkaku\nIslands."
    ms = find_mentions("t", text, DICT)
    assert [m["entity_key"] for m in ms] == ["east_china_sea", "JPN", "senkaku_islands"]
    for m in ms:
        assert text[m["start_char"]:m["end_char"]] == m["matched_text"]
    assert ms[0]["matched_text"] == "East  China\n   Sea"


def test_mention_tone_follows_its_context():
    good = find_mentions("t", "Japan welcomed a wonderful, successful and friendly summit.", DICT)[0]
    bad = find_mentions("t", "Japan condemned the dangerous, reckless and terrible attack.", DICT)[0]
    assert good["tone"] > 0.05 > -0.05 > bad["tone"]


# --- output contract ---------------------------------------------------------------------------

def test_extract_mentions_schema():
    articles = pl.DataFrame({
        "article_id": ["a1", "a2", "a3"],
        "body": ["Shinzo Abe met Donald Trump in Tokyo.", None, "日本と米国"],
        "language": ["en", "en", "ja"],
    })
    out = extract_mentions(articles, DICT)
    assert out.schema == MENTION_SCHEMA
    assert list(out.columns) == ["article_id", "mention_id", "entity_type", "entity_key", "record_table",
                                 "record_match", "topic", "alias", "matched_text", "start_char", "end_char",
                                 "context", "tone"]
    assert out["mention_id"].to_list() == ["a1:0", "a1:15", "a1:31", "a3:0", "a3:3"]
    assert out["record_table"].null_count() == out.height  # no record-backed entity here: null, not ""
    assert out.filter(pl.col("article_id") == "a3")["tone"].null_count() == 2
    empty = extract_mentions(articles.filter(pl.col("article_id") == "a2"), DICT)
    assert empty.schema == MENTION_SCHEMA and empty.height == 0


def test_dictionary_rejects_bad_rows():
    good = dict(entity_type="country", entity_key="JPN", alias="Japan", language="en",
                record_table="", record_match="", topic="diplomacy")
    assert len(build_dictionary([good])) == 1
    for bad in ({"entity_type": "thing"}, {"topic": "sports"}, {"language": "fr"},
                {"record_table": "exercises"}, {"alias": " "}):
        with pytest.raises(ValueError):
            build_dictionary([{**good, **bad}])
    with pytest.raises(ValueError, match="duplicates"):
        build_dictionary([good, {**good, "alias": "JAPAN"}])


def test_alias_file_contract():
    with open(ROOT / "seeds" / "entity_aliases.csv", encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        assert tuple(reader.fieldnames) == COLUMNS
        rows = list(reader)
    assert 150 <= len(rows) <= 400
    ja = {r["alias"] for r in rows if r["language"] == "ja"}
    assert {"日本", "米国", "アメリカ", "安倍晋三", "尖閣諸島", "東シナ海", "環太平洋パートナーシップ", "TPP11",
            "日EU経済連携協定", "日米貿易協定", "キーン・ソード", "北朝鮮", "中国", "韓国", "鉄鋼関税", "関税"} <= ja


def test_alias_records_exist_in_reference_data():
    with open(REFERENCE / "tariffs/tariff_actions.csv", encoding="utf-8") as f:
        actions = list(csv.DictReader(f))
    with open(REFERENCE / "exercises/exercises_2011_onward.csv", encoding="utf-8") as f:
        series = {s for r in csv.DictReader(f) for s in r["series"].split(";")}
    ids, instruments = {r["action_id"] for r in actions}, {r["instrument"] for r in actions}
    for a in DICT.aliases:
        if a.entity_type == "agreement" and a.record_table:
            assert a.record_match in ids and a.entity_key == a.record_match, a
        if a.entity_type == "instrument" and a.record_table:
            assert a.record_match in instruments | {"section_301"}, a
        if a.entity_type == "exercise_series":
            assert a.record_table == "exercises" and a.record_match == a.entity_key, a
    record_series = {a.record_match for a in DICT.aliases if a.entity_type == "exercise_series"}
    assert series <= record_series  # every series in the reference data can be mentioned


# --- property: offsets and matched text are faithful for any text -----------------------------

_aliases = st.sampled_from([a.alias for a in DICT.aliases])
_variants = st.tuples(_aliases, st.sampled_from(["\n", "  \n ", "\u00a0"]), st.booleans()).map(
    lambda t: (t[0].upper() if t[2] else t[0]).replace(" ", t[1]).replace("-", "–"))  # wrapped, dashed, shouted
_pieces = st.one_of(
    _aliases,
    _variants,
    st.text(max_size=12),
    st.sampled_from([" ", "\n", "  ", "-", "’s ", ".", "—", "\u00a0", "x", "日"]),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_pieces, max_size=25).map("".join))
def test_matched_text_is_faithful(text):
    ms = find_mentions("p", text, DICT)
    assert len({m["mention_id"] for m in ms}) == len(ms)
    previous_end = 0
    for m in ms:
        assert m["start_char"] >= previous_end  # sorted, no overlaps
        previous_end = m["end_char"]
        assert text[m["start_char"]:m["end_char"]] == m["matched_text"]
        got, want = normalise(m["matched_text"]), normalise(m["alias"])
        if BY_ALIAS[m["alias"]].is_acronym:
            assert got == want
        else:
            assert got.casefold() == want.casefold()


def test_japanese_exercise_and_instrument_aliases():
    found = keys("日米韓はフォール・イーグルとキー・リゾルブを終え、輸入割当と通商法201条、鉄鋼関税を協議した。")
    assert {("exercise_series", "Foal Eagle"), ("exercise_series", "Key Resolve"), ("instrument", "import_quota"),
            ("instrument", "section_201"), ("instrument", "section_232")} <= found
