"""census_trade's column-wise parse (DuckDB reads the body; see benchmarks P1/P6) keeps every rule
of the row-by-row parser it replaced: the same reasons, row numbers, first-wins duplicates."""

from __future__ import annotations

import hashlib
import json

from sources.census_trade.parse import TOTAL_DESC, parse_census
from sources.contract import Payload
from sources.tables import TRADE_FLOWS

HEADER = ["CTY_CODE", "CTY_NAME", "ALL_VAL_MO", "E_COMMODITY", "time", "CTY_CODE", "COMM_LVL"]
URL = "https://api.census.gov/data/timeseries/intltrade/exports/hs?get=x"


def parse(rows):
    body = json.dumps(rows).encode()
    frame, rejected, notes = parse_census(Payload(source="census_trade", url=URL, content=body, meta={"flow": "export"}))
    assert set(frame["payload_sha256"]) <= {hashlib.sha256(body).hexdigest()} and set(frame["source_url"]) <= {URL}
    return frame, rejected, notes


def test_every_rule_gives_its_reason_and_good_rows_still_load():
    frame, rejected, notes = parse([
        HEADER,
        ["5880", "JAPAN", "100", "-", "2024-01", "5880", "HS2"],           # loads, as TOTAL
        ["5880", "JAPAN", "7", "8703", "2024-01"],                          # row 2: too short
        ["5880", "JAPAN", "200", "8703", "2024-13", "5880", "HS4"],         # not a month
        [" 5700 ", "CHINA", " 300.5 ", "total", "2024-02", "5700", "HS2"],  # trimmed, TOTAL spelled low
        ["5880", "JAPAN", "999", "-", "2024-01", "5880", "HS2"],            # repeats row 1's key
    ])
    assert frame.schema == TRADE_FLOWS.schema and notes == []
    assert frame.select("partner", "commodity_code", "commodity_desc", "period", "value_usd").rows() == [
        ("JPN", "TOTAL", TOTAL_DESC, "2024-01", 100.0), ("CHN", "TOTAL", TOTAL_DESC, "2024-02", 300.5)]
    reasons = [r.reason for r in rejected]
    assert reasons[0] == "row 2 has 5 values, the header has 7"
    assert reasons[1] == "time '2024-13' is not a month (YYYY-MM)"
    assert reasons[2].startswith("duplicate key {'source': 'census_trade', 'reporter': 'USA', 'partner': 'JPN'")
    assert rejected[0].record == dict(zip(HEADER, ["5880", "JAPAN", "7", "8703", "2024-01"]))
    assert rejected[2].record["value_usd"] == 999.0  # the later row is the one rejected: first wins


def test_json_numbers_and_nulls_are_read_as_the_api_would_spell_them():
    frame, rejected, _ = parse([HEADER, ["5880", "JAPAN", 42, "01", "2024-03", "5880", "HS2"],
                                ["5880", "JAPAN", None, "02", "2024-03", "5880", "HS2"]])
    assert frame["value_usd"].to_list() == [42.0] and frame["commodity_code"].to_list() == ["01"]
    assert [r.reason for r in rejected] == ["ALL_VAL_MO '' is not a number"]


def test_a_null_row_is_rejected_with_its_number_and_the_others_still_load():
    frame, rejected, _ = parse([HEADER, None, ["5880", "JAPAN", "5", "01", "2024-03", "5880", "HS2"]])
    assert frame["value_usd"].to_list() == [5.0]
    assert [r.reason for r in rejected] == ["row 1 has 0 values, the header has 7"]
