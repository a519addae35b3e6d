"""`alliance sql`: read-only SQL against the published snapshot."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from orchestration.cli.env import prepare_env

ALLOWED_STATEMENTS = {"SELECT", "EXPLAIN"}


class ReadOnlyQueryError(Exception):
    pass


def run_readonly_query(db: Path, query: str):
    """Run one read-only statement against ``db``; refuse anything that writes, attaches or copies.

    Two fences: the statement types are checked before running, and the connection itself is
    read-only with external access disabled and its configuration locked, so neither ATTACH nor
    COPY TO nor reading local files works even through a function call.
    """
    import duckdb

    try:
        statements = duckdb.extract_statements(query)
    except duckdb.Error as exc:
        raise ReadOnlyQueryError(f"the query does not parse: {exc}") from None
    if len(statements) != 1:
        raise ReadOnlyQueryError(f"give exactly one statement (got {len(statements)})")
    kind = statements[0].type.name
    if kind not in ALLOWED_STATEMENTS:
        raise ReadOnlyQueryError(f"{kind} statements are refused: `alliance sql` is read-only "
                                 "(only SELECT, WITH ... SELECT, DESCRIBE, SHOW, SUMMARIZE and EXPLAIN)")
    if not db.exists():
        raise ReadOnlyQueryError(f"no published warehouse at {db}: run `alliance refresh` first")
    con = duckdb.connect(str(db), read_only=True,
                         config={"enable_external_access": False, "lock_configuration": True})
    try:
        cur = con.execute(query)
        columns = [c[0] for c in cur.description]
        rows = cur.fetchall()
    except duckdb.Error as exc:
        raise ReadOnlyQueryError(str(exc).splitlines()[0]) from None
    finally:
        con.close()
    return columns, rows


def cmd_sql(args: argparse.Namespace) -> int:
    d = prepare_env()
    from orchestration.lib.warehouse import Warehouse

    db = Path(args.database) if args.database else Warehouse(d).published_path
    try:
        columns, rows = run_readonly_query(db, args.query)
    except ReadOnlyQueryError as exc:
        print(f"alliance sql: {exc}", file=sys.stderr)
        return 2
    _write_rows(columns, rows, args.format)
    return 0


def _write_rows(columns, rows, fmt: str) -> None:
    import csv
    import json
    from datetime import date, datetime
    from decimal import Decimal

    def plain(v):
        if isinstance(v, (date, datetime)):
            return v.isoformat()
        if isinstance(v, Decimal):
            return float(v)
        return v

    if fmt == "json":
        json.dump([{c: plain(v) for c, v in zip(columns, r)} for r in rows], sys.stdout, default=str, indent=1,
                  ensure_ascii=False)
        sys.stdout.write("\n")
    elif fmt == "csv":
        w = csv.writer(sys.stdout)
        w.writerow(columns)
        w.writerows([[plain(v) for v in r] for r in rows])
    else:
        from rich.console import Console
        from rich.table import Table

        t = Table()
        for c in columns:
            t.add_column(c, overflow="fold")
        for r in rows:
            t.add_row(*["" if v is None else str(plain(v)) for v in r])
        Console().print(t)
        print(f"({len(rows)} rows)")


def register(sub) -> None:
    s = sub.add_parser("sql", help="read-only SQL against the published warehouse")
    s.add_argument("query")
    s.add_argument("--format", choices=["table", "csv", "json"], default="table")
    s.add_argument("--database", help="query this DuckDB file instead of the published snapshot")
    s.set_defaults(func=cmd_sql)
