"""The large-ingest path (benchmarks P1/P6): the loader works in bounded slices with per-slice
constant columns bound as parameters, and the runner skips its de-duplication pass only when the
payloads provably cannot share a key. Same results as loading the whole frame at once."""

from __future__ import annotations

import polars as pl
import pytest

from orchestration.lib import warehouse
from orchestration.lib.warehouse import Warehouse, constant_columns
from sources.contract import ParseResult
from sources.runner import keys_cannot_repeat
from sources.tables import TRADE_FLOWS as T


def trade_rows(flow: str, sha: str, n: int, value: float = 1.0) -> pl.DataFrame:
    return pl.DataFrame({
        "source": "census_trade", "reporter": "USA", "partner": ["JPN", "KOR"] * (n // 2) + ["JPN"] * (n % 2),
        "flow": flow, "commodity_code": [f"{i:04d}" for i in range(n)], "commodity_desc": None,
        "period": "2024-01", "period_type": "month", "value_usd": [value + i for i in range(n)],
        "source_url": f"https://api.census.gov/{flow}", "payload_sha256": sha,
    }, schema=T.schema)


def table(wh: Warehouse) -> pl.DataFrame:
    with wh.connect(read_only=True) as con:
        return con.sql(f"select {', '.join(T.schema.names())} from raw.trade_flows").pl().sort(pl.all())


@pytest.fixture
def wh(tmp_path, monkeypatch) -> Warehouse:
    monkeypatch.setattr(warehouse, "LOAD_SLICE_ROWS", 4)  # 11 rows: slices straddle both payloads
    return Warehouse(tmp_path)


def load(wh: Warehouse, frame: pl.DataFrame):
    return wh.load(table=T.name, key=T.key, schema=T.schema, source="census_trade", frame=frame)


def test_sliced_load_stores_every_row_and_value_and_a_rerun_replaces_them(wh):
    frame = pl.concat([trade_rows("export", "a" * 64, 6), trade_rows("import", "b" * 64, 5, value=100.0)])
    first = load(wh, frame)
    assert (first.rows_inserted, first.rows_replaced, first.rows_in_table) == (11, 0, 11)
    assert table(wh).equals(frame.sort(pl.all()))
    changed = frame.with_columns(value_usd=pl.col("value_usd") * 2, payload_sha256=pl.lit("c" * 64))
    second = load(wh, changed)
    assert (second.rows_inserted, second.rows_replaced, second.rows_in_table) == (0, 11, 11)
    assert table(wh).equals(changed.sort(pl.all()))


def test_a_key_repeated_in_one_frame_never_deletes_a_row_of_the_same_load(wh):
    once = trade_rows("export", "a" * 64, 3)
    stats = load(wh, pl.concat([once, once, once]))  # 9 rows: each key lands in two or three slices
    assert (stats.rows_replaced, stats.rows_in_table) == (0, 9)  # as the unsliced loader did


def test_constant_columns_are_found_by_value_and_nulls_or_differences_rule_them_out():
    frame = pl.DataFrame({"a": ["x", "x"], "b": ["x", "y"], "c": [None, "x"], "d": [1.5, 1.5]})
    assert constant_columns(frame) == {"a": "x", "d": 1.5}
    assert constant_columns(frame.clear()) == {}


def test_the_runner_skips_deduplication_only_when_payloads_cannot_share_a_key():
    export, imp = trade_rows("export", "a" * 64, 4), trade_rows("import", "b" * 64, 4)
    promise = {"unique_keys": True}
    assert keys_cannot_repeat([ParseResult(export, **promise), ParseResult(imp, **promise)], T.key)
    assert keys_cannot_repeat([ParseResult(export, **promise)], T.key)
    same_flow = trade_rows("export", "b" * 64, 4)  # same keys as `export`: later payload must win
    assert not keys_cannot_repeat([ParseResult(export, **promise), ParseResult(same_flow, **promise)], T.key)
    assert not keys_cannot_repeat([ParseResult(export), ParseResult(imp)], T.key)  # no promise
