"""What every command needs first: an absolute data folder, a Dagster home inside it.

The Dagster instance (runs, event logs, schedule ticks) lives in ``ALLIANCE_DATA_DIR/dagster``:
SQLite by default, so one machine needs no database server. A team shares one instance in
Postgres by setting ``ALLIANCE_DAGSTER_PG_URL`` or the standard ``DAGSTER_PG_*`` variables; the
``dagster.yaml`` written here then names those variables (``{env: ...}``) instead of copying their
values, so no password is ever written to disk. The file is rewritten whenever the environment asks
for other storage; a ``dagster.yaml`` without our header is the user's own and is left alone.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import yaml

from orchestration.lib.config import ConfigError

MANAGED_HEADER = "# Written by `alliance`"
PG_URL_VAR = "ALLIANCE_DAGSTER_PG_URL"
# dagster-postgres's `postgres_db` fields and the variable names Dagster's own docs and Helm chart use.
PG_VARS = {
    "username": "DAGSTER_PG_USERNAME",
    "password": "DAGSTER_PG_PASSWORD",
    "hostname": "DAGSTER_PG_HOST",
    "db_name": "DAGSTER_PG_DB",
    "port": "DAGSTER_PG_PORT",
}
_PG_REQUIRED = ("hostname", "username", "db_name")


def prepare_env() -> Path:
    """Absolute data folder and a Dagster home inside it, shared by the CLI, dbt and the UI."""
    from orchestration.lib.config import data_dir

    d = data_dir()
    os.environ["ALLIANCE_DATA_DIR"] = str(d)
    os.environ.setdefault("DAGSTER_HOME", str(d / "dagster"))
    write_instance_yaml(Path(os.environ["DAGSTER_HOME"]))
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    return d


def write_instance_yaml(home: Path, env: Mapping[str, str] = os.environ) -> Path:
    """Write ``home/dagster.yaml`` for the storage ``env`` asks for, unless the user wrote their own."""
    text = instance_yaml(env)
    home.mkdir(parents=True, exist_ok=True)
    path = home / "dagster.yaml"
    if path.exists():
        current = path.read_text(encoding="utf-8")
        if current == text or not current.startswith(MANAGED_HEADER):
            return path
    tmp = path.with_suffix(".yaml.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)  # a webserver starting at the same moment never reads half a file
    return path


def instance_yaml(env: Mapping[str, str]) -> str:
    """The instance config: telemetry off, the one-slot ``duckdb`` pool, and the storage block."""
    doc: dict = {
        "telemetry": {"enabled": False},
        # Every DuckDB-touching step claims a pool; one slot means one writer at a time.
        "concurrency": {"pools": {"default_limit": 1}},
    }
    storage = postgres_storage(env)
    if storage:
        doc["storage"] = storage
        where = "Postgres, from environment variables named below (their values are not stored here)"
    else:
        where = "SQLite in this folder"
    return (f"{MANAGED_HEADER} on every run; edits are overwritten (delete this header to keep your own).\n"
            f"# Storage: {where}. See README, \"Running for a team\".\n"
            + yaml.safe_dump(doc, sort_keys=False))


def postgres_storage(env: Mapping[str, str]) -> dict | None:
    """The dagster-postgres ``storage`` block for ``env``, or None for SQLite."""
    if env.get(PG_URL_VAR):
        return {"postgres": {"postgres_url": {"env": PG_URL_VAR}}}
    if not env.get(PG_VARS["hostname"]):
        return None
    missing = [PG_VARS[k] for k in _PG_REQUIRED if not env.get(PG_VARS[k])]
    if missing:
        raise ConfigError(
            f"{PG_VARS['hostname']} is set, so the Dagster instance would use Postgres, but "
            f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not: set "
            f"{', '.join(missing)} (and {PG_VARS['password']}), or set {PG_URL_VAR} instead, "
            f"or unset {PG_VARS['hostname']} to keep SQLite storage")
    return {"postgres": {"postgres_db": {k: {"env": v} for k, v in PG_VARS.items() if env.get(v)}}}
