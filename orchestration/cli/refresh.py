"""`alliance refresh`: materialise the graph in process and print a summary."""

from __future__ import annotations

import argparse
import sys
import time

from orchestration.cli.env import prepare_env


def cmd_refresh(args: argparse.Namespace) -> int:
    started = time.monotonic()
    d = prepare_env()
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


def register(sub) -> None:
    r = sub.add_parser("refresh", help="materialise everything (or a selection) through Dagster, in process")
    r.add_argument("--select", help="Dagster asset selection, e.g. 'key:ingest/commentary+' or 'group:marts'")
    r.add_argument("--full-refresh", action="store_true", help="ignore stored cursors and fetch everything again")
    r.add_argument("--executor", choices=["in_process", "multiprocess"], default="in_process")
    r.add_argument("--log-level", default="WARNING", help="Dagster console log level (default WARNING)")
    r.set_defaults(func=cmd_refresh)
