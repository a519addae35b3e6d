"""`alliance check`: every Great Expectations suite, source freshness and volume, from the shell.

The suites run exactly as the Dagster checks do (bounded batches, the row-count floor from the
last runs) against the working warehouse, or the published snapshot with ``--published``.
Freshness and per-source volume are judged from the Dagster instance's records of the ingest
assets, by the rule the UI's checks apply. The Data Docs are rebuilt. The exit code is 1 when a
suite fails, a source is stale or delivered far too little, and 2 when nothing could be checked.
"""

from __future__ import annotations

import argparse
import json
import sys

from orchestration.cli.env import prepare_env


def cmd_check(args: argparse.Namespace) -> int:
    d = prepare_env()
    import duckdb
    from dagster import DagsterInstance

    from orchestration.checks import docs, freshness, volume
    from orchestration.checks.batches import DEFAULT_BATCH_ROWS
    from orchestration.checks.gx_suites import SuiteError, list_suites
    from orchestration.checks.runner import run_suite
    from orchestration.lib.config import load_config
    from orchestration.lib.warehouse import Warehouse
    from sources import registry

    wh = Warehouse(d)
    database = wh.published_path if args.published else wh.path
    if not database.is_file():
        print(f"alliance check: no warehouse at {database}: run `alliance refresh` first", file=sys.stderr)
        return 2
    config = load_config()
    loaded_tables = {f"raw.{registry.create(s).table}" for s in config.sources}
    try:
        specs = [s for s in list_suites() if not args.suite or s.name in args.suite]
        unknown = sorted(set(args.suite or ()) - {s.name for s in specs})
        if unknown:
            print(f"alliance check: no suite named {', '.join(unknown)} in expectations/", file=sys.stderr)
            return 2
        runs = [run_suite(s, wh, run_id=None, database=database, batch_rows=args.batch_rows or DEFAULT_BATCH_ROWS)
                for s in specs if not s.table.startswith("raw.") or s.table in loaded_tables
                or s.table == "raw.quarantine"]
    except SuiteError as exc:
        print(f"alliance check: {exc}", file=sys.stderr)
        return 2
    except duckdb.IOException as exc:  # another process holds the write lock
        print(f"alliance check: cannot read {database} ({str(exc).splitlines()[0]}); a refresh is probably "
              "writing it: wait for it, or check the published snapshot with --published", file=sys.stderr)
        return 2
    with DagsterInstance.get() as instance:
        fresh = freshness.evaluate(instance, config)
        delivered = [volume.deliveries(instance, s.name) for s in config.sources]
    index = docs.refresh_data_docs(d)
    failed = [r for r in runs if not r.passed] + [f for f in fresh if not f.fresh] + [v for v in delivered if not v.passed]
    report = {
        "database": str(database),
        "suites": [_suite_row(r) for r in runs],
        "freshness": [{"source": f.source, "cadence": f.cadence, "fresh": f.fresh, "detail": f.describe(),
                       "last_update": f.last_update.isoformat() if f.last_update else None} for f in fresh],
        "volume": [{"source": v.source, "passed": v.passed, "rows": v.rows, "previous": v.previous,
                    "detail": v.reason} for v in delivered],
        "data_docs": str(index),
        "failures": len(failed),
    }
    if args.format == "json":
        json.dump(report, sys.stdout, indent=1, default=str)
        sys.stdout.write("\n")
    else:
        _print_report(report)
    return 1 if failed else 0


def _suite_row(run) -> dict:
    o = run.outcome
    return {
        "suite": run.spec.name, "table": run.spec.table, "blocking": run.spec.blocking, "passed": run.passed,
        "rows": o.rows if o else None, "batches": o.batches if o else None,
        "expectations": o.evaluated if o else None, "failed": o.failed if o else None,
        "rows_last_run": run.previous, "min_rows_vs_last_run": run.floor,
        "failures": run.summary().splitlines()[1:] if o else [f"error: {run.error}"],
    }


def _print_report(report: dict) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console()
    t = Table(title=f"Great Expectations suites ({report['database']})")
    for c in ("suite", "kind", "rows", "expectations", "result", "why it failed"):
        t.add_column(c, overflow="fold")
    for s in report["suites"]:
        kind = "blocking" if s["blocking"] else "report"
        result = "[green]passed[/green]" if s["passed"] else "[red]FAILED[/red]"
        exp = "" if s["expectations"] is None else f"{s['expectations'] - s['failed']}/{s['expectations']}"
        t.add_row(s["suite"], kind, "" if s["rows"] is None else f"{s['rows']:,}", exp, result,
                  escape("\n".join(line.strip() for line in s["failures"])))
    console.print(t)
    t = Table(title="Sources: freshness and volume")
    for c in ("source", "freshness", "volume"):
        t.add_column(c, overflow="fold")
    volume = {v["source"]: v for v in report["volume"]}
    for f in report["freshness"]:
        v = volume.get(f["source"], {})
        t.add_row(f["source"], ("" if f["fresh"] else "[red]") + escape(f["detail"]),
                  ("" if v.get("passed") else "[red]") + escape(v.get("detail", "")))
    console.print(t)
    verdict = "[green]all checks passed[/green]" if not report["failures"] else \
        f"[bold red]{report['failures']} check(s) failed[/bold red]"
    console.print(f"{verdict}. Data Docs: {escape(report['data_docs'])}")


def register(sub) -> None:
    c = sub.add_parser("check", help="run every data-quality suite, freshness and volume check; print a table")
    c.add_argument("--published", action="store_true", help="check the published snapshot instead of the working warehouse")
    c.add_argument("--suite", action="append", help="only this suite (e.g. raw.exercises); repeatable")
    c.add_argument("--format", choices=["table", "json"], default="table")
    c.add_argument("--batch-rows", type=int, help="rows per validation batch (memory bound)")
    c.set_defaults(func=cmd_check)
