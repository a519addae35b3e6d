"""The ``alliance`` command line: refresh, sql, sources, ui.

Every command works on ``ALLIANCE_DATA_DIR`` (default ``./data``) and the config in
``ALLIANCE_CONFIG`` (default ``alliance.yml``). Run ``alliance <command> --help`` for options.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path


def _prepare_env() -> Path:
    """Absolute data folder and a Dagster home inside it, shared by the CLI, dbt and the UI."""
    from orchestration.lib.config import data_dir

    d = data_dir()
    os.environ["ALLIANCE_DATA_DIR"] = str(d)
    home = d / "dagster"
    home.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DAGSTER_HOME", str(home))
    yaml_path = Path(os.environ["DAGSTER_HOME"]) / "dagster.yaml"
    if not yaml_path.exists():
        yaml_path.write_text(DAGSTER_YAML)
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    return d


# SQLite storage under the data folder; every DuckDB-touching step shares the `duckdb` pool of one.
DAGSTER_YAML = """\
# Written by `alliance` on first use. Storage is SQLite under this folder; see README
# ("Running for a team") for Postgres.
telemetry:
  enabled: false
concurrency:
  pools:
    default_limit: 1
"""


# refresh --------------------------------------------------------------------------------------

def cmd_refresh(args: argparse.Namespace) -> int:
    started = time.monotonic()
    d = _prepare_env()
    from dagster import AssetSelection, DagsterEventType, DagsterInstance

    from orchestration.definitions import build_definitions
    from orchestration.lib.warehouse import Warehouse
    from orchestration.schedules import REFRESH_JOB

    defs = build_definitions(full_refresh=args.full_refresh)
    job_name = REFRESH_JOB if args.executor == "in_process" else f"{REFRESH_JOB}_multiprocess"
    job = defs.resolve_job_def(job_name)
    selection = None
    if args.select:
        graph = defs.resolve_asset_graph()
        selection = list(AssetSelection.from_string(args.select).resolve(graph))
        if not selection:
            print(f"alliance refresh: --select {args.select!r} matches no asset", file=sys.stderr)
            return 2
    run_config = {"loggers": {"console": {"config": {"log_level": args.log_level}}}}
    instance = DagsterInstance.get()
    print(f"Refreshing {len(selection) if selection else 'all'} assets into {d} ...", flush=True)
    result = job.execute_in_process(instance=instance, raise_on_error=False, asset_selection=selection,
                                    run_config=run_config if args.executor == "in_process" else None)
    checks_passed = checks_failed = 0
    failed_checks: list[str] = []
    materialized = 0
    failures: list[str] = []
    for ev in result.all_events:
        if ev.event_type == DagsterEventType.ASSET_MATERIALIZATION:
            materialized += 1
        elif ev.event_type == DagsterEventType.ASSET_CHECK_EVALUATION:
            data = ev.event_specific_data
            if data.passed:
                checks_passed += 1
            else:
                checks_failed += 1
                failed_checks.append(f"{data.asset_key.to_user_string()}:{data.check_name}")
        elif ev.event_type == DagsterEventType.STEP_FAILURE:
            err = ev.event_specific_data.error
            while err is not None and err.cause is not None:  # the user-facing error is the innermost
                err = err.cause
            msg = (err.message if err else "").strip().splitlines()
            failures.append(f"{ev.step_key}: {msg[0] if msg else 'failed'}")
    wh = Warehouse(d)
    published = wh.published_path.exists()
    counts = wh.table_counts(wh.published_path if published else wh.path)
    _print_summary("published snapshot" if published else "working warehouse, not published", counts, materialized, checks_passed, checks_failed, failed_checks, failures,
                   time.monotonic() - started, d, result.run_id)
    return 0 if result.success and not checks_failed else 1


def _print_summary(label, counts, materialized, passed, failed, failed_checks, failures, seconds, d, run_id) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title=f"Rows per table ({label})")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, n in counts.items():
        table.add_row(name, f"{n:,}")
    console.print(table)
    console.print(f"Assets materialised: {materialized}   Checks passed: {passed}   Checks failed: {failed}   "
                  f"Time: {seconds:.1f} s")
    for c in failed_checks:
        console.print(f"[red]check failed[/red] {c}")
    for f in failures:
        console.print(f"[red]step failed[/red] {f}")
    if failures or failed_checks:
        console.print(f"[bold red]Refresh finished with failures[/bold red]: {len(failures)} step(s), "
                      f"{len(failed_checks)} check(s). Details: run {run_id} in the Dagster UI (alliance ui), "
                      "and rejected rows in raw.quarantine.")
    console.print("Next: [bold]alliance ui[/bold] opens the Dagster UI on http://127.0.0.1:3000 ; "
                  "[bold]alliance sql \"select * from marts.article_context limit 5\"[/bold] queries the warehouse "
                  f"({d / 'published' / 'warehouse.duckdb'}).")


# sql ------------------------------------------------------------------------------------------

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
    d = _prepare_env()
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


# sources --------------------------------------------------------------------------------------

def cmd_sources(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from orchestration.lib.config import load_config
    from sources import registry

    console = Console()
    plugins = registry.installed_plugins()
    t = Table(title="Installed source plugins (entry point group alliance_warehouse.sources)")
    for c in ("plugin", "class", "cadence"):
        t.add_column(c)
    for name, cls in sorted(plugins.items()):
        t.add_row(name, f"{cls.__module__}.{cls.__qualname__}", cls.cadence)
    console.print(t)
    config = load_config()
    t = Table(title=f"Configured sources ({config.path})")
    for c in ("name", "plugin", "table", "location"):
        t.add_column(c, overflow="fold")
    for s in config.sources:
        try:
            table = f"raw.{registry.create(s).table}"
        except Exception as exc:  # noqa: BLE001 - a broken source is reported, not fatal for listing
            table = f"error: {exc}"
        t.add_row(s.name, s.plugin, table, s.location)
    console.print(t)
    return 0


# ui -------------------------------------------------------------------------------------------

def cmd_ui(args: argparse.Namespace) -> int:
    """Run ``dagster dev`` (webserver + daemon, so the schedule runs) in its own process group.

    Started from a script, ``dagster dev`` ignores SIGINT/SIGTERM; we run it in a new session and
    forward the signal to the whole group, so stopping ``alliance ui`` leaves no stray processes.
    """
    import signal
    import subprocess

    _prepare_env()
    from orchestration.lib.config import PROJECT_ROOT

    exe = Path(sys.executable).parent / "dagster"
    cmd = [str(exe if exe.exists() else "dagster"), "dev", "-m", "orchestration.definitions",
           "-h", args.host, "-p", str(args.port)]
    print(f"Dagster UI on http://{args.host}:{args.port} (DAGSTER_HOME={os.environ['DAGSTER_HOME']}); Ctrl-C stops it.",
          flush=True)
    proc = subprocess.Popen(cmd, cwd=PROJECT_ROOT, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))

    def stop(signum, _frame):
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        code = proc.wait()
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
    return 0 if code in (0, -signal.SIGTERM, -signal.SIGINT) else code


# main -----------------------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="alliance", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)

    r = sub.add_parser("refresh", help="materialise everything (or a selection) through Dagster, in process")
    r.add_argument("--select", help="Dagster asset selection, e.g. 'key:ingest/commentary+' or 'group:marts'")
    r.add_argument("--full-refresh", action="store_true", help="ignore stored cursors and fetch everything again")
    r.add_argument("--executor", choices=["in_process", "multiprocess"], default="in_process")
    r.add_argument("--log-level", default="WARNING", help="Dagster console log level (default WARNING)")
    r.set_defaults(func=cmd_refresh)

    s = sub.add_parser("sql", help="read-only SQL against the published warehouse")
    s.add_argument("query")
    s.add_argument("--format", choices=["table", "csv", "json"], default="table")
    s.add_argument("--database", help="query this DuckDB file instead of the published snapshot")
    s.set_defaults(func=cmd_sql)

    so = sub.add_parser("sources", help="list installed plugins and configured sources")
    so.set_defaults(func=cmd_sources)

    u = sub.add_parser("ui", help="start the Dagster webserver and daemon")
    u.add_argument("--port", type=int, default=3000)
    u.add_argument("--host", default="127.0.0.1")
    u.set_defaults(func=cmd_ui)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
