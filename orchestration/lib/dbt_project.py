"""The dbt project at the repository root, and its manifest.

dagster-dbt builds asset definitions from ``target/manifest.json``. ``prepare_if_dev()`` only
parses under ``dagster dev``; the CLI, tests and CI call :func:`ensure_manifest`, which runs
``dbt parse`` when the manifest is missing or older than any model, seed, macro or project file.
This module defines no ``@dbt_assets``, so ``dagster-dbt project prepare-and-package --file`` can
use it too.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from dagster_dbt import DbtProject

PROJECT_DIR = Path(__file__).resolve().parents[2]
MANIFEST = PROJECT_DIR / "target" / "manifest.json"
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
