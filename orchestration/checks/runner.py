"""Run one suite the same way for a Dagster check and for ``alliance check``.

The row-count floor comes from the history in the working warehouse, the table is validated in
bounded batches (in the working warehouse or the published snapshot), and the outcome is recorded
for the Data Docs. Only Dagster runs add to the row-count history.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from orchestration.checks import batches, docs, history
from orchestration.checks.gx_suites import ROW_FLOOR_PARAMETER, SuiteOutcome, SuiteSpec
from orchestration.lib.warehouse import Warehouse


@dataclass(frozen=True)
class SuiteRun:
    spec: SuiteSpec
    outcome: SuiteOutcome | None  # None when the table could not be read
    error: str | None
    previous: int | None          # rows recorded by the last run, if any
    floor: int                    # the fewest rows that are not "far fewer than last time"

    @property
    def passed(self) -> bool:
        return self.outcome is not None and self.outcome.success

    def summary(self) -> str:
        return self.outcome.summary() if self.outcome is not None else f"{self.spec.name}: ERROR {self.error}"


def run_suite(spec: SuiteSpec, warehouse: Warehouse, *, run_id: str | None, database: Path | None = None,
              batch_rows: int = batches.DEFAULT_BATCH_ROWS) -> SuiteRun:
    """Validate ``spec``'s table in ``database`` (default: the working warehouse) and record it.

    With a ``run_id`` (a Dagster run) the row count joins the history; without one (the CLI) the
    floor compares with the run before the latest, and nothing is added. The history is read from
    the database being checked (a snapshot carries the history it was published with), so checking
    the snapshot never touches the working warehouse a refresh may be writing.
    """
    previous = history.previous_count(database or warehouse.path, spec.table, run_id=run_id)
    floor = history.row_floor(previous, spec.max_row_drop)
    try:
        outcome = batches.validate_table(database or warehouse.path, spec.name, batch_rows=batch_rows,
                                         parameters={ROW_FLOOR_PARAMETER: floor})
    except (batches.TableNotFoundError, FileNotFoundError) as exc:
        return SuiteRun(spec, None, str(exc), previous, floor)
    if run_id is not None:
        history.record_count(warehouse, spec.table, outcome.rows, run_id)
    docs.record(outcome, warehouse.data_dir)
    return SuiteRun(spec, outcome, None, previous, floor)
