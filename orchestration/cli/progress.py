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

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self._drain()

    def _drain(self) -> None:
        try:
            records = self.instance.all_logs(self.run_id)
        except Exception:  # noqa: BLE001 - progress is best effort; the summary is authoritative
            return
        for record in records[self._seen:]:
            line = describe(record.dagster_event) if record.dagster_event else None
            if line:
                self.console.print(line)
        self._seen = len(records)


def describe(event) -> str | None:
    """One human line for the events worth showing, else None."""
    if event.event_type == DagsterEventType.ASSET_MATERIALIZATION:
        mat = event.event_specific_data.materialization
        key = mat.asset_key.to_user_string()
        meta = mat.metadata or {}
        rows = next((meta[k].value for k in ("rows_loaded", "row_count") if k in meta), None)
        quarantined = meta.get("rows_quarantined")
        extra = f" ({rows:,} rows" if isinstance(rows, int) else ""
        if extra and quarantined is not None and quarantined.value:
            extra += f", {quarantined.value:,} quarantined"
        extra += ")" if extra else ""
        partition = f" [{mat.partition}]" if mat.partition else ""
        return f"[green]✓[/green] {key}{partition}{extra}"
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
