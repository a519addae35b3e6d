"""Progress lines for long CLI runs: one line per source, raw table, dbt model and failed check.

``execute_in_process`` blocks the main thread (and must run there: it installs signal handlers),
so a background thread tails the run's events from the Dagster instance and prints them as they
land. dbt models report one by one because dagster-dbt streams a materialisation per model.
"""

from __future__ import annotations

import threading

from dagster import DagsterEventType, DagsterInstance
from rich.console import Console

class ProgressPrinter:
    def __init__(self, instance: DagsterInstance, run_id: str, *, quiet: bool = False, interval: float = 0.5,
                 console: Console | None = None):
        self.instance, self.run_id, self.quiet, self.interval = instance, run_id, quiet, interval
        self.console = console or Console(highlight=False)
        self._stop = threading.Event()
        self._seen = 0
        self._group: list = []  # consecutive materialisations of one asset's partitions, shown as one line
        self._thread = threading.Thread(target=self._loop, name="alliance-progress", daemon=True)

    def __enter__(self) -> "ProgressPrinter":
        if not self.quiet:
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        if not self.quiet:
            self._stop.set()
            self._thread.join(timeout=10)
            self._drain()
            self._flush_group()

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self._drain()

    def _drain(self) -> None:
        try:
            records = self.instance.all_logs(self.run_id)
        except Exception:  # noqa: BLE001 - progress is best effort; the summary is authoritative
            return
        for record in records[self._seen:]:
            event = record.dagster_event
            if event is None:
                continue
            if event.event_type == DagsterEventType.ASSET_MATERIALIZATION and event.event_specific_data.materialization.partition:
                mat = event.event_specific_data.materialization
                if self._group and self._group[0].asset_key != mat.asset_key:
                    self._flush_group()
                self._group.append(mat)
                continue
            line = describe(event)
            if line:
                self._flush_group()
                self.console.print(line)
        self._seen = len(records)

    def _flush_group(self) -> None:
        """A run over a range of partitions (a backfill of 90 days) reports one line per asset."""
        if not self._group:
            return
        first, last, n = self._group[0], self._group[-1], len(self._group)
        self._group = []
        if n == 1:
            self.console.print(describe_materialization(first))
            return
        rows = _rows(first)  # a single-run backfill puts the step's counts on every partition's event
        extra = f" ({rows:,} rows)" if rows is not None else ""
        self.console.print(f"[green]✓[/green] {first.asset_key.to_user_string()} "
                           f"[{first.partition}..{last.partition}, {n} partitions]{extra}")


def describe(event) -> str | None:
    """One human line for the events worth showing, else None."""
    if event.event_type == DagsterEventType.ASSET_MATERIALIZATION:
        return describe_materialization(event.event_specific_data.materialization)
    if event.event_type == DagsterEventType.STEP_FAILURE:
        err = event.event_specific_data.error
        while err is not None and err.cause is not None:
            err = err.cause
        first = (err.message.strip().splitlines() or ["failed"])[0] if err else "failed"
        return f"[red]✗ {event.step_key}[/red]: {first}"
    if event.event_type == DagsterEventType.ASSET_CHECK_EVALUATION:
        data = event.event_specific_data
        if not data.passed:
            return f"[yellow]! check failed[/yellow] {data.asset_key.to_user_string()}:{data.check_name}"
    return None


def _rows(mat) -> int | None:
    meta = mat.metadata or {}
    rows = next((meta[k].value for k in ("rows_loaded", "row_count") if k in meta), None)
    return rows if isinstance(rows, int) else None


def describe_materialization(mat) -> str:
    meta = mat.metadata or {}
    rows, quarantined = _rows(mat), meta.get("rows_quarantined")
    extra = f" ({rows:,} rows" if rows is not None else ""
    if extra and quarantined is not None and quarantined.value:
        extra += f", {quarantined.value:,} quarantined"
    extra += ")" if extra else ""
    partition = f" [{mat.partition}]" if mat.partition else ""
    return f"[green]✓[/green] {mat.asset_key.to_user_string()}{partition}{extra}"
