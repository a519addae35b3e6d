"""Fixtures for the analytics tests: the dbt project compiled once per session."""

from __future__ import annotations

import pytest

from tests.analytics.dbt_sql import CompiledProject


@pytest.fixture(scope="session")
def compiled(tmp_path_factory) -> CompiledProject:
    return CompiledProject.compile(tmp_path_factory.mktemp("dbt-compile"))
