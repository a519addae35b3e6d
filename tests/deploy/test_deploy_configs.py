"""The team deployments in deploy/ and the dbt targets in profiles.yml load, with no cluster, no
database server and no network: Dagster validates each instance file against its own schema, the
Kubernetes and Celery executors accept their configuration, and dbt parses the project against the
MotherDuck and object-storage targets."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from dagster import validate_run_config
from dagster._config import process_config
from dagster._core.instance.config import dagster_instance_config
from dagster._serdes.config_class import class_from_code_pointer

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
DBT = Path(sys.executable).parent / "dbt"

PG_ENV = {"DAGSTER_PG_HOST": "pg.internal", "DAGSTER_PG_USERNAME": "dagster", "DAGSTER_PG_PASSWORD": "pw-not-in-files",
          "DAGSTER_PG_DB": "dagster"}


@pytest.fixture
def pg_env(monkeypatch):
    for k, v in PG_ENV.items():
        monkeypatch.setenv(k, v)


@pytest.mark.parametrize("flavour", ["kubernetes", "celery"])
def test_instance_yaml_validates_against_dagsters_schema(flavour, pg_env):
    config, custom_class = dagster_instance_config(str(DEPLOY / flavour))
    assert custom_class is None
    # Storage is Postgres through environment variables, so no secret sits in the file.
    pg = config["storage"]["postgres"]["postgres_db"]
    assert pg["password"] == {"env": "DAGSTER_PG_PASSWORD"}
    assert PG_ENV["DAGSTER_PG_PASSWORD"] not in (DEPLOY / flavour / "dagster.yaml").read_text()
    storage_class = class_from_code_pointer("dagster_postgres", "DagsterPostgresStorage")
    resolved = process_config(storage_class.config_type(), config["storage"]["postgres"])
    assert resolved.success, resolved.errors
    assert resolved.value["postgres_db"]["hostname"] == "pg.internal"


def test_kubernetes_run_launcher_accepts_its_config(pg_env):
    config, _ = dagster_instance_config(str(DEPLOY / "kubernetes"))
    launcher = config["run_launcher"]
    cls = class_from_code_pointer(launcher["module"], launcher["class"])
    assert cls.__name__ == "K8sRunLauncher"
    result = process_config(cls.config_type(), launcher["config"])
    assert result.success, result.errors
    assert result.value["volume_mounts"][0]["mount_path"] == "/data"
    assert "ALLIANCE_DATA_DIR=/data" in result.value["env_vars"]


@pytest.mark.parametrize("flavour", ["kubernetes", "celery"])
def test_one_run_and_one_duckdb_step_at_a_time(flavour, pg_env):
    config, _ = dagster_instance_config(str(DEPLOY / flavour))
    assert config["concurrency"]["runs"]["max_concurrent_runs"] == 1
    assert config["concurrency"]["pools"]["default_limit"] == 1


def test_instance_yaml_rejects_a_broken_storage_block(tmp_path, pg_env):
    """The validation above can fail: a misspelt field is an error, not ignored."""
    doc = yaml.safe_load((DEPLOY / "kubernetes" / "dagster.yaml").read_text())
    doc["storage"]["postgres"]["postgres_db"]["hostnme"] = doc["storage"]["postgres"]["postgres_db"].pop("hostname")
    (tmp_path / "dagster.yaml").write_text(yaml.safe_dump(doc))
    from dagster._core.errors import DagsterInvalidConfigError

    with pytest.raises(DagsterInvalidConfigError, match="hostnme"):
        dagster_instance_config(str(tmp_path))


def _load_code_location(path: Path, data_dir: Path, monkeypatch):
    monkeypatch.setenv("ALLIANCE_DATA_DIR", str(data_dir))
    spec = importlib.util.spec_from_file_location(f"deploy_{path.parent.name}_definitions", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_kubernetes_code_location_runs_steps_in_pods_one_at_a_time(tmp_path, monkeypatch):
    location = _load_code_location(DEPLOY / "kubernetes" / "definitions.py", tmp_path, monkeypatch)
    defs = location.defs
    job = defs.resolve_job_def("refresh_all_k8s")
    assert job.executor_def.name == "k8s"
    config = validate_run_config(job)["execution"]["k8s"]
    assert config["max_concurrent"] == 1
    assert config["volume_mounts"] == [{"name": "alliance-data", "mount_path": "/data"}]
    # The validation bites: the same settings with a misspelt key are refused.
    from dagster_k8s import k8s_job_executor

    misspelt = {("max_concurent" if k == "max_concurrent" else k): v for k, v in location.STEP_PODS.items()}
    assert not k8s_job_executor.configured(misspelt).config_schema.resolve_config({}).success
    # The project's own jobs and schedule come along unchanged.
    assert defs.resolve_job_def("refresh_all").executor_def.name == "in_process"
    assert defs.resolve_schedule_def("nightly_refresh").job_name == "refresh_all"


def test_celery_code_location_takes_the_broker_from_the_environment(tmp_path, monkeypatch):
    defs = _load_code_location(DEPLOY / "celery" / "definitions.py", tmp_path, monkeypatch).defs
    job = defs.resolve_job_def("refresh_all_celery")
    assert job.executor_def.name == "celery"
    monkeypatch.setenv("DAGSTER_CELERY_BROKER_URL", "redis://broker.internal:6379/0")
    monkeypatch.setenv("DAGSTER_CELERY_BACKEND_URL", "redis://broker.internal:6379/1")
    config = validate_run_config(job)["execution"]["celery"]
    assert config["broker"] == "redis://broker.internal:6379/0"
    source = (DEPLOY / "celery" / "definitions.py").read_text() + (DEPLOY / "celery" / "celery.yaml").read_text()
    assert "redis://" not in source

    from dagster_celery.cli import get_validated_config

    worker = get_validated_config(str(DEPLOY / "celery" / "celery.yaml"))
    assert worker["broker"] == "redis://broker.internal:6379/0"


DBT_ENV = {"MOTHERDUCK_TOKEN": "md-token-must-not-leak", "MOTHERDUCK_DATABASE": "alliance_team",
           "ALLIANCE_S3_ROOT": "s3://alliance-test-bucket/marts", "AWS_ACCESS_KEY_ID": "AKIA-must-not-leak",
           "AWS_SECRET_ACCESS_KEY": "aws-secret-must-not-leak"}


def _dbt_parse(target: str, tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    """``dbt parse`` against ``target``, writing nothing into the project (own target and log paths)."""
    return subprocess.run(
        [str(DBT), "parse", "--project-dir", str(ROOT), "--profiles-dir", str(ROOT), "--target", target,
         "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs"), "--no-partial-parse"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600, check=False)


def _base_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in DBT_ENV and k != "DBT_TARGET"}
    env.update(ALLIANCE_DATA_DIR=str(tmp_path / "data"), DBT_SEND_ANONYMOUS_USAGE_STATS="false")
    return env


@pytest.mark.parametrize("target", ["motherduck", "s3"])
def test_dbt_parses_the_team_targets_without_connecting(target, tmp_path):
    proc = _dbt_parse(target, tmp_path, {**_base_env(tmp_path), **DBT_ENV})
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text())
    marts = [n for n in manifest["nodes"].values() if n["resource_type"] == "model" and n["schema"] == "marts"]
    assert {n["name"] for n in marts} >= {"article_context", "article_links"}
    if target == "motherduck":
        assert {n["database"] for n in marts} == {"alliance_team"}  # the MotherDuck database
    else:
        assert {n["config"]["materialized"] for n in marts} == {"external"}  # Parquet under external_root
        assert {n["database"] for n in marts} == {"warehouse"}
    everything = proc.stdout + proc.stderr + "".join(p.read_text(errors="replace")
                                                     for p in tmp_path.rglob("*") if p.is_file() and p.suffix != ".msgpack")
    for secret in ("md-token-must-not-leak", "AKIA-must-not-leak", "aws-secret-must-not-leak"):
        assert secret not in everything


def test_s3_target_names_its_missing_variable(tmp_path):
    proc = _dbt_parse("s3", tmp_path, _base_env(tmp_path))
    assert proc.returncode != 0
    assert "ALLIANCE_S3_ROOT" in proc.stdout + proc.stderr
