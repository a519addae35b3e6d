"""Runs that died without ending: mark them failed and give back their ``duckdb`` pool slot.

A refresh killed outright (``kill -9``, the OOM killer, a reboot) never records its end. Dagster
then keeps the run STARTED and its claim on the one-slot ``duckdb`` pool forever, so the next
refresh waits for that slot forever. So every in-process refresh holds an exclusive ``flock`` on a
file named after its run while it runs; the operating system releases the lock when the process
dies, however it dies. Before a refresh starts, a STARTED run whose lock can be taken is dead: it
is marked failed (so the UI says so) and its slots are freed. Runs without a lock file (launched
by the daemon or the UI) are not touched: they belong to Dagster's own run monitoring.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_DIR = "run-locks"


def _lock_path(home: Path, run_id: str) -> Path:
    return Path(home) / LOCK_DIR / f"{run_id}.lock"


@contextmanager
def hold_run_lock(home: Path, run_id: str) -> Iterator[None]:
    """Hold the liveness lock of ``run_id`` for as long as the block runs."""
    path = _lock_path(home, run_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock
        path.unlink(missing_ok=True)


def reap_dead_runs(instance, home: Path) -> list[str]:
    """Mark failed, and free the pool slots of, every unfinished run whose process is gone."""
    from dagster import DagsterRunStatus, RunsFilter

    reaped = []
    unfinished = [DagsterRunStatus.STARTING, DagsterRunStatus.STARTED, DagsterRunStatus.CANCELING]
    for run in instance.get_runs(filters=RunsFilter(statuses=unfinished)):
        path = _lock_path(home, run.run_id)
        if not path.exists() or not _lock_is_free(path):
            continue
        instance.report_run_failed(run, message="The process running this refresh died without finishing "
                                                "(killed, or the machine stopped); marked failed by the next refresh.")
        if instance.event_log_storage.supports_global_concurrency_limits:
            instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        path.unlink(missing_ok=True)
        reaped.append(run.run_id)
    return reaped


def _lock_is_free(path: Path) -> bool:
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True
