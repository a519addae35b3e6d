"""``csv_table``: curated CSV reference tables kept by analysts, loaded into one raw table.

One plugin serves several tables (tariff actions, exercises, annual trade) because the files differ
only in how their columns map onto the table; that mapping is configuration (``options``), not code.
See README.md for the options and the order they apply in.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

import polars as pl

from sources import drift
from sources.contract import (
    Fetcher,
    ParseResult,
    Payload,
    PayloadInfo,
    Rejected,
    SourceConfig,
    SourceError,
    SourcePlugin,
)
from sources.cursors import file_validators, remember_files
from sources.tables import RAW_TABLES

OPTIONS = ("table", "cadence", "rename", "constants", "values", "multiply", "unpivot", "ignore")
CADENCES = ("daily", "monthly", "yearly", "static")
SET_BY_CONFORM = {"source", "payload_sha256"}  # filled in by conform_rows, never needed in the file


class _RowError(ValueError):
    """One row cannot be transformed; it is rejected, the others still load."""


class CsvTablePlugin(SourcePlugin):
    """Curated CSV reference table (tariff actions, exercises, annual trade) mapped onto a raw table."""

    plugin_name = "csv_table"
    cadence = "static"

    def __init__(self, config: SourceConfig):
        super().__init__(config)
        opts = dict(config.options or {})

        def bad(problem: str, fix: str) -> SourceError:
            return SourceError(config.name, "alliance.yml: options", problem, fix)

        unknown = sorted(set(opts) - set(OPTIONS))
        if unknown:
            raise bad(f"unknown option(s) {', '.join(unknown)}", f"use only {', '.join(OPTIONS)} (see sources/csv_table/README.md)")
        raw = RAW_TABLES.get(str(opts.get("table")))
        if raw is None:
            raise bad(f"option 'table' is {opts.get('table')!r}", f"set it to one of {', '.join(RAW_TABLES)}")
        self.table, self.key, self.schema = raw.name, raw.key, raw.schema
        self.cadence = str(opts.get("cadence", "static"))
        if self.cadence not in CADENCES:
            raise bad(f"cadence {self.cadence!r} is not known", f"use one of {', '.join(CADENCES)}")

        def mapping(name: str) -> dict[str, Any]:
            value = opts.get(name) or {}
            if not isinstance(value, Mapping):
                raise bad(f"option '{name}' must be a mapping, not {type(value).__name__}", f"write it as {name}: {{a: b}}")
            return {str(k): v for k, v in value.items()}

        self.rename = {k: str(v) for k, v in mapping("rename").items()}
        self.constants = mapping("constants")
        self.values: dict[str, dict[str, Any]] = {}
        for col, table in mapping("values").items():
            if not isinstance(table, Mapping):
                raise bad(f"values.{col} must be a mapping of file value -> table value", f"write values: {{{col}: {{from: to}}}}")
            self.values[col] = {str(k): v for k, v in table.items()}  # CSV cells are strings
        self.multiply: dict[str, Decimal] = {}
        for col, factor in mapping("multiply").items():
            try:
                self.multiply[col] = Decimal(str(factor))
            except InvalidOperation:
                raise bad(f"multiply.{col} is {factor!r}, not a number", "give a number, e.g. 1000000") from None
        unpivot = mapping("unpivot")
        if unpivot:
            extra = sorted(set(unpivot) - {"columns", "name", "value"})
            cols = unpivot.get("columns")
            if extra or not isinstance(cols, Mapping) or not cols or not unpivot.get("name") or not unpivot.get("value"):
                raise bad("option 'unpivot' needs exactly 'columns' (a non-empty mapping), 'name' and 'value'",
                          "write unpivot: {columns: {csv_col: value_for_name}, name: col, value: col}")
            unpivot = {"columns": {str(k): v for k, v in cols.items()}, "name": str(unpivot["name"]),
                       "value": str(unpivot["value"])}
        self.unpivot = unpivot
        ignore = opts.get("ignore") or []
        if not isinstance(ignore, list) or not all(isinstance(c, str) for c in ignore):
            raise bad("option 'ignore' must be a list of column names", "write ignore: [column_a, column_b]")
        self.ignore = frozenset(ignore)

    def extract(self, fetcher: Fetcher, cursor: Mapping[str, Any] | None = None) -> Iterator[Payload]:
        """The whole file is one payload, fetched conditionally: an unchanged file is not parsed again."""
        location = self.config.location
        yield fetcher.get(location, source=self.name, validators=file_validators(cursor, location))

    def next_cursor(self, cursor: Mapping[str, Any] | None, frame: pl.DataFrame,
                    fetched: Sequence[PayloadInfo]) -> dict[str, Any]:
        return remember_files(cursor, fetched)

    def parse(self, payload: Payload) -> ParseResult:
        def fail(problem: str, fix: str, line: int | None = None) -> SourceError:
            where = payload.url if line is None else f"{payload.url}, line {line}"
            return SourceError(payload.source, where, problem, fix)

        try:
            text = payload.content.decode("utf-8-sig")  # tolerate the BOM spreadsheet programs write
        except UnicodeDecodeError as exc:
            raise fail(f"the file is not UTF-8 (byte {exc.start})", "save it as UTF-8 (CSV UTF-8)") from None
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        rows: list[dict[str, Any]] = []
        rejected: list[Rejected] = []
        try:
            header = [h.strip() for h in next(reader, [])]
            if not any(header):
                raise fail("the file is empty or has no header row", "put the column names on the first line")
            dupes = sorted({h for h in header if header.count(h) > 1})
            if dupes:
                raise fail(f"the header repeats column(s) {', '.join(dupes)}", "give every column a unique name")
            dropped = self._check_columns(header, fail)
            drifted = self._check_drift(header, text, payload)
            for raw in reader:
                if not any(cell.strip() for cell in raw):
                    continue  # blank line
                line = reader.line_num
                record = dict(zip(header, raw))
                if len(raw) != len(header):
                    rejected.append(Rejected({**record, "_line": line}, f"line {line} has {len(raw)} fields, the header has {len(header)}"))
                    continue
                try:
                    rows.extend(self._transform(record))
                except _RowError as exc:
                    rejected.append(Rejected({**record, "_line": line}, f"line {line}: {exc}"))
        except csv.Error as exc:
            raise fail(f"not valid CSV: {exc}", "fix the quoting (RFC 4180: quote fields holding commas, "
                       "quotes or line breaks, and double quotes inside them)", reader.line_num) from None
        result = self.conform(rows, payload)
        result.rejected[:0] = drifted + rejected
        if dropped:
            result.notes.append(f"columns not in raw.{self.table}, not loaded: {', '.join(dropped)}")
        return result

    def _check_drift(self, header: list[str], text: str, payload: Payload) -> list[Rejected]:
        """Raise if a typed column no longer holds its type; one quarantine record per unknown column.

        The file's columns are expected to map (after ``rename``) onto the table, or to be named by
        the options, or to be listed in ``ignore``; any other column is new.
        """
        expected: dict[str, str] = {}
        for col in header:
            target = self.rename.get(col, col)
            if col in self.ignore or (self.unpivot and target in self.unpivot["columns"]):
                expected[col] = "text"
            elif target in self.schema:
                transformed = target in self.values or target in self.constants
                expected[col] = "text" if transformed else drift.kind_of_dtype(self.schema[target])
        reader = csv.DictReader(io.StringIO(text, newline=""), fieldnames=header)
        next(reader, None)  # the header row itself
        return drift.check(header, reader, drift.Expected(required={}, optional=expected), source=self.name,
                           where=payload.url, fix=f"map the column onto raw.{self.table} with options.rename, or "
                           "list it in options.ignore (see sources/csv_table/README.md)")

    def _check_columns(self, header: list[str], fail) -> list[str]:
        """Fail early, naming the column, if the options or the table's key need what the file lacks.

        Returns the columns that will be dropped because the table has no place for them.
        """
        absent = [c for c in self.rename if c not in header]
        if absent:
            raise fail(f"options.rename names column(s) {', '.join(absent)} that the file does not have "
                       f"(it has: {', '.join(header)})", "fix the column names in options.rename or in the file")
        cols = {self.rename.get(h, h) for h in header}
        if self.unpivot:
            absent = [c for c in self.unpivot["columns"] if c not in cols]
            if absent:
                raise fail(f"options.unpivot.columns names column(s) {', '.join(absent)} that the file does not have",
                           "fix options.unpivot.columns (after rename) or the file's header")
            cols = (cols - set(self.unpivot["columns"])) | {self.unpivot["name"], self.unpivot["value"]}
        cols |= set(self.constants)
        for option in ("values", "multiply"):
            absent = [c for c in getattr(self, option) if c not in cols]
            if absent:
                raise fail(f"options.{option} names column(s) {', '.join(absent)} that no row will have",
                           f"fix options.{option}: use the column names as they are after rename/unpivot")
        for k in self.key:
            if k not in cols and k not in SET_BY_CONFORM:
                raise fail(f"the file has no column '{k}', which raw.{self.table}'s key "
                           f"({', '.join(self.key)}) needs (it has: {', '.join(header)})",
                           f"add a '{k}' column to the file, or map one onto it in alliance.yml with "
                           f"options.rename ({{your_column: {k}}}) or options.constants")
        return sorted(cols - set(self.schema))

    def _transform(self, record: dict[str, str]) -> list[dict[str, Any]]:
        """Apply, in order: rename, unpivot, constants, values, multiply."""
        row: dict[str, Any] = {self.rename.get(k, k): v for k, v in record.items()}
        if self.unpivot:
            name, value, columns = self.unpivot["name"], self.unpivot["value"], self.unpivot["columns"]
            base = {k: v for k, v in row.items() if k not in columns}
            out = [{**base, name: label, value: row[col]} for col, label in columns.items() if row[col].strip()]
            if not out:
                raise _RowError(f"no value in any of {', '.join(columns)}")
        else:
            out = [row]
        for r in out:
            r.update(self.constants)
            for col, table in self.values.items():
                if col in r and str(r[col]) in table:
                    r[col] = table[str(r[col])]
            for col, factor in self.multiply.items():
                v = r.get(col)
                if v is None or str(v).strip() == "":
                    continue
                try:
                    number = Decimal(str(v).strip())
                except InvalidOperation:
                    number = None
                if number is None or not number.is_finite():
                    raise _RowError(f"column '{col}' value {v!r} is not a number (options.multiply)")
                r[col] = float(number * factor)  # Decimal first: 75.2 x 1e9 stays exactly 75200000000
        return out
