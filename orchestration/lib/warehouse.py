"""The warehouse file and the only code that writes to it.

DuckDB allows one writer per file, and dbt runs as a subprocess that needs the lock too, so every
write here opens a short-lived connection inside a context manager and closes it before returning.
Loads run in one transaction per source: a table holds either its old or its new rows. Inside
it, rows go to DuckDB in slices of bounded size, and a column with one value on every row of a slice
(source, URL, payload hash) is bound as one parameter rather than copied per row (benchmarks P1, P6).

Layout under ``ALLIANCE_DATA_DIR``::

    warehouse.duckdb         the working warehouse (Dagster and dbt write here)
    landing/<source>/<sha>   every payload's raw bytes, content-addressed
    published/warehouse.duckdb   the read-only snapshot analysts query (see publish())
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from orchestration.lib.crashpoints import crash_point
from orchestration.lib.plausible import split_implausible
from orchestration.lib.table_drift import check_table_drift
from sources.contract import Payload, Rejected, redact_secrets

_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")

_DUCKDB_TYPES = {
    pl.String: "VARCHAR",
    pl.Date: "DATE",
    pl.Float64: "DOUBLE",
    pl.Float32: "FLOAT",
    pl.Int64: "BIGINT",
    pl.Int32: "INTEGER",
    pl.Boolean: "BOOLEAN",
}

_BOOTSTRAP = """
create schema if not exists raw;
create schema if not exists landing;
create table if not exists landing.payloads (
    payload_sha256 varchar not null,
    source varchar not null,
    url varchar not null,
    fetched_at timestamptz not null,
    http_status integer,
    content_type varchar,
    size_bytes bigint not null,
    meta json,
    archive_path varchar not null
);
create table if not exists landing.cursors (
    source varchar primary key,
    cursor json not null,
    updated_at timestamptz not null
);
create table if not exists raw.quarantine (
    source varchar not null,
    payload_sha256 varchar,
    record json,
    reason varchar not null,
    quarantined_at timestamptz not null
);
"""


def ident(name: str) -> str:
    """A validated SQL identifier (identifiers cannot be bound parameters)."""
    if not _IDENT.match(name):
        raise ValueError(f"'{name}' is not a valid table or column name (lowercase letters, digits, '_')")
    return name


def duckdb_type(dtype: pl.DataType) -> str:
    if isinstance(dtype, pl.Datetime):
        return "TIMESTAMP"
    try:
        return _DUCKDB_TYPES[dtype.base_type()]
    except KeyError:
        raise TypeError(f"no DuckDB column type for Polars type {dtype}") from None


#: Rows per slice of a raw load: bounds the Arrow copy handed to DuckDB (benchmark P6). Whole row
#: groups (DuckDB's are 122,880 rows): measured here, 250,000-row slices (partial row groups) cost
#: 40% more CPU than 245,760, and 491,520 no less CPU but 140 MB more peak memory at 2 M rows.
LOAD_SLICE_ROWS = 2 * 122_880


def _bound(frame: pl.DataFrame, schema: pl.Schema) -> tuple[dict[str, str], list[object], pl.DataFrame]:
    """Split a slice into SQL expressions per column, their parameters, and the Arrow-bound rest.

    A column with one value on every row of the slice (source, URL, payload hash) becomes one bound
    parameter instead of a column of identical cells: nothing to copy, nothing to hash.
    """
    const = constant_columns(frame)
    if len(const) == frame.width:  # keep one real column: it carries the slice's row count
        del const[frame.columns[0]]
    exprs, params = {}, []
    for c in frame.columns:
        if c in const:
            exprs[c] = f"?::{duckdb_type(schema[c])}"
            params.append(const[c])
        else:
            exprs[c] = f"i.{ident(c)}"
    return exprs, params, frame.select([c for c in frame.columns if c not in const])


def _delete_matching(con: duckdb.DuckDBPyConnection, t: str, keys: pl.DataFrame, schema: pl.Schema) -> int:
    """Delete the rows of ``t`` whose key is in ``keys``; returns how many (DuckDB's delete count)."""
    exprs, params, incoming = _bound(keys, schema)
    con.register("incoming", incoming.to_arrow())
    try:
        match = " and ".join(f"t.{ident(k)} is not distinct from {e}" for k, e in exprs.items())
        return con.execute(f"delete from {t} t where exists (select 1 from incoming i where {match})",
                           params).fetchall()[0][0]
    finally:
        con.unregister("incoming")


def _insert(con: duckdb.DuckDBPyConnection, t: str, part: pl.DataFrame, schema: pl.Schema, now: datetime) -> None:
    """Append one slice, its constant columns bound once (see :func:`_bound`)."""
    exprs, params, incoming = _bound(part, schema)
    con.register("incoming", incoming.to_arrow())
    try:
        cols = ", ".join(ident(c) for c in exprs)
        con.execute(f"insert into {t} ({cols}, loaded_at) select {', '.join(exprs.values())}, ? from incoming i",
                    [*params, now])
    finally:
        con.unregister("incoming")


def constant_columns(frame: pl.DataFrame) -> dict[str, object]:
    """The columns holding one value on every row (nulls excluded), with that value.

    At most a min/max scan per column, no hashing: cheap next to loading the rows. Empty frames have none.
    """
    out: dict[str, object] = {}
    if not frame.height:
        return out
    for name, s in frame.to_dict().items():
        if s.dtype.is_nested() or s.dtype == pl.Object or s.null_count():
            continue
        first = s[0]
        if s[-1] == first and s.min() == first and s.max() == first:  # last vs first: O(1) for most
            out[name] = first
    return out


@dataclass
class LoadStats:
    table: str
    source: str
    rows_in: int
    rows_inserted: int
    rows_replaced: int
    quarantined: int
    rows_in_table: int


class Warehouse:
    """Paths under the data folder, plus the write operations."""

    def __init__(self, data_dir: Path):
        self.data_dir = Path(data_dir).resolve()
        self.path = self.data_dir / "warehouse.duckdb"
        self.landing_dir = self.data_dir / "landing"
        self.published_path = self.data_dir / "published" / "warehouse.duckdb"

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(self.path), read_only=read_only)
        try:
            yield con
        finally:
            con.close()

    def bootstrap(self) -> None:
        with self.connect() as con:
            con.execute(_BOOTSTRAP)

    # Landing archive ---------------------------------------------------------------------

    def archive(self, payload: Payload) -> Path:
        """Store the payload's bytes (content-addressed) and record where they came from.

        The bytes are written before the row, and the row before anything parses them, so every
        parsed row can be traced back to an archived payload, and replay needs no network.
        """
        crash_point("archive")
        sha = payload.sha256
        folder = self.landing_dir / ident(payload.source)
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / sha
        if not target.exists():
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=".incoming-")
            with os.fdopen(fd, "wb") as fh:
                fh.write(payload.content)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        crash_point("archived")
        with self.connect() as con:
            con.execute(_BOOTSTRAP)
            con.execute(
                """
                insert into landing.payloads
                select ?, ?, ?, ?, ?, ?, ?, ?, ?
                where not exists (
                    select 1 from landing.payloads where payload_sha256 = ? and source = ? and url = ?
                )
                """,
                [sha, payload.source, payload.url, payload.fetched_at, payload.status, payload.content_type,
                 len(payload.content), payload.meta_json(), str(target), sha, payload.source, payload.url],
            )
        return target

    # Raw loads ---------------------------------------------------------------------------

    def ensure_table(self, con: duckdb.DuckDBPyConnection, table: str, schema: pl.Schema) -> None:
        cols = ",\n  ".join(f"{ident(c)} {duckdb_type(t)}" for c, t in schema.items())
        con.execute(f"create table if not exists raw.{ident(table)} (\n  {cols},\n  loaded_at timestamptz\n)")

    def load(self, *, table: str, key: Sequence[str], schema: pl.Schema, source: str,
             frame: pl.DataFrame, rejected: Sequence[tuple[str | None, Rejected]] = ()) -> LoadStats:
        """Merge ``frame`` into ``raw.<table>`` on ``key`` and quarantine ``rejected``, atomically.

        Rows whose key already exists are replaced; others are inserted. Rerunning a load with the
        same rows changes nothing but ``loaded_at``. ``rejected`` pairs a payload sha256 with the
        record that could not be loaded; identical quarantine entries are not added twice. Rows with
        an implausible date (see :mod:`orchestration.lib.plausible`) are quarantined here too.
        """
        if list(frame.schema.names()) != list(schema.names()):
            raise ValueError(f"frame columns {frame.columns} do not match the declared schema {list(schema.names())}")
        if frame.schema != schema:  # a no-op cast still copies every column
            frame = frame.cast(dict(schema))
        frame, implausible = split_implausible(frame)
        rejected = [*rejected, *((r.record.get("payload_sha256"), r) for r in implausible)]
        now = datetime.now(UTC)
        t = f"raw.{ident(table)}"
        key_cols = [ident(k) for k in key]
        with self.connect() as con:
            con.execute(_BOOTSTRAP)
            # before anything is written: a drifted schema loads nothing (the payloads stay archived)
            check_table_drift(con, table=table, declared={c: duckdb_type(t) for c, t in schema.items()},
                              source=source)
            self.ensure_table(con, table, schema)
            con.execute("begin transaction")
            try:
                # In slices of bounded size, inside the one transaction: first every slice's keys
                # delete the rows they replace, then every slice is inserted (so a key repeated in
                # the frame is inserted twice, as before, and never deletes a row of this load).
                replaced = 0
                if frame.height and con.execute(f"select count(*) from {t}").fetchall()[0][0]:
                    for part in frame.iter_slices(LOAD_SLICE_ROWS):
                        replaced += _delete_matching(con, t, part.select(key_cols), schema)
                crash_point("load")
                for part in frame.iter_slices(LOAD_SLICE_ROWS) if frame.height else ():
                    _insert(con, t, part, schema, now)
                quarantined = 0
                for sha, rej in rejected:  # no registered secret (API key) is ever written down
                    record = redact_secrets(json.dumps(dict(rej.record), sort_keys=True, default=str))
                    reason = redact_secrets(rej.reason)
                    quarantined += con.execute(
                        """
                        insert into raw.quarantine
                        select ?, ?, ?, ?, ?
                        where not exists (
                            select 1 from raw.quarantine q
                            where q.source = ? and q.payload_sha256 is not distinct from ?
                              and q.record::varchar = ?::json::varchar and q.reason = ?
                        )
                        """,
                        [source, sha, record, reason, now, source, sha, record, reason],
                    ).fetchall()[0][0]
                total = con.execute(f"select count(*) from {t}").fetchall()[0][0]
                crash_point("commit")
                con.execute("commit")
            except BaseException:
                con.execute("rollback")
                raise
        return LoadStats(table=table, source=source, rows_in=frame.height, rows_inserted=frame.height - replaced,
                         rows_replaced=replaced, quarantined=quarantined, rows_in_table=total)

    # Cursors -------------------------------------------------------------------------------

    def get_cursor(self, source: str) -> dict | None:
        if not self.path.exists():
            return None
        with self.connect() as con:
            con.execute(_BOOTSTRAP)
            rows = con.execute("select cursor from landing.cursors where source = ?", [source]).fetchall()
        return json.loads(rows[0][0]) if rows else None

    def set_cursor(self, source: str, cursor: dict) -> None:
        crash_point("cursor")
        with self.connect() as con:
            con.execute(_BOOTSTRAP)
            con.execute("insert or replace into landing.cursors values (?, ?, ?)",
                        [source, json.dumps(cursor, default=str), datetime.now(UTC)])

    # Publishing ---------------------------------------------------------------------------

    def publish(self) -> Path:
        """Copy the warehouse to ``published/warehouse.duckdb`` and swap it in atomically.

        A checkpoint first folds the write-ahead log into the file, so the copy is complete. The
        rename is atomic: a reader that already opened the old snapshot keeps reading it, and a
        crash at any moment leaves the previous snapshot in place. Copies left behind by a crashed
        publish are removed first (publishes are serialised by the ``duckdb`` pool).
        """
        with self.connect() as con:
            con.execute("checkpoint")
        target = self.published_path
        target.parent.mkdir(parents=True, exist_ok=True)
        for stale in target.parent.glob(".publishing-*"):
            stale.unlink(missing_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".publishing-", suffix=".duckdb")
        os.close(fd)
        try:
            shutil.copyfile(self.path, tmp)
            with open(tmp, "rb") as fh:  # on disk before the swap, not only in the page cache
                os.fsync(fh.fileno())
            with duckdb.connect(tmp, read_only=True) as con:  # refuse to publish a file that does not open
                con.execute("select count(*) from information_schema.tables").fetchall()
            os.chmod(tmp, 0o444)
            crash_point("publish")
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return target

    def table_counts(self, path: Path | None = None) -> dict[str, int]:
        """Row counts of every table in the raw, enrich and marts schemas."""
        db = path or self.path
        if not Path(db).exists():
            return {}
        with duckdb.connect(str(db), read_only=True) as con:
            names = con.execute(
                """select table_schema, table_name from information_schema.tables
                   where table_schema in ('raw', 'enrich', 'marts') and table_type = 'BASE TABLE'
                   order by 1, 2"""
            ).fetchall()
            return {f"{s}.{t}": con.execute(f"select count(*) from {ident(s)}.{ident(t)}").fetchall()[0][0]
                    for s, t in names}
