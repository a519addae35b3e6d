"""The warehouse file and the only code that writes to it.

DuckDB allows one writer per file, and dbt runs as a subprocess that needs the lock too, so every
write here opens a short-lived connection inside a context manager and closes it before returning.
Loads run in one transaction per source: a table holds either its old or its new rows.

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
        frame = frame.cast(dict(schema))
        frame, implausible = split_implausible(frame)
        rejected = [*rejected, *((r.record.get("payload_sha256"), r) for r in implausible)]
        now = datetime.now(UTC)
        t = f"raw.{ident(table)}"
        key_cols = [ident(k) for k in key]
        match = " and ".join(f"t.{k} is not distinct from i.{k}" for k in key_cols)
        with self.connect() as con:
            con.execute(_BOOTSTRAP)
            # before anything is written: a drifted schema loads nothing (the payloads stay archived)
            check_table_drift(con, table=table, declared={c: duckdb_type(t) for c, t in schema.items()},
                              source=source)
            self.ensure_table(con, table, schema)
            con.execute("begin transaction")
            try:
                con.register("incoming", frame.to_arrow())
                replaced = con.execute(
                    f"select count(*) from {t} t where exists (select 1 from incoming i where {match})"
                ).fetchall()[0][0]
                con.execute(f"delete from {t} t where exists (select 1 from incoming i where {match})")
                crash_point("load")
                cols = ", ".join(ident(c) for c in schema.names())
                con.execute(f"insert into {t} ({cols}, loaded_at) select {cols}, ? from incoming", [now])
                con.unregister("incoming")
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

    def replace_table(self, schema_name: str, table: str, frame: pl.DataFrame) -> int:
        """Replace a derived table (``enrich.*``) wholesale, in one transaction."""
        with self.connect() as con:
            con.execute(f"create schema if not exists {ident(schema_name)}")
            con.register("incoming", frame.to_arrow())
            con.execute("begin transaction")
            try:
                con.execute(f"create or replace table {ident(schema_name)}.{ident(table)} as select * from incoming")
                crash_point("replace")
                con.execute("commit")
            except BaseException:
                con.execute("rollback")
                raise
            finally:
                con.unregister("incoming")
        return frame.height

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
