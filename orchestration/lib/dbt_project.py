"""The dbt project at the repository root, and its manifest.

dagster-dbt builds asset definitions from ``target/manifest.json``. ``prepare_if_dev()`` only
parses under ``dagster dev``; the CLI, tests and CI call :func:`ensure_manifest`, which runs
``dbt parse`` when the manifest is missing or older than any model, seed, macro or project file.
This module defines no ``@dbt_assets``, so ``dagster-dbt project prepare-and-package --file`` can
use it too.

Every dbt command first parses the project (about 8 s here). dbt skips that when the target folder
holds a ``partial_parse.msgpack`` written with the same ``--vars``, profile (so the same data folder)
and project files, but dagster-dbt gives each command a fresh target folder and seeds it from
``target/``, which ``dbt parse`` wrote without ``--vars`` for whichever data folder was current. So
each data folder keeps the last parse state of its own commands (:func:`reuse_parse_state` before a
command, :func:`keep_parse_state` after it). dbt still checks the file against the vars, profile,
project files and dbt version and parses in full when any differ: the cache can only save time, never
change what dbt builds. A refresh in a new data folder has no state yet, so `alliance refresh`
starts the parse in the background (:func:`start_parse`) while the sources load: ``dbt parse`` opens
no connection to the warehouse, so it cannot take the DuckDB lock from the loaders.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from dagster_dbt import DbtProject

PROJECT_DIR = Path(__file__).resolve().parents[2]
MANIFEST = PROJECT_DIR / "target" / "manifest.json"
PARSE_STATE = "partial_parse.msgpack"
PARSE_WAIT_SECONDS = 600
_PARSES: dict[Path, tuple[subprocess.Popen, Path]] = {}  # data folder -> background `dbt parse`
_INPUTS = ("models", "seeds", "macros", "tests/dbt")

dbt_project = DbtProject(project_dir=PROJECT_DIR, profiles_dir=PROJECT_DIR)


def _newest_input() -> float:
    stamps = [p.stat().st_mtime for d in _INPUTS for p in (PROJECT_DIR / d).rglob("*") if p.is_file()]
    stamps += [(PROJECT_DIR / f).stat().st_mtime for f in ("dbt_project.yml", "profiles.yml")
               if (PROJECT_DIR / f).exists()]
    return max(stamps, default=0.0)


def dbt_executable() -> str:
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else "dbt"


def ensure_manifest() -> Path:
    """Parse the dbt project if its manifest is missing or stale; return the manifest path."""
    dbt_project.prepare_if_dev()
    if MANIFEST.exists() and MANIFEST.stat().st_mtime >= _newest_input():
        return MANIFEST
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    env.setdefault("ALLIANCE_DATA_DIR", str(PROJECT_DIR / "data"))
    proc = subprocess.run(
        [dbt_executable(), "parse", "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR), "--quiet"],
        cwd=PROJECT_DIR, env=env, capture_output=True, text=True,
    )
    if proc.returncode != 0 or not MANIFEST.exists():
        raise RuntimeError(f"dbt parse failed (exit {proc.returncode}); fix the dbt project and rerun.\n"
                           f"{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}")
    return MANIFEST


def parse_state_path(data_dir: str | Path) -> Path:
    """Where a data folder keeps dbt's last parse state (see the module docstring)."""
    return Path(data_dir) / "dbt" / PARSE_STATE


def start_parse(data_dir: str | Path, variables: dict[str, Any]) -> None:
    """Parse the project for this data folder and these ``--vars`` in the background (once)."""
    folder = Path(data_dir).resolve()
    if folder in _PARSES:
        return
    target = folder / "dbt" / "parse"
    env = {**os.environ, "ALLIANCE_DATA_DIR": str(folder), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    proc = subprocess.Popen(
        [dbt_executable(), "parse", "--vars", json.dumps(variables), "--target-path", str(target),
         "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR), "--quiet"],
        cwd=PROJECT_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    _PARSES[folder] = (proc, target)


def _finish_parse(folder: Path) -> None:
    """Wait for this folder's background parse, if any, and keep its state when it succeeded.

    A parse that fails or hangs is only a lost head start: the dbt command parses in full and
    reports any error in the project itself.
    """
    started = _PARSES.pop(folder, None)
    if started is None:
        return
    proc, target = started
    try:
        proc.wait(timeout=PARSE_WAIT_SECONDS)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return
    if proc.returncode == 0:
        keep_parse_state(folder, target)


def reuse_parse_state(data_dir: str | Path, target_path: Path) -> None:
    """Seed a dbt target folder with this data folder's last parse state, if there is one."""
    _finish_parse(Path(data_dir).resolve())
    state = parse_state_path(data_dir)
    if state.is_file():
        target_path.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(state, target_path / PARSE_STATE)


def keep_parse_state(data_dir: str | Path, target_path: Path) -> None:
    """Keep the parse state a dbt command wrote in ``target_path`` for the next command (atomically)."""
    written = target_path / PARSE_STATE
    if not written.is_file():
        return
    state = parse_state_path(data_dir)
    state.parent.mkdir(parents=True, exist_ok=True)
    incoming = state.with_name(f".{PARSE_STATE}.{os.getpid()}")
    shutil.copyfile(written, incoming)
    os.replace(incoming, state)
