"""Schema drift between a source's declared schema and its existing raw table is caught before load.

A new, missing or retyped column is named in the error with the source, the table and the column;
nothing is written and the payload stays archived, so nothing is lost.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest

from orchestration.assets.ingest import run_source
from orchestration.lib.config import PROJECT_ROOT
from orchestration.lib.table_drift import SchemaDriftError
from orchestration.lib.warehouse import Warehouse
from sources import registry
from sources.contract import Rejected, SourceConfig, SourceError

SCHEMA = pl.Schema({"thing_id": pl.String, "value": pl.Float64, "note": pl.String})


def load(wh: Warehouse, schema: pl.Schema, rows: list[dict], source: str = "things_feed"):
    frame = pl.DataFrame(rows, schema=schema, orient="row")
    return wh.load(table="things", key=("thing_id",), schema=schema, source=source, frame=frame,
                   rejected=[("ab" * 32, Rejected({"thing_id": "x"}, "bad row"))])


def table_state(wh: Warehouse) -> tuple:
    with duckdb.connect(str(wh.path), read_only=True) as con:
        rows = con.execute("select thing_id, value, note from raw.things order by 1").fetchall()
        columns = con.execute("select column_name, data_type from information_schema.columns "
                              "where table_schema = 'raw' and table_name = 'things' order by ordinal_position").fetchall()
        quarantined = con.execute("select count(*) from raw.quarantine").fetchall()[0][0]
    return rows, columns, quarantined


@pytest.fixture
def wh(tmp_path) -> Warehouse:
    wh = Warehouse(tmp_path)
    load(wh, SCHEMA, [{"thing_id": "a", "value": 1.5, "note": "first"}])
    return wh


@pytest.mark.parametrize("schema, expected", [
    (pl.Schema({**SCHEMA, "unit": pl.String}), "new column 'unit' (VARCHAR) is not in the table"),
    (pl.Schema({"thing_id": pl.String, "value": pl.Float64}), "column 'note' (VARCHAR) is no longer declared"),
    (pl.Schema({"thing_id": pl.String, "value": pl.String, "note": pl.String}),
     "column 'value' is DOUBLE in the table but the source now declares VARCHAR"),
])
def test_drift_is_named_and_nothing_is_written(wh, schema, expected):
    before = table_state(wh)
    row = {c: ("b" if c == "thing_id" else None) for c in schema}
    with pytest.raises(SchemaDriftError) as info:
        load(wh, schema, [row])
    message = str(info.value)
    assert "source 'things_feed'" in message and "(raw.things)" in message and expected in message
    assert "nothing loaded" in message and "alliance replay things_feed" in message and "Fix:" in message
    assert isinstance(info.value, SourceError) and [c.column for c in info.value.changes]
    assert table_state(wh) == before  # no row, no column, no quarantine entry changed


def test_several_changes_are_all_named(wh):
    schema = pl.Schema({"thing_id": pl.String, "value": pl.Int64, "unit": pl.String})
    with pytest.raises(SchemaDriftError) as info:
        load(wh, schema, [{"thing_id": "b", "value": 1, "unit": "t"}])
    assert {(c.column, c.kind) for c in info.value.changes} == {("unit", "new"), ("note", "missing"),
                                                              ("value", "retyped")}


def test_same_schema_loads(wh):
    load(wh, SCHEMA, [{"thing_id": "b", "value": 2.0, "note": None}])
    assert [r[0] for r in table_state(wh)[0]] == ["a", "b"]


def test_a_source_whose_table_drifted_keeps_its_payload_archived(tmp_path):
    """An existing raw.tariff_actions from an older schema: the csv_table source fails with the
    columns named, its CSV is archived in landing/, and the table is untouched."""
    wh = Warehouse(tmp_path)
    wh.bootstrap()
    with wh.connect() as con:
        con.execute("create table raw.tariff_actions (action_id varchar, title varchar, rate_pct varchar, "
                    "legacy_code varchar, loaded_at timestamptz)")
        con.execute("insert into raw.tariff_actions values ('OLD_1', 'kept', '25', 'x', now())")
    csv = PROJECT_ROOT / "samples" / "reference" / "tariffs" / "tariff_actions.csv"
    plugin = registry.create(SourceConfig(name="tariff_actions", plugin="csv_table", path=str(csv),
                                          options={"table": "tariff_actions"}))
    with pytest.raises(SchemaDriftError) as info:
        run_source(plugin, wh)
    message = str(info.value)
    for needle in ("source 'tariff_actions'", "raw.tariff_actions", "'legacy_code'", "'rate_pct' is VARCHAR",
                   "new column 'instrument'"):
        assert needle in message, (needle, message)
    with duckdb.connect(str(wh.path), read_only=True) as con:
        archived = con.execute("select archive_path from landing.payloads where source = 'tariff_actions'").fetchall()
        assert con.execute("select action_id from raw.tariff_actions").fetchall() == [("OLD_1",)]
    assert archived and all(Path(p).read_bytes() == csv.read_bytes() for (p,) in archived)
