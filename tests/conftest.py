"""Shared fixtures: a real DuckDB file in a temporary data folder, and one full refresh per session.

The refresh runs the real graph in process (plugins on samples/, dbt subprocess, Great Expectations
checks, publish) exactly as `alliance refresh` does, so many tests can assert on its result.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def refreshed(tmp_path_factory):
    """Run the whole refresh job once into a temp data folder; yield (result, warehouse)."""
    from dagster import DagsterInstance

    from orchestration.lib.warehouse import Warehouse

    data = tmp_path_factory.mktemp("warehouse")
    old = os.environ.get("ALLIANCE_DATA_DIR")
    os.environ["ALLIANCE_DATA_DIR"] = str(data)
    try:
        from orchestration.definitions import build_definitions

        defs = build_definitions()
        job = defs.resolve_job_def("refresh_all")
        with DagsterInstance.ephemeral() as instance:
            result = job.execute_in_process(instance=instance, raise_on_error=False)
        yield result, Warehouse(data), defs
    finally:
        if old is None:
            os.environ.pop("ALLIANCE_DATA_DIR", None)
        else:
            os.environ["ALLIANCE_DATA_DIR"] = old


@pytest.fixture(scope="session")
def defs(tmp_path_factory):
    os.environ.setdefault("ALLIANCE_DATA_DIR", str(tmp_path_factory.mktemp("defs-data")))
    from orchestration.definitions import build_definitions

    return build_definitions()
