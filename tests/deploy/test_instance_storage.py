"""The Dagster instance `alliance` writes: SQLite under ALLIANCE_DATA_DIR by default, Postgres for a
team when the environment says so, never a password in the file, and a user's own file left alone."""

from __future__ import annotations

import pytest
from dagster import DagsterInstance
from dagster._config import process_config
from dagster._core.instance.config import dagster_instance_config
from dagster_postgres import DagsterPostgresStorage

from orchestration.cli import main
from orchestration.cli.env import (
    MANAGED_HEADER,
    PG_URL_VAR,
    prepare_env,
    write_instance_yaml,
)
from orchestration.lib.config import ConfigError

PASSWORD = "s3cret-pg-password"
PG_VARS = {"DAGSTER_PG_HOST": "pg.internal", "DAGSTER_PG_USERNAME": "dagster", "DAGSTER_PG_PASSWORD": PASSWORD,
           "DAGSTER_PG_DB": "dagster", "DAGSTER_PG_PORT": "6543"}


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for var in (PG_URL_VAR, "DAGSTER_HOME", *PG_VARS):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("ALLIANCE_DATA_DIR", str(tmp_path / "data"))
    return monkeypatch


def test_default_instance_is_sqlite_under_the_data_dir(clean_env, tmp_path):
    data = prepare_env()
    home = data / "dagster"
    assert data == (tmp_path / "data").resolve()
    config, _ = dagster_instance_config(str(home))
    assert "storage" not in config  # Dagster's default: SQLite in DAGSTER_HOME
    with DagsterInstance.from_config(str(home)) as instance:
        assert type(instance.run_storage).__name__ == "SqliteRunStorage"
        assert instance.get_concurrency_config().pool_config.default_pool_limit == 1
    assert (home / "history" / "runs.db").is_file()


def test_postgres_url_is_referenced_not_written(clean_env):
    clean_env.setenv(PG_URL_VAR, f"postgresql://dagster:{PASSWORD}@pg.internal:5432/dagster")
    home = prepare_env() / "dagster"
    text = (home / "dagster.yaml").read_text()
    assert PASSWORD not in text and "pg.internal" not in text
    config, _ = dagster_instance_config(str(home))
    storage = config["storage"]["postgres"]
    assert storage == {"postgres_url": {"env": PG_URL_VAR}}
    resolved = process_config(DagsterPostgresStorage.config_type(), storage)
    assert resolved.success, resolved.errors
    assert resolved.value["postgres_url"].endswith("@pg.internal:5432/dagster")


def test_standard_dagster_pg_variables(clean_env):
    for k, v in PG_VARS.items():
        clean_env.setenv(k, v)
    home = prepare_env() / "dagster"
    assert PASSWORD not in (home / "dagster.yaml").read_text()
    config, _ = dagster_instance_config(str(home))
    db = config["storage"]["postgres"]["postgres_db"]
    assert db["password"] == {"env": "DAGSTER_PG_PASSWORD"}
    resolved = process_config(DagsterPostgresStorage.config_type(), config["storage"]["postgres"])
    assert resolved.success, resolved.errors
    assert (resolved.value["postgres_db"]["hostname"], resolved.value["postgres_db"]["port"]) == ("pg.internal", 6543)


def test_switching_back_to_sqlite_rewrites_the_managed_file(clean_env):
    clean_env.setenv(PG_URL_VAR, "postgresql://u:p@h/db")
    home = prepare_env() / "dagster"
    assert "postgres" in (home / "dagster.yaml").read_text()
    clean_env.delenv(PG_URL_VAR)
    prepare_env()
    assert "postgres" not in (home / "dagster.yaml").read_text()


def test_a_users_own_dagster_yaml_is_left_alone(clean_env, tmp_path):
    home = tmp_path / "data" / "dagster"
    home.mkdir(parents=True)
    own = "telemetry:\n  enabled: false\n# mine\n"
    (home / "dagster.yaml").write_text(own)
    clean_env.setenv(PG_URL_VAR, "postgresql://u:p@h/db")
    prepare_env()
    assert (home / "dagster.yaml").read_text() == own
    assert not own.startswith(MANAGED_HEADER)


def test_incomplete_postgres_settings_say_what_is_missing(clean_env, capsys, tmp_path):
    with pytest.raises(ConfigError, match="DAGSTER_PG_USERNAME, DAGSTER_PG_DB are not"):
        write_instance_yaml(tmp_path / "home", {"DAGSTER_PG_HOST": "pg.internal"})
    assert not (tmp_path / "home").exists()  # nothing half-written
    # Through the CLI: one line naming the fix, exit code 2, no traceback.
    clean_env.setenv("DAGSTER_PG_HOST", "pg.internal")
    assert main(["sql", "select 1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("alliance sql: DAGSTER_PG_HOST is set") and f"or set {PG_URL_VAR} instead" in err
    assert "Traceback" not in err
