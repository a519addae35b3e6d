"""Validating a real DuckDB table in bounded batches gives the verdict of validating it whole.

A table of a few hundred rows is validated once in one batch and once in batches of 100 rows
(hash partitions of the key for uniqueness, scan slices otherwise); counts, examples and verdicts
must agree, including duplicates that only meet across batches.
"""

from __future__ import annotations

import json

import duckdb
import polars as pl
import pytest

from orchestration.checks import batches as b
from orchestration.checks import gx_suites as g
from sources.tables import EXERCISES, TRADE_FLOWS
from tests.checks.frames import LOADED_AT, exercise, trade


def write_table(path, table: str, schema, rows: list[dict]) -> None:
    df = pl.DataFrame([{c: r.get(c) for c in schema} for r in rows], schema=schema, orient="row")
    df = df.with_columns(loaded_at=pl.lit(LOADED_AT))
    schema_name, name = table.split(".")
    with duckdb.connect(str(path)) as con:
        con.execute(f"create schema if not exists {schema_name}")
        con.register("incoming", df.to_arrow())
        con.execute(f"create or replace table {table} as select * from incoming")


def exercises_rows(n: int, bad: bool) -> list[dict]:
    rows = [exercise(exercise_id=f"mme{i}") for i in range(n)]
    if bad:
        rows[7]["status"] = "unknown"
        rows[n - 3]["status"] = "unknown"
        rows[500]["exercise_id"] = "mme20"            # a duplicate far from its twin
        rows[42]["start_date"], rows[42]["end_date"] = rows[42]["end_date"], rows[42]["start_date"]
    return rows


def comparable(outcome: g.SuiteOutcome) -> list[tuple]:
    return sorted((e.type, e.column or "", e.success, json.dumps(e.observed_value, default=str), e.unexpected_count,
                   json.dumps(sorted(map(str, e.unexpected_examples)))) for e in outcome.expectations)


@pytest.mark.parametrize("bad", [False, True])
def test_batches_agree_with_one_pass(tmp_path, bad):
    db = tmp_path / "w.duckdb"
    write_table(db, "raw.exercises", EXERCISES.schema, exercises_rows(600, bad))
    whole = b.validate_table(db, "raw.exercises")
    split = b.validate_table(db, "raw.exercises", batch_rows=100)
    assert (whole.batches, split.batches) == (1, 6)
    assert whole.rows == split.rows == 600
    assert whole.success is split.success is (not bad)
    assert comparable(whole) == comparable(split)
    if bad:
        failed = {(e.type, e.column): e for e in split.failures}
        assert failed[("expect_column_values_to_be_in_set", "status")].unexpected_count == 2
        assert failed[("expect_column_values_to_be_in_set", "status")].unexpected_examples == ["unknown"]
        assert failed[("expect_column_values_to_be_unique", "exercise_id")].unexpected_examples == ["mme20"]
        assert failed[("expect_column_values_to_be_unique", "exercise_id")].unexpected_count == 2
        assert failed[("expect_column_pair_values_a_to_be_greater_than_b", "end_date, start_date")].unexpected_count == 1
        assert split.result["statistics"]["unsuccessful_expectations"] == 3


def test_compound_key_duplicates_meet_across_batches(tmp_path):
    db = tmp_path / "w.duckdb"
    rows = [trade(commodity_code=f"{i:06d}") for i in range(300)] + [trade(commodity_code="000200")]
    write_table(db, "raw.trade_flows", TRADE_FLOWS.schema, rows)
    split = b.validate_table(db, "raw.trade_flows", batch_rows=50)
    assert split.batches == 7
    [e] = split.failures
    assert e.type == "expect_compound_columns_to_be_unique" and e.unexpected_count == 2


def test_row_count_and_floor_are_judged_on_the_whole_table(tmp_path):
    db = tmp_path / "w.duckdb"
    write_table(db, "raw.exercises", EXERCISES.schema, exercises_rows(300, bad=False))
    ok = b.validate_table(db, "raw.exercises", batch_rows=100, parameters={g.ROW_FLOOR_PARAMETER: 300})
    assert ok.success and ok.batches == 3
    low = b.validate_table(db, "raw.exercises", batch_rows=100, parameters={g.ROW_FLOOR_PARAMETER: 301})
    [e] = low.failures
    assert e.type == "expect_table_row_count_to_be_between" and e.observed_value == 300


def test_a_suite_without_a_key_is_read_in_scan_slices(tmp_path, monkeypatch):
    monkeypatch.setattr(g, "SUITES_DIR", tmp_path)
    original = json.loads((g.REPO_ROOT / "expectations" / "raw.exercises.json").read_text())
    doc = {**original, "expectations": [e for e in original["expectations"]
                                        if e["type"] != "expect_column_values_to_be_unique"]}
    (tmp_path / "raw.exercises.json").write_text(json.dumps(doc))
    db = tmp_path / "w.duckdb"
    write_table(db, "raw.exercises", EXERCISES.schema, exercises_rows(600, bad=True))
    whole = b.validate_table(db, "raw.exercises")
    split = b.validate_table(db, "raw.exercises", batch_rows=100)
    assert split.batches == 6 and not split.success and comparable(whole) == comparable(split)


def test_expectation_that_needs_the_whole_column_is_refused_when_split(tmp_path, monkeypatch):
    monkeypatch.setattr(g, "SUITES_DIR", tmp_path)
    (tmp_path / "raw.exercises.json").write_text(json.dumps({"name": "raw.exercises", "meta": {"table": "raw.exercises"},
        "expectations": [{"type": "expect_column_max_to_be_between", "kwargs": {"column": "start_date"}}]}))
    db = tmp_path / "w.duckdb"
    write_table(db, "raw.exercises", EXERCISES.schema, exercises_rows(300, bad=False))
    assert b.validate_table(db, "raw.exercises").success  # one batch: fine
    with pytest.raises(g.SuiteError, match=r"raw\.exercises\.json.*#1 \(expect_column_max_to_be_between\).*whole "
                                           r"column.*3 batches.*Fix"):
        b.validate_table(db, "raw.exercises", batch_rows=100)


def test_connection_is_read_only_and_closed(tmp_path):
    db = tmp_path / "w.duckdb"
    write_table(db, "raw.exercises", EXERCISES.schema, exercises_rows(10, bad=False))
    b.validate_table(db, "raw.exercises", batch_rows=3)
    with duckdb.connect(str(db)) as con:  # a writer can take the file right away
        con.execute("delete from raw.exercises")
    assert b.validate_table(db, "raw.exercises").rows == 0


def test_missing_table_and_bad_names(tmp_path):
    db = tmp_path / "w.duckdb"
    write_table(db, "raw.exercises", EXERCISES.schema, exercises_rows(3, bad=False))
    with pytest.raises(b.TableNotFoundError, match=r"raw\.articles does not exist.*raw\.exercises"):
        b.validate_table(db, "raw.articles")
    for name in ("raw.exercises; drop table raw.exercises", "exercises", 'raw."x"', "Raw.Exercises"):
        with duckdb.connect(str(db), read_only=True) as con, pytest.raises(ValueError):
            b._relation(con, db, name)
    with pytest.raises(FileNotFoundError, match="alliance refresh"):
        b.validate_table(tmp_path / "nope.duckdb", "raw.exercises")


def test_a_key_repeated_in_every_row_lands_in_one_partition(tmp_path):
    db = tmp_path / "w.duckdb"
    write_table(db, "raw.exercises", EXERCISES.schema, [exercise(exercise_id="KS_21") for _ in range(300)])
    split = b.validate_table(db, "raw.exercises", batch_rows=100)
    assert split.batches == 3 and split.result["suite_name"] == "raw.exercises"
    [e] = split.failures
    assert e.type == "expect_column_values_to_be_unique" and e.unexpected_count == 300
