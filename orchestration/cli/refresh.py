"""`alliance refresh`: materialise the graph in process and print a summary."""

from __future__ import annotations

import argparse
import contextlib
import sys
import time

from orchestration.cli.env import prepare_env


def cmd_refresh(args: argparse.Namespace) -> int:
    started = time.monotonic()
    d = prepare_env()
    from dagster import AssetSelection, DagsterEventType, DagsterInstance

    from dagster._core.utils import make_new_run_id
    from rich.console import Console

    from orchestration.cli.progress import ProgressPrinter
    from orchestration.definitions import build_definitions
    from orchestration.lib.partitions import DateRange, backfill_plan
    from orchestration.lib.run_liveness import hold_run_lock, reap_dead_runs
    from orchestration.lib.warehouse import Warehouse
    from orchestration.schedules import REFRESH_JOB

    dates = None
    if args.from_month or args.to_month:
        try:
            dates = DateRange.parse(args.from_month, args.to_month)
        except ValueError as exc:
            print(f"alliance refresh: {exc}", file=sys.stderr)
            return 2
    defs = build_definitions(full_refresh=args.full_refresh)
    job = defs.resolve_job_def(REFRESH_JOB)
    graph = defs.resolve_asset_graph()
    selection = None
    if args.select:
        selection = list(AssetSelection.from_string(args.select).resolve(graph))
        if not selection:
            print(f"alliance refresh: --select {args.select!r} matches no asset", file=sys.stderr)
            return 2
    runs: list[tuple[list | None, dict[str, str]]] = [(selection, {})]
    if dates is not None:
        if selection is None:
            # A backfill reloads the partitioned sources for those dates and rebuilds what depends on them.
            partitioned = [k for k in graph.get_all_asset_keys() if graph.get(k).is_partitioned]
            selection = list(AssetSelection.assets(*partitioned).downstream().resolve(graph))
        try:  # one run per grain (trade by month, then articles by day and everything downstream)
            runs = [(list(r.assets), r.tags) for r in backfill_plan(graph, selection, dates)]
        except ValueError as exc:
            print(f"alliance refresh: {exc}", file=sys.stderr)
            return 2
    if args.executor == "in_process":  # the dbt step waits for this parse in the same process
        from orchestration.assets.dbt import start_dbt_parse

        start_dbt_parse(graph, selection, d)
    run_config = {"loggers": {"console": {"config": {"log_level": args.log_level}}}}
    instance = DagsterInstance.get()
    scope = f"{len(selection)} assets" if selection else "all assets"
    span = f" for {dates.label}" if dates else ""
    print(f"Refreshing {scope}{span} into {d} ...", flush=True)
    console = Console(file=sys.stdout, highlight=False)
    for dead in reap_dead_runs(instance, d):  # a killed refresh would otherwise hold the duckdb pool forever
        print(f"Run {dead} died without finishing: marked failed, its pool slot freed.", flush=True)
    results = []
    for run_selection, tags in runs:
        run_id = make_new_run_id()
        # dagster-dbt echoes every dbt log line to stdout; keep them in a file and show progress instead.
        log_path = d / "logs" / f"refresh-{run_id[:8]}.log"
        log_path.parent.mkdir(parents=True, exist_ok=True)
        if len(runs) > 1:
            print(f"Run {len(results) + 1} of {len(runs)}: {len(run_selection)} assets, "
                  f"partitions {tags['dagster/asset_partition_range_start']}..{tags['dagster/asset_partition_range_end']}",
                  flush=True)
        with hold_run_lock(d, run_id), open(log_path, "w", encoding="utf-8") as log, contextlib.redirect_stdout(log), \
                ProgressPrinter(instance, run_id, quiet=args.quiet, console=console):
            if args.executor == "in_process":
                result = job.execute_in_process(instance=instance, raise_on_error=False, asset_selection=run_selection,
                                                run_config=run_config, tags=tags, run_id=run_id)
            else:
                result = _execute_multiprocess(instance, run_selection, tags, args.full_refresh)
        results.append(result)
        if not result.success:
            break  # what depends on a failed run is not built on its partial data
    checks_passed = checks_failed = 0
    failed_checks: list[str] = []
    materialized = 0
    failures: list[str] = []
    for ev in (ev for result in results for ev in result.all_events):
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
    _print_summary("published snapshot" if published else "working warehouse, not published", counts,
                   materialized, checks_passed, checks_failed, failed_checks, failures,
                   time.monotonic() - started, d, result.run_id, log_path)
    return 0 if all(r.success for r in results) and len(results) == len(runs) and not checks_failed else 1


def _execute_multiprocess(instance, selection, tags, full_refresh):
    """One process per step (Dagster's multiprocess executor); DuckDB steps still run one at a time,
    through the `duckdb` pool whose limit the instance's dagster.yaml sets to 1."""
    from dagster import execute_job, reconstructable

    from orchestration.assets.ingest import FULL_REFRESH_TAG
    from orchestration.definitions import multiprocess_refresh_job

    run_tags = {**tags, **({FULL_REFRESH_TAG: "true"} if full_refresh else {})}
    return execute_job(reconstructable(multiprocess_refresh_job), instance=instance, tags=run_tags,
                       asset_selection=selection, raise_on_error=False)


def _print_summary(label, counts, materialized, passed, failed, failed_checks, failures, seconds, d, run_id,
                   log_path) -> None:
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
        console.print(f"[bold red]Refresh failed[/bold red]: {len(failures)} step(s) and {len(failed_checks)} "
                      f"check(s) failed; see {log_path}, run {run_id} in the Dagster UI (alliance ui), "
                      "and rejected rows in raw.quarantine.")
    console.print("Next: [bold]alliance ui[/bold] opens the Dagster UI on http://127.0.0.1:3000 ; "
                  "[bold]alliance sql \"select * from marts.article_context limit 5\"[/bold] queries the warehouse "
                  f"({d / 'published' / 'warehouse.duckdb'}).")


def register(sub) -> None:
    r = sub.add_parser("refresh", help="materialise everything (or a selection) through Dagster, in process")
    r.add_argument("--select", help="Dagster asset selection, e.g. 'key:ingest/commentary+' or 'group:marts'")
    r.add_argument("--full-refresh", action="store_true", help="ignore stored cursors and fetch everything again")
    r.add_argument("--executor", choices=["in_process", "multiprocess"], default="in_process")
    r.add_argument("--from", dest="from_month", metavar="YYYY-MM[-DD]",
                   help="backfill from this month or day: partitioned sources (trade by month, articles by day) "
                        "and everything downstream")
    r.add_argument("--to", dest="to_month", metavar="YYYY-MM[-DD]",
                   help="backfill up to this month or day (inclusive; a month means its last day)")
    r.add_argument("--log-level", default="ERROR", help="Dagster console log level (default ERROR)")
    r.add_argument("--quiet", action="store_true", help="no progress lines, only the summary")
    r.set_defaults(func=cmd_refresh)
