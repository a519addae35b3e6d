"""The mme_exercises plugin on the real bundled MME v7 file (no mocks), plus small hand-made CSVs
for the rejection paths. The counts below are facts about the file; if the sample changes, they
must be re-derived, not adjusted to pass."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest

from sources.contract import Payload, SourceConfig
from sources.http import Fetcher
from sources.mme_exercises import MmeExercisesPlugin
from sources.mme_exercises.parse import UNKNOWN, load_country_codes, normalise_alias, state_columns
from sources.tables import EXERCISES

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "samples" / "reference" / "exercises" / "mme_v7.csv"
# MME v7 rows whose own StartDate/EndDate strings put the end before the start (source errors).
INVERTED_DATES = {"mme281", "mme395", "mme1872", "mme2365", "mme3681", "mme3156"}
DUPLICATE_IDS = {"mme3457", "mme3458", "mme3460"}


def _plugin(path: Path = SAMPLE) -> MmeExercisesPlugin:
    return MmeExercisesPlugin(SourceConfig(name="exercises_mme", plugin="mme_exercises", path=str(path)))


@pytest.fixture(scope="module")
def parsed():
    plugin = _plugin()
    (payload,) = list(plugin.extract(Fetcher()))
    return plugin.parse(payload)


def _one(frame, exercise_id: str) -> dict:
    rows = frame.filter(frame["exercise_id"] == exercise_id).to_dicts()
    assert len(rows) == 1, exercise_id
    return rows[0]


def test_plugin_declares_the_exercises_contract():
    plugin = _plugin()
    assert (plugin.plugin_name, plugin.table, plugin.key, plugin.cadence) == (
        "mme_exercises", "exercises", ("exercise_id",), "static")
    assert plugin.schema == EXERCISES.schema


def test_sample_parses_into_exactly_the_exercises_schema(parsed):
    assert parsed.frame.schema == EXERCISES.schema


def test_row_count_and_rejections(parsed):
    # 3,707 data rows = 3,704 distinct MMEIDs; 3 later duplicates and 6 inverted date ranges rejected.
    assert parsed.frame.height == 3704 - len(INVERTED_DATES)
    assert parsed.frame["exercise_id"].n_unique() == parsed.frame.height
    dup = [r for r in parsed.rejected if "duplicate key" in r.reason]
    assert {r.record["exercise_id"] for r in dup} == DUPLICATE_IDS
    assert all("within one payload" in r.reason for r in dup)
    inverted = [r for r in parsed.rejected if "before start date" in r.reason]
    assert {r.record["MMEID"] for r in inverted} == INVERTED_DATES
    assert len(parsed.rejected) == len(dup) + len(inverted)


def test_known_japan_record_rimpac_80(parsed):
    row = _one(parsed.frame, "mme89")
    assert row["name"] == "RIMPAC 80" and row["series"] == "RIMPAC"
    assert (row["start_date"], row["end_date"]) == (date(1980, 2, 26), date(1980, 3, 18))
    assert row["participants"] == "AUS;CAN;JPN;NZL;USA"
    assert {"JPN", "USA"} <= set(row["participants"].split(";"))
    assert row["date_precision"] == "day"
    assert row["status"] == "held" and row["announced_on"] is None
    assert row["source_url"] == "https://doi.org/10.7910/DVN/KHFODX"
    assert row["source"] == "exercises_mme" and len(row["payload_sha256"]) == 64


def test_unknown_day_gives_month_precision_covering_the_month(parsed):
    row = _one(parsed.frame, "mme88")  # 1980-01-xx .. 1980-01-xx, Egypt + United States
    assert row["date_precision"] == "month"
    assert (row["start_date"], row["end_date"]) == (date(1980, 1, 1), date(1980, 1, 31))
    assert row["participants"] == "EGY;USA"


def test_minus_nine_is_unknown_not_a_value(parsed):
    row = _one(parsed.frame, "mme91")  # Ex_Name -9
    assert row["name"] is None
    row = _one(parsed.frame, "mme96")  # StateA -9, StateB United Kingdom
    assert row["participants"] == "GBR"
    assert "unidentified participant" in row["note"] and "additional participants: NATO" in row["note"]


def test_every_mme_state_name_maps_to_a_code():
    codes = load_country_codes()
    with open(SAMPLE, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        cols = state_columns(reader.fieldnames)
        names = {row[c].strip() for row in reader for c in cols} - {"", UNKNOWN}
    assert len(cols) == 39
    assert sorted(n for n in names if normalise_alias(n) not in codes) == []


def test_sample_start_years_are_1980_to_2010(parsed):
    years = parsed.frame["start_date"].dt.year()
    assert (years.min(), years.max()) == (1980, 2010)
    assert (parsed.frame["end_date"] >= parsed.frame["start_date"]).all()


def _mini_csv(tmp_path: Path, states: list[list[str]]) -> tuple[MmeExercisesPlugin, Payload]:
    header = ["MMEID", "Ex_Name", "Series_Name", "Location", "StartDate", "s.year", "s.month", "s.day",
              "EndDate", "e.year", "e.month", "e.day", "FocusDescription", "AdditionalParticipantInfo",
              "StateA", "StateB", "StateC"]
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    for i, st in enumerate(states, start=1):
        w.writerow([f"mmeT{i}", f"Test {i}", "", "Pacific", "", "1999", "5", "xx", "", "1999", "6", "3",
                    "drill", "", *st, *[""] * (3 - len(st))])
    path = tmp_path / "mini.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")
    plugin = _plugin(path)
    (payload,) = list(plugin.extract(Fetcher()))
    return plugin, payload


def test_unknown_state_name_rejects_only_that_row(tmp_path):
    plugin, payload = _mini_csv(tmp_path, [["Japan", "United States"], ["Japan", "Atlantis"], ["st. christopher"]])
    result = plugin.parse(payload)
    assert result.frame["exercise_id"].to_list() == ["mmeT1", "mmeT3"]
    assert result.frame["participants"].to_list() == ["JPN;USA", "KNA"]
    assert result.frame["date_precision"].to_list() == ["month", "month"]  # start day xx
    (bad,) = result.rejected
    assert "'Atlantis'" in bad.reason and bad.record["MMEID"] == "mmeT2"


def test_a_payload_that_is_not_mme_is_a_source_error(tmp_path):
    from sources.contract import SourceError

    path = tmp_path / "other.csv"
    path.write_text("id,title\n1,x\n", encoding="utf-8")
    plugin = _plugin(path)
    (payload,) = list(plugin.extract(Fetcher()))
    with pytest.raises(SourceError, match="not an MME v7 CSV"):
        plugin.parse(payload)
