"""Schema drift between a source's declared schema and the raw table it loads into.

A plugin upgrade, a changed ``csv_table`` option or a third-party plugin can declare columns the
existing ``raw.<table>`` does not have, drop one it has, or change a column's type. Loading anyway
would fail half-way in SQL, or silently cast and lose values. So :meth:`Warehouse.load` compares
the two before it writes anything and raises :class:`SchemaDriftError`, which names the source,
the table and every drifted column. Nothing is lost: the payloads were archived before parsing
(``landing/<source>/``), so after the table or the plugin is fixed the source can be replayed.
(Drift inside a payload, a CSV or JSON whose columns changed, is the plugins' own check.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import duckdb

from sources.contract import SourceError

#: Columns the loader adds itself; they are not part of any plugin's schema.
LOADER_COLUMNS = frozenset({"loaded_at"})


@dataclass(frozen=True)
class ColumnDrift:
    column: str
    kind: str                # "new" (declared, not in the table), "missing" (in the table only), "retyped"
    declared: str | None     # DuckDB type the source declares
    existing: str | None     # DuckDB type of the table's column

    def describe(self) -> str:
        if self.kind == "new":
            return f"new column '{self.column}' ({self.declared}) is not in the table"
        if self.kind == "missing":
            return f"column '{self.column}' ({self.existing}) is no longer declared by the source"
        return f"column '{self.column}' is {self.existing} in the table but the source now declares {self.declared}"


class SchemaDriftError(SourceError):
    """The source's declared schema and its raw table disagree; nothing was loaded."""

    def __init__(self, source: str, table: str, changes: list[ColumnDrift]):
        self.table, self.changes = table, changes
        super().__init__(
            source, f"raw.{table}",
            "schema drift, nothing loaded: " + "; ".join(c.describe() for c in changes),
            f"the payloads stay archived in landing/{source}/. Either migrate raw.{table} to the new schema "
            f"(ALTER TABLE raw.{table} ADD / DROP / ALTER COLUMN) or fix the plugin's schema, then run "
            f"`alliance replay {source}` to load them",
        )


def table_drift(con: duckdb.DuckDBPyConnection, table: str, declared: Mapping[str, str]) -> list[ColumnDrift]:
    """How ``declared`` (column -> DuckDB type) differs from ``raw.<table>``; empty if it has no table yet."""
    existing = {name: dtype.upper() for name, dtype in con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = 'raw' and table_name = ? order by ordinal_position", [table]).fetchall()
        if name not in LOADER_COLUMNS}
    if not existing:
        return []
    changes = [ColumnDrift(c, "new", t, None) for c, t in declared.items() if c not in existing]
    changes += [ColumnDrift(c, "missing", None, t) for c, t in existing.items() if c not in declared]
    changes += [ColumnDrift(c, "retyped", declared[c], t) for c, t in existing.items()
                if c in declared and declared[c].upper() != t]
    return changes


def check_table_drift(con: duckdb.DuckDBPyConnection, *, table: str, declared: Mapping[str, str], source: str) -> None:
    """Raise :class:`SchemaDriftError` when ``raw.<table>`` does not match ``declared``."""
    changes = table_drift(con, table, declared)
    if changes:
        raise SchemaDriftError(source, table, changes)
