"""dbt's parse state per data folder: a head start that dbt itself checks before using it."""

from __future__ import annotations

import json
import os
import subprocess

from orchestration.assets.dbt import dbt_resource, dbt_vars
from orchestration.lib.config import load_config
from orchestration.lib.dbt_project import PROJECT_DIR, dbt_executable, parse_state_path, reuse_parse_state, start_parse


def _parse(data_dir, target, variables) -> str:
    env = {**os.environ, "ALLIANCE_DATA_DIR": str(data_dir), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    subprocess.run([dbt_executable(), "parse", "--vars", json.dumps(variables), "--target-path", str(target),
                    "--log-path", str(target), "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR)],
                   cwd=PROJECT_DIR, env=env, capture_output=True, text=True, check=True)
    return (target / "dbt.log").read_text(encoding="utf-8")  # the debug log says whether dbt reused the state


def test_background_parse_is_reused_only_for_the_same_vars(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    variables = dbt_vars(load_config())
    start_parse(data, variables)
    same = tmp_path / "same"
    reuse_parse_state(data, same)  # waits for the background parse and seeds the target folder
    assert parse_state_path(data).is_file() and (same / "partial_parse.msgpack").is_file()
    assert "Nothing changed, skipping partial parsing" in _parse(data, same, variables)

    other = tmp_path / "other"
    reuse_parse_state(data, other)
    out = _parse(data, other, {**variables, "exercise_window_days": variables["exercise_window_days"] + 1})
    assert "Unable to do partial parsing" in out  # other vars: dbt parses in full, nothing stale is used


def test_resource_reports_the_version_dbt_itself_reports():
    printed = subprocess.run([dbt_executable(), "--version"], capture_output=True, text=True, check=True).stdout
    assert str(dbt_resource()._cli_version) in printed
