"""An analyst's long query on the published snapshot and a refresh, in separate processes, at the
same time: neither blocks nor fails the other (DuckDB allows one writer per file; analysts read a
different file, swapped in atomically)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import time

import pytest

pytestmark = pytest.mark.integration

ANALYST = textwrap.dedent("""
    import sys, time, pathlib, duckdb
    db, done = sys.argv[1], pathlib.Path(sys.argv[2])
    con = duckdb.connect(db, read_only=True)
    print("open", flush=True)
    queries = 0
    while not done.exists():
        # a deliberately heavy query (seconds of work) joined to a mart
        n = con.execute(
            "select count(*) from range(20000000) t(i), (select count(*) c from marts.article_context) a "
            "where i % 7 = a.c % 7").fetchall()[0][0]
        assert n > 0
        queries += 1
    fresh = duckdb.connect(db, read_only=True)   # a new connection sees the newly published file
    articles = fresh.execute("select count(*) from marts.article_context").fetchall()[0][0]
    print(f"queries={queries} articles={articles}", flush=True)
""")


def test_long_query_during_refresh(refreshed, tmp_path):
    _, wh, _ = refreshed
    data = tmp_path / "data"
    shutil.copytree(wh.data_dir, data, ignore=shutil.ignore_patterns("dagster"))
    published = data / "published" / "warehouse.duckdb"
    inode_before = published.stat().st_ino
    done = tmp_path / "refresh-done"
    env = {**os.environ, "ALLIANCE_DATA_DIR": str(data), "DAGSTER_HOME": str(tmp_path / "dagster")}
    (tmp_path / "dagster").mkdir()
    analyst = subprocess.Popen([sys.executable, "-c", ANALYST, str(published), str(done)], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert analyst.stdout.readline().strip() == "open"
    started = time.monotonic()
    refresh = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "refresh", "--quiet", "--select", "key:ingest/tariff_actions+"],
        env=env, capture_output=True, text=True, timeout=900)
    done.touch()
    out, err = analyst.communicate(timeout=300)
    assert refresh.returncode == 0, refresh.stdout[-3000:] + refresh.stderr[-3000:]
    assert analyst.returncode == 0, err[-3000:]
    queries = int(out.split("queries=")[1].split()[0])
    assert queries >= 1
    assert "articles=21" in out
    # The refresh published a new file (swapped in), while the analyst kept reading the old one.
    assert published.stat().st_ino != inode_before
    assert time.monotonic() - started < 900
