"""Hand-checked links of the seed article and seven other sample documents, both ways.

Each case names the links a reader of the document and of the reference tables would make (they
must be there) and the tempting wrong ones (they must not): another year's exercise of the same
series, a later action on the same product, an action announced before the article but effective
after it, an action a later one had already replaced. The expectations were checked by hand
against the page text in samples/commentary/pages/ and the rows of samples/reference/.
"""

from __future__ import annotations

import duckdb
import pytest

pytestmark = pytest.mark.integration

# (published_on, title prefix, links that must exist, links that must not exist)
# A link is (entity_id, reason); reason None in the "absent" set means: no link of any reason.
CASES = [
    ("2018-07-26", "U.S.-Japan Relations in the Coming Year",  # the seed article
     {("SEC232_STEEL_2018", "in_force"), ("SEC232_ALUMINUM_2018", "in_force"), ("UFG_2018", "mentioned"),
      ("JPN_EU_EPA_2019", "mentioned"), ("CPTPP_2018", "mentioned"), ("US_TPP_WITHDRAWAL_2017", "mentioned"),
      ("RIMPAC_2018", "in_window"), ("senkaku_islands", "mentioned"), ("east_china_sea", "mentioned")},
     {("KS_17", None), ("KS_19", None), ("UFG_2017", None), ("SEC232_STEEL_2025", None), ("USJTA_2020", None),
      ("JPN_STEEL_TRQ_2022", None), ("SEC232_AUTOS_2025", None)}),
    ("2018-03-15", "Proclamation 9705",
     # published 2018-03-15, announced 03-08, effective 03-23: mentioned, but not yet in force
     {("SEC232_STEEL_2018", "mentioned"), ("SEC201_SOLAR_2018", "in_force"), ("SEC201_WASHERS_2018", "in_force")},
     {("SEC232_STEEL_2018", "in_force"), ("SEC232_STEEL_2025", None), ("SEC232_STEEL_ALUMINUM_50PCT_2025", None),
      ("SEC232_ALUMINUM_2018", None), ("JPN_STEEL_TRQ_2022", None)}),
    ("2018-06-18", "DoD Halts Planning for Ulchi Freedom Guardian",
     {("UFG_2018", "mentioned"), ("MAL_2018", "in_window"), ("RIMPAC_2018", "in_window"),
      ("SEC232_STEEL_2018", "in_force")},
     {("UFG_2017", None), ("FE_2018", None), ("KR_2018", None)}),
    ("2019-03-02", None,  # DoD readout: Key Resolve and Foal Eagle concluded
     {("KR_FE_END_2019", "mentioned")},
     {("FE_2018", None), ("KR_2018", None), ("DM_2019", None)}),  # Dong Maeng is US-ROK only, not the pair
    ("2019-05-21", "Proclamation 9888",
     {("SEC232_AUTOS_PROC9888_2019", "mentioned")},
     {("SEC232_AUTOS_2025", None), ("SEC232_AUTOS_PROC9888_2019", "in_force")}),  # an investigation finding, no tariff
    ("2020-11-05", "Keen Sword 21",
     {("KS_21", "mentioned"), ("KS_21", "in_window"), ("MAL_2020_P1", "in_window")},
     {("KS_17", None), ("KS_19", None), ("KS_23", None), ("KS_2012", None)}),
    ("2025-07-23", "Fact Sheet",
     # EO 14345's framework was announced 07-22 but applies from 08-07: the baseline still applies
     {("IEEPA_RECIPROCAL_BASELINE_2025", "in_force"), ("SEC232_STEEL_ALUMINUM_50PCT_2025", "in_force"),
      ("SEC232_AUTOS_2025", "in_force"), ("TS_2025", "in_window")},
     {("EO14345_US_JAPAN_2025", "in_force"), ("SEC232_STEEL_2025", "in_force"), ("SEC232_ALUMINUM_2025", "in_force"),
      ("SEC232_STEEL_2018", "in_force"), ("SEC232_ALUMINUM_2018", "in_force")}),
    ("2025-09-04", "Implementing The United States",
     # replacements the curated notes record: 50% for steel and aluminum (Proc. 10947), EO 14345 in lieu
     # of the EO 14257 duties on Japan, the 2022 TRQ for Japan's steel
     {("EO14345_US_JAPAN_2025", "in_force"), ("SEC232_STEEL_ALUMINUM_50PCT_2025", "in_force"),
      ("SEC232_STEEL_2018", "mentioned"), ("SEC232_ALUMINUM_2018", "mentioned"), ("SEC232_AUTOS_2025", "mentioned"),
      ("IEEPA_RECIPROCAL_BASELINE_2025", "mentioned"), ("IEEPA_RECIPROCAL_JPN_2025", "mentioned")},
     {("IEEPA_RECIPROCAL_BASELINE_2025", "in_force"), ("SEC232_STEEL_2025", "in_force"),
      ("SEC232_ALUMINUM_2025", "in_force"), ("SEC232_STEEL_2018", "in_force"), ("SEC232_ALUMINUM_2018", "in_force"),
      ("USJTA_2020", None)}),
]


@pytest.fixture(scope="module")
def snapshot(refreshed):
    _, wh, _ = refreshed
    with duckdb.connect(str(wh.published_path), read_only=True) as con:
        yield con


def _links_of(con, published_on: str, title_prefix: str | None) -> set[tuple[str, str]]:
    articles = con.execute(
        "select article_id from marts.article_context where published_on = ?::date and (? is null or starts_with(title, ?))",
        [published_on, title_prefix, title_prefix]).fetchall()
    assert len(articles) == 1, f"expected one sample article of {published_on} ({title_prefix}), got {articles}"
    return set(con.execute("select entity_id, reason from marts.article_links where article_id = ?",
                           [articles[0][0]]).fetchall())


@pytest.mark.parametrize("published_on, title, present, absent", CASES, ids=[c[0] for c in CASES])
def test_hand_checked_links(snapshot, published_on, title, present, absent):
    links = _links_of(snapshot, published_on, title)
    assert present <= links, f"missing: {sorted(present - links)}"
    wrong = {(e, r) for e, r in links for a, ar in absent if e == a and (ar is None or ar == r)}
    assert not wrong, f"tempting wrong links made: {sorted(wrong)}"


def test_exercise_status_in_context(snapshot):
    """The seed article names the suspended UFG 2018; it was written after the suspension was announced."""
    (mentioned,), = snapshot.execute(
        "select exercises_mentioned from marts.article_context where published_on = date '2018-07-26'").fetchall()
    ufg = [e for e in mentioned if e["exercise_id"] == "UFG_2018"]
    assert [(e["status"], e["status_as_of"]) for e in ufg] == [("suspended", "suspended")]


def test_supersessions_rest_on_the_curated_notes(snapshot):
    rows = set(snapshot.execute(
        "select action_id, superseded_by, superseded_for, superseded_on::varchar from intermediate.int_tariff_supersessions"
    ).fetchall())
    assert rows == {
        ("SEC232_STEEL_2018", "JPN_STEEL_TRQ_2022", "JPN", "2022-04-01"),
        ("SEC232_ALUMINUM_2018", "SEC232_ALUMINUM_2025", "ALL", "2025-03-12"),
        ("SEC232_STEEL_2025", "SEC232_STEEL_ALUMINUM_50PCT_2025", "ALL", "2025-06-04"),
        ("SEC232_ALUMINUM_2025", "SEC232_STEEL_ALUMINUM_50PCT_2025", "ALL", "2025-06-04"),
        ("IEEPA_RECIPROCAL_BASELINE_2025", "EO14345_US_JAPAN_2025", "JPN", "2025-08-07"),
        ("IEEPA_RECIPROCAL_JPN_2025", "EO14345_US_JAPAN_2025", "JPN", "2025-08-07"),
    }
    # no end date is invented: the raw column stays empty, the mart says when and why
    (ended,), = snapshot.execute("select count(*) from marts.tariff_timeline where ended_on is not null").fetchall()
    assert ended == 1  # only the 2018 exemptions carry an end date in the source


def test_mention_tone_reaches_the_links(snapshot):
    rows = snapshot.execute("""
        select reason, count(*) filter (where tone is not null), count(*) from marts.article_links group by reason
    """).fetchall()
    by_reason = {r: (scored, total) for r, scored, total in rows}
    assert by_reason["mentioned"][0] == by_reason["mentioned"][1] > 0  # every sample article is English
    assert by_reason["in_force"][0] == 0 and by_reason["in_window"][0] == 0
