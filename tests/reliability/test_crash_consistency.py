"""SIGKILL `alliance refresh` at 22 points chosen by a seeded RNG, during extract, load, the checks,
enrichment, dbt and publish, and prove after every kill that nothing is lost or half done.

The refreshes read changed inputs (every source differs a little from the baseline), so each table
has an "old" content (the baseline warehouse) and a "new" one. The kills run as one chain on one
data folder, phase by phase, each run starting from the state the previous kill left:

1. ingest (13 kills at crash points: payload fetched, bytes archived, mid-load, before commit,
   before the cursor moves), 2. raw-table checks and enrichment (2 kills from outside while the Great
   Expectations checks run, 1 inside the enrich transaction), 3. dbt (5 kills from outside, whole
   process group, while models build and their checks run), 4. publish (1 kill before the swap).

After every kill: the warehouse opens; the landing archive still holds every payload it held (rows
and bytes, each file's sha256 matching its name); the published snapshot opens and is exactly the
last complete one. Each phase ends with a refresh of its selection that must succeed, and only then
is "new" known: every table (every source's slice of a raw table, since a load is one transaction
per source) must have been either old or new after every kill. Finally a full refresh completes,
its tables are exactly the new ones, the published snapshot equals the warehouse, and the Dagster
event log shows every killed run marked failed by the next refresh and no step failure in any run.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from tests.reliability.refresh_process import (
    REPO,
    Outcome,
    run_refresh,
    write_changed_inputs,
)
from tests.reliability.warehouse_state import landing_files, landing_rows, table_hashes

pytestmark = [pytest.mark.integration, pytest.mark.timeout(5400)]

SEED = 20260808
INGEST, CHECKED, DBT, PUBLISH = ("group:ingest", "group:raw or group:enrich",
                                 "group:seeds or group:staging or group:intermediate or group:marts",
                                 "key:published/warehouse")
DBT_LINE = r"✓ (seeds|staging|intermediate|marts)/"


@dataclass(frozen=True)
class Kill:
    selection: str
    crash_at: str | None = None                     # ALLIANCE_CRASH_AT=<point>:<n>
    kill_on: tuple[str, int, float] | None = None   # outside kill: (output regex, n-th match, delay s)
    full_refresh: bool = False

    def __str__(self) -> str:
        how = self.crash_at or f"line {self.kill_on[1]} matching {self.kill_on[0]!r} + {self.kill_on[2]:.2f} s"
        return f"kill at {how} (--select {self.selection!r}{', --full-refresh' if self.full_refresh else ''})"


def kill_plan(rng: random.Random) -> list[tuple[str, list[Kill]]]:
    """The phases and their kills. Counts a run always reaches: 7 sources load (and commit, and
    move their cursor) in every run; a full refresh archives at least 24 payloads (census 2, then
    the commentary feed and its 21 pages) before anything else."""
    ingest = ([Kill(INGEST, crash_at=f"archive:{rng.randint(1, 24)}", full_refresh=True) for _ in range(3)]
              + [Kill(INGEST, crash_at=f"archived:{rng.randint(1, 24)}", full_refresh=True) for _ in range(3)]
              + [Kill(INGEST, crash_at=f"load:{rng.randint(1, 7)}") for _ in range(3)]
              + [Kill(INGEST, crash_at=f"commit:{rng.randint(1, 7)}") for _ in range(2)]
              + [Kill(INGEST, crash_at=f"cursor:{rng.randint(1, 7)}") for _ in range(2)])
    checked = ([Kill(CHECKED, kill_on=(r"✓ raw/", rng.randint(2, 4), rng.uniform(0.2, 2.0))) for _ in range(2)]
               + [Kill(CHECKED, crash_at=f"replace:{rng.randint(1, 2)}")])
    dbt = [Kill(DBT, kill_on=(DBT_LINE, rng.randint(1, 14), rng.uniform(0.0, 1.0))) for _ in range(5)]
    return [(INGEST, ingest), (CHECKED, checked), (DBT, dbt), (PUBLISH, [Kill(PUBLISH, crash_at="publish:1")])]


def _refresh(data: Path, config: Path, kill: Kill | None = None, selection: str | None = None) -> Outcome:
    args = ["--select", kill.selection if kill else selection] if (kill or selection) else []
    if kill and kill.full_refresh:
        args.append("--full-refresh")
    return run_refresh(data, *args, config=config, crash_at=kill and kill.crash_at, kill_on=kill and kill.kill_on)


def _checked_keys(hashes: dict[str, str]) -> list[str]:
    """Tables whose content must be old or new as a whole: raw slices per source (a raw table fed by
    several sources is checked slice by slice), enrich, seeds, intermediate and marts. Landing tables
    are append-only logs (checked separately) and staging views only read the raw tables."""
    sliced = {k.split("[")[0] for k in hashes if "[" in k}
    return [k for k in hashes if not k.startswith(("landing.", "staging.")) and k not in sliced]


def assert_consistent_after_crash(data: Path, landing_before: set, files_before: dict, published: dict,
                                  kill: Kill) -> dict[str, str]:
    """The invariants that must hold the moment after a kill; returns the warehouse's hashes."""
    try:
        hashes = table_hashes(data / "warehouse.duckdb")
    except duckdb.Error as exc:
        pytest.fail(f"{kill}: the warehouse does not open: {exc}")
    rows = landing_rows(data / "warehouse.duckdb")
    assert landing_before <= rows, f"{kill}: landing rows lost: {sorted(landing_before - rows)[:3]}"
    files = landing_files(data)
    lost = {f for f in files_before if files.get(f) != files_before[f]}
    assert not lost, f"{kill}: landing files lost or changed: {sorted(lost)[:3]}"
    assert all(Path(f).name == sha for f, sha in files.items()), f"{kill}: a landing file's bytes do not match its name"
    for source, sha, _, path in rows:
        assert Path(path).name == sha and (data / "landing" / source / sha).is_file(), \
            f"{kill}: landing row {source}/{sha} has no archived bytes"
    assert table_hashes(data / "published" / "warehouse.duckdb") == published, \
        f"{kill}: the published snapshot is not the last complete one"
    return hashes


def test_sigkill_anywhere_loses_nothing_and_the_next_refresh_completes(refreshed, tmp_path):
    _, baseline, _ = refreshed
    assert baseline.published_path.exists(), "the session refresh did not publish; see tests/integration"
    data = tmp_path / "data"
    shutil.copytree(baseline.data_dir, data, ignore=shutil.ignore_patterns("dagster", "logs"))
    config = write_changed_inputs(tmp_path / "inputs")
    old = table_hashes(data / "warehouse.duckdb")
    published = table_hashes(data / "published" / "warehouse.duckdb")
    landing_before, files_before = landing_rows(data / "warehouse.duckdb"), landing_files(data)

    rng = random.Random(SEED)
    plan = kill_plan(rng)
    assert sum(len(kills) for _, kills in plan) >= 20
    new: dict[str, str] = {}
    for selection, kills in plan:
        after_kills = []
        for kill in kills:
            out = _refresh(data, config, kill)
            assert out.killed, f"{kill}: the run was not killed (exit {out.returncode}):\n{out.output[-3000:]}"
            after_kills.append((kill, assert_consistent_after_crash(data, landing_before, files_before,
                                                                     published, kill)))
        if selection == PUBLISH:
            done = run_refresh(data, config=config)  # the final, full refresh completes the last phase
        else:
            done = _refresh(data, config, selection=selection)
        assert done.returncode == 0, f"the refresh after the {selection!r} kills failed:\n{done.output[-4000:]}"
        now = table_hashes(data / "warehouse.duckdb")
        for kill, hashes in after_kills:
            for key in _checked_keys({**old, **now, **hashes}):
                assert hashes.get(key) in (old.get(key), now.get(key)), \
                    f"{kill}: {key} is neither its old nor its new content"
        new.update(now)
        landing_before, files_before = landing_rows(data / "warehouse.duckdb"), landing_files(data)

    final = table_hashes(data / "warehouse.duckdb")
    assert {k: final[k] for k in _checked_keys(final)} == {k: new[k] for k in _checked_keys(final)}
    changed = [k for k in _checked_keys(final) if k.startswith(("raw.", "marts.article_context")) and final[k] != old.get(k)]
    assert len(changed) >= 8, f"the changed inputs should change every source's slice; changed: {changed}"
    assert table_hashes(data / "published" / "warehouse.duckdb") == final
    _assert_runs_reaped_and_no_step_failed(data, kills=sum(len(k) for _, k in plan))


def _assert_runs_reaped_and_no_step_failed(data: Path, kills: int) -> None:
    from dagster import DagsterEventType, DagsterInstance, DagsterRunStatus

    with DagsterInstance.from_config(str(data / "dagster")) as instance:
        runs = instance.get_runs()
        statuses = [r.status for r in runs]
        assert statuses.count(DagsterRunStatus.FAILURE) == kills, statuses
        assert statuses.count(DagsterRunStatus.SUCCESS) == len(runs) - kills, statuses
        failed_steps = [(r.run_id, e.step_key) for r in runs
                        for e in instance.all_logs(r.run_id, of_type=DagsterEventType.STEP_FAILURE)]
        assert failed_steps == []


LOAD_SCRIPT = """
import sys
import polars as pl
from orchestration.lib.warehouse import Warehouse
from sources.tables import TARIFF_ACTIONS as T
rows = [{**{c: None for c in T.schema}, "action_id": f"A{i}", "source": "s"} for i in range(int(sys.argv[2]))]
Warehouse(sys.argv[1]).load(table=T.name, key=T.key, schema=T.schema, source="s",
                            frame=pl.DataFrame(rows, schema=T.schema))
"""


@pytest.mark.parametrize("point", ["load", "commit"])
def test_a_load_killed_inside_its_transaction_leaves_no_trace(tmp_path, point):
    """The smallest case, seconds long: the rows of a load killed mid-transaction never appear."""
    db = tmp_path / "data" / "warehouse.duckdb"
    env = {k: v for k, v in os.environ.items() if k != "ALLIANCE_CRASH_AT"}
    subprocess.run([sys.executable, "-c", LOAD_SCRIPT, str(db.parent), "50"], env=env, cwd=REPO, check=True)
    before = table_hashes(db, schemas=("raw",))
    killed = subprocess.run([sys.executable, "-c", LOAD_SCRIPT, str(db.parent), "80"], cwd=REPO, check=False,
                            env={**env, "ALLIANCE_CRASH_AT": f"{point}:1"})
    assert killed.returncode == -signal.SIGKILL
    assert table_hashes(db, schemas=("raw",)) == before
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select count(*) from raw.tariff_actions").fetchall() == [(50,)]


def test_a_killed_refresh_does_not_block_the_next_one(tmp_path):
    """Dagster keeps a killed run's claim on the one-slot ``duckdb`` pool; without the liveness lock
    (orchestration/lib/run_liveness.py) the next refresh would wait for that slot forever."""
    from dagster import DagsterInstance, DagsterRunStatus

    data = tmp_path / "data"
    killed = run_refresh(data, "--select", "key:ingest/tariff_actions", crash_at="load:1")
    assert killed.killed, killed.output[-3000:]
    following = run_refresh(data, "--select", "key:ingest/tariff_actions", timeout=600)
    assert following.returncode == 0, following.output[-3000:]
    assert "died without finishing" in following.output
    with DagsterInstance.from_config(str(data / "dagster")) as instance:
        assert sorted(r.status.value for r in instance.get_runs()) == sorted(
            [DagsterRunStatus.FAILURE.value, DagsterRunStatus.SUCCESS.value])
