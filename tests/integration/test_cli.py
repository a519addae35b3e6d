"""`alliance sql` and `alliance sources` as a user runs them (in process, through main())."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from orchestration.cli import main

pytestmark = pytest.mark.integration


@pytest.fixture
def data_env(refreshed, monkeypatch):
    _, wh, _ = refreshed
    monkeypatch.setenv("ALLIANCE_DATA_DIR", str(wh.data_dir))
    return wh


def test_sql_json_output(data_env, capsys):
    assert main(["sql", "select action_id, rate_pct from raw.tariff_actions where action_id = 'SEC232_STEEL_2018'",
                 "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == [{"action_id": "SEC232_STEEL_2018", "rate_pct": 25.0}]


def test_sql_csv_output(data_env, capsys):
    assert main(["sql", "select count(*) as n from marts.article_context", "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines() == ["n", "21"]


@pytest.mark.parametrize("statement", [
    "delete from raw.articles",
    "insert into raw.quarantine (source, reason, quarantined_at) values ('x', 'y', now())",
    "drop table marts.article_links",
    "create table raw.evil as select 1",
    "attach '/tmp/other.duckdb' as other",
    "copy raw.articles to '/tmp/stolen.csv'",
    "select 1; delete from raw.articles",
])
def test_sql_refuses_writes(data_env, capsys, statement):
    assert main(["sql", statement]) == 2
    err = capsys.readouterr().err
    assert "alliance sql:" in err
    with __import__("duckdb").connect(str(data_env.published_path), read_only=True) as con:
        assert con.execute("select count(*) from raw.articles").fetchall()[0][0] == 21


def test_sql_refuses_file_access_through_functions(data_env, capsys, tmp_path):
    secret = tmp_path / "secret.csv"
    secret.write_text("a\n1\n")
    assert main(["sql", f"select * from read_csv('{secret}')"]) == 2
    assert "alliance sql:" in capsys.readouterr().err


def test_sources_lists_plugins_and_config():
    out = subprocess.run([sys.executable, "-m", "orchestration.cli", "sources"], capture_output=True, text=True,
                         env={**__import__("os").environ, "COLUMNS": "200"})
    assert out.returncode == 0, out.stderr
    for word in ("rss", "census_trade", "csv_table", "mme_exercises", "commentary", "exercises_mme", "raw.articles"):
        assert word in out.stdout
