"""Files dropped into ALLIANCE_DATA_DIR/inbox/<source>/ trigger a run once and are loaded."""

from __future__ import annotations

import shutil

import duckdb
import pytest
from dagster import RunRequest, SkipReason, build_sensor_context

from orchestration.lib.config import PROJECT_ROOT, load_config
from orchestration.lib.inbox import inbox_dir

pytestmark = pytest.mark.integration


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("ALLIANCE_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def test_sensor_requests_one_run_per_new_file(data_dir):
    from orchestration.definitions import build_definitions

    defs = build_definitions(load_config())
    sensor = defs.resolve_sensor_def("inbox_sensor")
    repo = defs.get_repository_def()
    with build_sensor_context(repository_def=repo) as ctx:
        assert isinstance(sensor(ctx), SkipReason)
    inbox = inbox_dir(data_dir, "tariff_actions")
    inbox.mkdir(parents=True)
    shutil.copy(PROJECT_ROOT / "samples/reference/tariffs/tariff_actions.csv", inbox / "extra_actions.csv")
    with build_sensor_context(repository_def=repo) as ctx:
        result = sensor.evaluate_tick(ctx)
        cursor = ctx.cursor
    assert len(result.run_requests) == 1
    request: RunRequest = result.run_requests[0]
    keys = {k.to_user_string() for k in request.asset_selection}
    assert {"ingest/tariff_actions", "raw/tariff_actions", "marts/tariff_timeline", "published/warehouse"} <= keys
    assert "ingest/commentary" not in keys
    with build_sensor_context(repository_def=repo, cursor=cursor) as ctx:
        again = sensor.evaluate_tick(ctx)
    assert again.run_requests == [] and again.skip_message


def test_ingest_loads_inbox_files_and_moves_them(data_dir):
    from orchestration.assets.ingest import run_source
    from orchestration.lib.warehouse import Warehouse
    from sources import registry

    config = load_config()
    inbox = inbox_dir(data_dir, "tariff_actions")
    inbox.mkdir(parents=True)
    header = (PROJECT_ROOT / "samples/reference/tariffs/tariff_actions.csv").read_text().splitlines()[0]
    (inbox / "analyst_upload.csv").write_text(
        f"{header}\n"
        "TEST_UPLOAD_SYNTHETIC,Synthetic test row (not a real action),section_232,USA,JPN,steel,10,2020-01-01,"
        "2020-02-01,,,synthetic,file:///synthetic\n")
    wh = Warehouse(data_dir)
    meta = run_source(registry.create(config.source("tariff_actions")), wh, data_dir=data_dir)
    assert meta["inbox_files"] == 1
    assert not (inbox / "analyst_upload.csv").exists()
    assert (inbox / "done" / "analyst_upload.csv").exists()
    with duckdb.connect(str(wh.path), read_only=True) as con:
        ids = {r[0] for r in con.execute("select action_id from raw.tariff_actions").fetchall()}
        archived = con.execute("select count(*) from landing.payloads where url like '%analyst_upload.csv'").fetchall()
    assert "TEST_UPLOAD_SYNTHETIC" in ids and "SEC232_STEEL_2018" in ids
    assert archived[0][0] == 1
