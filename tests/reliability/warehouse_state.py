"""What a warehouse holds, as comparable fingerprints: one order-independent hash per table.

A table's hash is the md5 of its rows rendered as text and sorted, so two tables with the same rows
in any order hash alike. Columns that record *when* something was loaded (``loaded_at``,
``quarantined_at``, ``fetched_at``, ``updated_at``) are left out: they differ between two loads of
the same data by design; archive paths are compared from ``landing/`` on. Raw tables several sources feed are also hashed per source (a load is one
transaction per source, so that is the unit that must be old-or-new after a crash).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb

from orchestration.lib.warehouse import ident

LOAD_TIME_COLUMNS = frozenset({"loaded_at", "quarantined_at", "fetched_at", "updated_at"})
SCHEMAS = ("landing", "raw", "enrich", "seeds", "staging", "intermediate", "marts")


def _row_text_sql(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> tuple[str, list[str]]:
    cols = [c for (c,) in con.execute(
        "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
        "order by ordinal_position", [schema, table]).fetchall() if c not in LOAD_TIME_COLUMNS]
    row = "concat_ws('\x1f', " + ", ".join(f"coalesce({_value(c)}, '\x00')" for c in cols) + ")"
    return row, cols


def _value(column: str) -> str:
    # Archive paths are absolute; a copied data folder keeps its rows, so compare them from landing/ on.
    if column == "archive_path":
        return "regexp_extract(archive_path, 'landing/.*$')"
    return f"{ident(column)}::varchar"


def _digest(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> str:
    rows = con.execute(sql, params or []).fetchall()
    h = hashlib.md5(usedforsecurity=False)
    for (text,) in sorted(rows):
        h.update(text.encode("utf-8"))
        h.update(b"\n")
    return f"{len(rows)}:{h.hexdigest()}"


def table_hashes(db: Path, schemas: tuple[str, ...] = SCHEMAS) -> dict[str, str]:
    """``{"schema.table": hash}`` for every table and view, plus ``"raw.<t>[<source>]"`` slices."""
    out: dict[str, str] = {}
    with duckdb.connect(str(db), read_only=True) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables where table_schema in "
            f"({', '.join('?' for _ in schemas)}) order by 1, 2", list(schemas)).fetchall()
        for schema, table in tables:
            row, cols = _row_text_sql(con, schema, table)
            name = f"{ident(schema)}.{ident(table)}"
            out[name] = _digest(con, f"select {row} from {name}")
            if schema == "raw" and "source" in cols:
                for (source,) in con.execute(f"select distinct source from {name} order by 1").fetchall():
                    out[f"{name}[{source}]"] = _digest(con, f"select {row} from {name} where source = ?", [source])
    return out


def landing_rows(db: Path) -> set[tuple[str, str, str, str]]:
    """(source, sha256, url, archive file) of every archived payload."""
    with duckdb.connect(str(db), read_only=True) as con:
        return set(con.execute("select source, payload_sha256, url, archive_path from landing.payloads").fetchall())


def landing_files(data_dir: Path) -> dict[str, str]:
    """``{relative path: sha256 of the bytes}`` for every payload file in the landing folder."""
    root = Path(data_dir) / "landing"
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and not p.name.startswith(".")}
