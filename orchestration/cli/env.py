"""What every command needs first: an absolute data folder, a Dagster home inside it."""

from __future__ import annotations

import os
from pathlib import Path


def prepare_env() -> Path:
    """Absolute data folder and a Dagster home inside it, shared by the CLI, dbt and the UI."""
    from orchestration.lib.config import data_dir

    d = data_dir()
    os.environ["ALLIANCE_DATA_DIR"] = str(d)
    home = d / "dagster"
    home.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DAGSTER_HOME", str(home))
    yaml_path = Path(os.environ["DAGSTER_HOME"]) / "dagster.yaml"
    if not yaml_path.exists():
        yaml_path.write_text(DAGSTER_YAML)
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    return d


# SQLite storage under the data folder; every DuckDB-touching step shares the `duckdb` pool of one.
DAGSTER_YAML = """\
# Written by `alliance` on first use. Storage is SQLite under this folder; see README
# ("Running for a team") for Postgres.
telemetry:
  enabled: false
concurrency:
  pools:
    default_limit: 1
"""
