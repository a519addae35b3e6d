"""Two refreshes of the same inputs leave identical contents.

The first refresh is the session's (``refreshed``); the second is `alliance refresh --full-refresh`
run as a user runs it on a copy of that data folder, so every source is fetched, archived, parsed and
merged again, and every model rebuilt. Every table and view of the warehouse and of the published
snapshot must hash the same (order-independent, load-time columns aside), and the landing archive
must hold exactly the same payloads: nothing duplicated, nothing lost.
"""

from __future__ import annotations

import shutil

import pytest

from tests.reliability.refresh_process import run_refresh
from tests.reliability.warehouse_state import landing_files, table_hashes

pytestmark = [pytest.mark.integration, pytest.mark.timeout(1800)]


def test_a_second_refresh_of_the_same_inputs_changes_nothing(refreshed, tmp_path):
    _, first, _ = refreshed
    data = tmp_path / "data"
    shutil.copytree(first.data_dir, data, ignore=shutil.ignore_patterns("dagster", "logs"))
    warehouse, published = data / "warehouse.duckdb", data / "published" / "warehouse.duckdb"
    before, published_before, files_before = table_hashes(warehouse), table_hashes(published), landing_files(data)
    assert {"raw.articles", "raw.quarantine", "landing.payloads", "marts.article_context"} <= set(before)

    second = run_refresh(data, "--full-refresh")

    assert second.returncode == 0, second.output[-4000:]
    after = table_hashes(warehouse)
    assert [k for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k)] == []
    assert table_hashes(published) == published_before
    assert landing_files(data) == files_before
