"""Validate a DuckDB table against its suite in bounded memory.

A whole table in pandas does not scale (STACK_NOTES.md), and GX cannot validate DuckDB through
SQL. So the table is fed to Great Expectations in batches of at most ``batch_rows`` rows, read by a
short read-only connection, and the per-batch results are merged into one result that reads (and
renders in Data Docs) exactly like a validation of the whole table:

* row-level expectations (GX "map" expectations: not null, in set, between, regex, pair A > B)
  add up their counts; examples are kept from the first batches;
* uniqueness needs every copy of a key in the same batch, so batches are hash partitions of the
  key (``hash(key) % n``), read in one sorted scan (DuckDB sorts within its memory limit and spills
  to a temporary folder); each uniqueness column set gets its own pass over the table, the first
  pass also carrying every other expectation;
* the table row count is the sum of the batches, compared with the bounds afterwards;
* schema expectations (columns present) are the same on every batch;
* anything else (a column's max, mean or distinct set) needs the whole column at once, and is
  refused with the reason when the table is larger than one batch.

Memory is one batch plus GX's working set, whatever the table's size (benchmarks/gx_scale.py).
A key repeated in most rows still lands in one partition: that table already fails its suite.
"""

from __future__ import annotations

import copy
import json
import math
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import duckdb

from orchestration.checks import gx_suites as g

DEFAULT_BATCH_ROWS = 200_000
#: DuckDB's own memory for the scans and the partition sort; pandas batches come on top of it.
DUCKDB_MEMORY_LIMIT = "256MB"
_PART = "__alliance_partition"  # the partition number each row gets in a partitioned scan
_CHUNK_ROWS = 50_000            # rows per Arrow chunk read from DuckDB
_MAX_PARTIAL = 20
# Uniqueness across rows: which kwargs name the key.
_UNIQUE_KEYS = {
    "expect_column_values_to_be_unique": lambda kw: (kw["column"],),
    "expect_compound_columns_to_be_unique": lambda kw: tuple(kw["column_list"]),
    "expect_multicolumn_values_to_be_unique": lambda kw: tuple(kw["column_list"]),
}
# Map expectations that compare a row with its neighbours cannot be split at all.
_ORDER_DEPENDENT = {"expect_column_values_to_be_increasing", "expect_column_values_to_be_decreasing"}
_ROW_COUNT = "expect_table_row_count_to_be_between"
_SAME_ON_EVERY_BATCH = {
    "expect_column_to_exist", "expect_table_columns_to_match_set", "expect_table_columns_to_match_ordered_list",
    "expect_table_column_count_to_equal", "expect_table_column_count_to_be_between",
}


class TableNotFoundError(LookupError):
    """The warehouse has no such table (yet)."""


@dataclass(frozen=True)
class Pass:
    """One scan of the table: these expectations (by position in the suite file), with batches
    partitioned on ``partition`` (empty: plain slices of the scan)."""

    indices: tuple[int, ...]
    partition: tuple[str, ...]


def plan_passes(doc: dict[str, Any], *, batches: int, where: str) -> list[Pass]:
    """Which expectations run in which pass; raises :class:`SuiteError` for one that needs the
    whole table when there is more than one batch."""
    from great_expectations.expectations.expectation import (
        ColumnMapExpectation,
        ColumnPairMapExpectation,
        MulticolumnMapExpectation,
    )
    from great_expectations.expectations.registry import get_expectation_impl

    keyed: dict[tuple[str, ...], list[int]] = {}
    plain: list[int] = []
    for i, item in enumerate(doc["expectations"]):
        etype, kwargs = item["type"], item.get("kwargs") or {}
        if etype in _UNIQUE_KEYS:
            keyed.setdefault(_UNIQUE_KEYS[etype](kwargs), []).append(i)
            continue
        plain.append(i)
        if batches == 1:
            continue
        cls = get_expectation_impl(etype)
        row_level = issubclass(cls, (ColumnMapExpectation, ColumnPairMapExpectation, MulticolumnMapExpectation))
        if etype in _ORDER_DEPENDENT or not (row_level or etype == _ROW_COUNT or etype in _SAME_ON_EVERY_BATCH):
            raise g.SuiteError(
                f"{where}: expectation #{i + 1} ({etype}) needs the whole column at once, but the table is "
                f"validated in {batches} batches. Fix: use a row-level expectation instead, or raise the "
                "batch size (orchestration/checks/batches.py DEFAULT_BATCH_ROWS)")
    if batches == 1:
        return [Pass(tuple(range(len(doc["expectations"]))), ())]
    keys = list(keyed)
    if not keys:
        return [Pass(tuple(plain), ())]
    passes = [Pass(tuple(sorted(plain + keyed[keys[0]])), keys[0])]
    passes += [Pass(tuple(keyed[k]), k) for k in keys[1:]]
    return passes


def validate_table(db_path: str | Path, suite_name: str, *, batch_rows: int = DEFAULT_BATCH_ROWS,
                   parameters: dict[str, Any] | None = None) -> g.SuiteOutcome:
    """Validate the suite's table in ``db_path`` in batches of at most ``batch_rows`` rows."""
    started = time.perf_counter()
    spec = g.suite_spec(suite_name)
    doc = g.suite_document(suite_name)
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="alliance-gx-") as spill, _connect(db_path, spill) as con:
        relation = _relation(con, Path(db_path), spec.table)
        rows = con.execute(f"select count(*) from {relation}").fetchall()[0][0]
        n = max(1, math.ceil(rows / batch_rows))
        for step in plan_passes(doc, batches=n, where=str(spec.path)):
            only = None if n == 1 else step.indices
            for frame in _batches(con, relation, n, step.partition, batch_rows):
                results.append(g.run_suite_on_frame(frame, suite_name, parameters=parameters, only=only))
                del frame
    merged = results[0] if n == 1 else merge_results(results, suite_name)
    return g.outcome_from_result(merged, suite=suite_name, table=spec.table, blocking=spec.blocking, rows=rows,
                                 seconds=round(time.perf_counter() - started, 3), batches=n)


def _connect(db_path: str | Path, spill_dir: str) -> duckdb.DuckDBPyConnection:
    path = Path(db_path)
    if not path.is_file():
        raise FileNotFoundError(f"warehouse file {path} does not exist: run `alliance refresh` first")
    return duckdb.connect(str(path), read_only=True,
                         config={"memory_limit": DUCKDB_MEMORY_LIMIT, "temp_directory": spill_dir})


def _relation(con: duckdb.DuckDBPyConnection, path: Path, table: str) -> str:
    """``"schema"."table"`` once the name is checked against its pattern and the catalog.

    A table name cannot be a bound parameter; the lookup itself uses bound parameters.
    """
    from orchestration.lib.warehouse import ident

    if not isinstance(table, str) or table.count(".") != 1:
        raise ValueError(f"table must look like 'schema.table' (lower case, underscores), got {table!r}")
    schema, name = (ident(part) for part in table.split("."))
    found = con.execute("select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
                        [schema, name]).fetchall()[0][0]
    if not found:
        present = [f"{s}.{t}" for s, t in con.execute(
            "select table_schema, table_name from information_schema.tables where table_schema = ? "
            "order by table_name", [schema]).fetchall()]
        raise TableNotFoundError(f"{table} does not exist in {path} "
                                 f"(tables in schema {schema}: {', '.join(present) or 'none'})")
    return f'"{schema}"."{name}"'


def _batches(con: duckdb.DuckDBPyConnection, relation: str, n: int, partition: tuple[str, ...],
             batch_rows: int) -> Iterator[Any]:
    """pandas frames of the table: all of it, its hash partitions on ``partition``, or scan slices."""
    if n == 1:
        yield con.sql(f"select * from {relation}").df()
    elif partition:
        from orchestration.lib.warehouse import ident

        key = ", ".join(f'"{ident(c)}"' for c in partition)
        reader = con.sql(f"select *, hash({key}) % {int(n)} as {_PART} from {relation} order by {_PART}"
                         ).to_arrow_reader(_CHUNK_ROWS)
        yield from _by_partition(reader)
    else:
        for chunk in con.sql(f"select * from {relation}").to_arrow_reader(batch_rows):
            yield chunk.to_pandas()


def _by_partition(reader) -> Iterator[Any]:
    """Regroup a scan sorted by partition number into one frame per partition."""
    import numpy as np
    import pyarrow as pa

    pending: list[pa.RecordBatch] = []
    current = None
    for chunk in reader:
        if not chunk.num_rows:
            continue
        parts = chunk.column(chunk.schema.get_field_index(_PART)).to_numpy()
        starts = [0, *(np.flatnonzero(np.diff(parts)) + 1).tolist(), len(parts)]
        for start, end in zip(starts, starts[1:]):
            if current is not None and parts[start] != current:
                yield _frame(pending)
                pending = []
            current = parts[start]
            pending.append(chunk.slice(start, end - start))
    if pending:
        yield _frame(pending)


def _frame(chunks) -> Any:
    import pyarrow as pa

    return pa.Table.from_batches(chunks).drop_columns([_PART]).to_pandas()


# --- merging per-batch results -----------------------------------------------------------------


def merge_results(results: list[dict[str, Any]], suite_name: str) -> dict[str, Any]:
    """One GX validation result (JSON) for the whole table from the results of its batches."""
    entries: dict[str, list[dict[str, Any]]] = {}
    for result in results:
        for entry in result.get("results") or []:
            entries.setdefault(_entry_key(entry), []).append(entry)
    merged = [_merge_entry(group) for group in entries.values()]
    out = copy.deepcopy({k: v for k, v in results[0].items() if k != "results"})
    out["suite_name"] = suite_name
    out["results"] = merged
    ok = sum(1 for e in merged if e["success"])
    out["success"] = ok == len(merged)
    out["statistics"] = {"evaluated_expectations": len(merged), "successful_expectations": ok,
                         "unsuccessful_expectations": len(merged) - ok,
                         "success_percent": 100.0 * ok / len(merged) if merged else None}
    return out


def _entry_key(entry: dict[str, Any]) -> str:
    config = entry.get("expectation_config") or {}
    kwargs = {k: v for k, v in (config.get("kwargs") or {}).items() if k != "batch_id"}
    return json.dumps([config.get("type"), kwargs], sort_keys=True, default=str)


def _merge_entry(group: list[dict[str, Any]]) -> dict[str, Any]:
    out = copy.deepcopy(group[0])
    failed = next((e for e in group if (e.get("exception_info") or {}).get("raised_exception")), None)
    if failed is not None:
        out.update(success=False, result={}, exception_info=copy.deepcopy(failed["exception_info"]))
        return out
    etype = out["expectation_config"]["type"]
    kwargs = out["expectation_config"].get("kwargs") or {}
    if etype == _ROW_COUNT:
        observed = sum(int((e.get("result") or {}).get("observed_value") or 0) for e in group)
        out["result"] = {"observed_value": observed}
        out["success"] = _within(observed, kwargs)
    elif "unexpected_count" in (out.get("result") or {}):
        out["result"], out["success"] = _merge_map_results([e["result"] for e in group], kwargs)
    # else: schema-level, the same on every batch: the first batch's result stands
    return out


def _within(value: float, kwargs: dict[str, Any]) -> bool:
    low, high = kwargs.get("min_value"), kwargs.get("max_value")
    if low is not None and (value <= low if kwargs.get("strict_min") else value < low):
        return False
    return not (high is not None and (value >= high if kwargs.get("strict_max") else value > high))


def _merge_map_results(parts: list[dict[str, Any]], kwargs: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    element = sum(p.get("element_count") or 0 for p in parts)
    missing = sum(p.get("missing_count") or 0 for p in parts)
    unexpected = sum(p.get("unexpected_count") or 0 for p in parts)
    counts: dict[str, dict[str, Any]] = {}
    for p in parts:
        for c in p.get("partial_unexpected_counts") or []:
            slot = counts.setdefault(json.dumps(c.get("value"), sort_keys=True, default=str),
                                     {"value": c.get("value"), "count": 0})
            slot["count"] += c.get("count") or 0
    nonmissing = element - missing
    result: dict[str, Any] = {
        "element_count": element,
        "unexpected_count": unexpected,
        "unexpected_percent": 100.0 * unexpected / nonmissing if nonmissing else 0.0,
        "partial_unexpected_list": [v for p in parts for v in p.get("partial_unexpected_list") or []][:_MAX_PARTIAL],
        "partial_unexpected_counts": sorted(counts.values(), key=lambda c: -c["count"])[:_MAX_PARTIAL],
        "partial_unexpected_index_list": [],  # row positions are per batch, meaningless for the table
    }
    if any("missing_count" in p for p in parts):
        result.update(missing_count=missing, missing_percent=100.0 * missing / element if element else None,
                      unexpected_percent_total=100.0 * unexpected / element if element else 0.0,
                      unexpected_percent_nonmissing=result["unexpected_percent"])
    mostly = kwargs.get("mostly", 1.0)
    success = nonmissing == 0 or (nonmissing - unexpected) / nonmissing >= mostly - 1e-12
    return result, success
