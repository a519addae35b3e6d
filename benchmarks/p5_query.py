"""P5: an ``article_context`` date-range query over a million articles, p50 and p95.

The mart is built by the real dbt models. Its inputs: the bundled reference sources (trade,
tariffs, exercises) loaded by their plugins, plus SYNTHETIC ``raw.articles`` and ``enrich.*`` rows
made in SQL (titles and bodies say "SYNTHETIC"; four dictionary aliases per article), because a
million article pages through trafilatura is P2's subject, not this one's. The warehouse is then
published and queried the way an analyst does: a read-only connection to the snapshot, a bound
30-day range chosen at random (seeded), every row of it fetched as an Arrow table (what pandas,
Polars and notebook clients receive). The same queries fetched as Python tuples (``fetchall``) are
timed too and reported in the notes: converting ~6,000 rows of nested lists to Python objects costs
more than the query.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import time
from datetime import date, timedelta
from pathlib import Path

from benchmarks.common import ROOT, Figure, figure_main, fresh
from benchmarks.generate import FIRST_DAY, SITE

QUERY = """
select article_id, title, published_on, topics, tariff_actions_in_force, exercises_in_window,
       latest_us_exports_usd, latest_us_imports_usd, tone
from marts.article_context
where published_on between ? and ?
order by published_on, article_id
"""
DAYS = (date(2026, 4, 30) - FIRST_DAY).days


def load_inputs(data: Path, articles: int) -> None:
    """Reference tables through their plugins; synthetic articles, mentions and tone in SQL."""
    from orchestration.assets.ingest import run_source
    from orchestration.enrich import load_dictionary
    from orchestration.lib.config import load_config
    from orchestration.lib.warehouse import Warehouse
    from sources import registry
    from sources.tables import ARTICLES

    wh = Warehouse(data)
    wh.bootstrap()
    for src in load_config(ROOT / "alliance.yml").sources:
        if src.plugin != "rss":
            run_source(registry.create(src), wh, full_refresh=True)
    aliases = [(a.entity_type, a.entity_key, a.record_table, a.record_match, a.topic, a.alias)
               for a in load_dictionary(ROOT / "seeds" / "entity_aliases.csv").aliases]
    with wh.connect() as con:
        wh.ensure_table(con, "articles", ARTICLES.schema)
        con.execute(
            """insert into raw.articles
               select substr(sha256('synthetic-' || i), 1, 16), 'bench_commentary', $site || '/a' || i || '.html',
                      'SYNTHETIC article ' || i, 'Synthetic Author', $first + cast(i * $days // $n as integer),
                      'en', 'SYNTHETIC body of article ' || i, 'Synthetic Commentary Review', $site || '/feed.xml',
                      sha256('synthetic-page-' || i), now()
               from range($n) t(i)""",
            {"site": SITE, "first": FIRST_DAY, "days": DAYS, "n": articles})
        con.execute("create schema if not exists enrich")
        con.execute("create temp table aliases (idx integer, entity_type varchar, entity_key varchar, "
                    "record_table varchar, record_match varchar, topic varchar, alias varchar)")
        con.executemany("insert into aliases values (?, ?, ?, ?, ?, ?, ?)",
                        [(i, *a) for i, a in enumerate(aliases)])
        con.execute(
            """create or replace table enrich.article_mentions as
               select a.article_id, a.article_id || ':' || (k * 40) as mention_id, m.entity_type, m.entity_key,
                      m.record_table, m.record_match, m.topic, m.alias, m.alias as matched_text,
                      k * 40 as start_char, k * 40 + length(m.alias) as end_char,
                      'SYNTHETIC context naming ' || m.alias || ' and steel tariffs.' as context,
                      (hash(a.article_id, k) % 200) / 100.0 - 1 as tone
               from (select article_id, k, hash(article_id, k) % $n_aliases as idx
                     from raw.articles cross join range(4) r(k)) a
               join aliases m on m.idx = a.idx""", {"n_aliases": len(aliases)})
        con.execute(
            """create or replace table enrich.article_features as
               select article_id, (hash(article_id) % 200) / 100.0 - 1 as tone, 'neutral' as tone_label,
                      40::bigint as sentence_count, 900::bigint as word_count
               from raw.articles""")


def build_marts(data: Path) -> None:
    from orchestration.assets.dbt import dbt_vars
    from orchestration.lib.config import load_config
    from orchestration.lib.dbt_project import dbt_executable

    env = {**os.environ, "ALLIANCE_DATA_DIR": str(data), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    common = ["--project-dir", str(ROOT), "--profiles-dir", str(ROOT), "--target-path", str(data / "dbt_target")]
    for args in (["seed"], ["run", "--select", "+article_context", "--vars", json.dumps(dbt_vars(load_config()))]):
        proc = subprocess.run([dbt_executable(), *args, *common], cwd=ROOT, env=env, capture_output=True, text=True,
                              check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"P5: dbt {args[0]} failed:\n{proc.stdout[-3000:]}")


def measure(work: Path, articles: int, queries: int) -> list[Figure]:
    import duckdb

    from orchestration.lib.warehouse import Warehouse

    data = fresh(work / "data")
    load_inputs(data, articles)
    build_marts(data)
    snapshot = Warehouse(data).publish()
    rng = random.Random(5)
    times, tuple_times, rows = [], [], 0
    with duckdb.connect(str(snapshot), read_only=True) as con:
        n = con.execute("select count(*) from marts.article_context").fetchall()[0][0]
        for i in range(queries + 5):
            lo = FIRST_DAY + timedelta(days=rng.randrange(DAYS - 30))
            t0 = time.perf_counter()
            got = con.execute(QUERY, [lo, lo + timedelta(days=30)]).to_arrow_table()
            t1 = time.perf_counter()
            con.execute(QUERY, [lo, lo + timedelta(days=30)]).fetchall()
            if i >= 5:  # the first five warm the snapshot's pages
                times.append((t1 - t0) * 1000)
                tuple_times.append((time.perf_counter() - t1) * 1000)
                rows += got.num_rows
    p50, p95 = _percentiles(times)
    t50, t95 = _percentiles(tuple_times)
    note = (f"{n:,} rows in marts.article_context; {queries} random 30-day ranges, {rows / queries:,.0f} rows each, "
            f"fetched as Arrow; fetched as Python tuples instead: p50 {t50:,.0f} ms, p95 {t95:,.0f} ms")
    return [
        Figure(id="P5a", figure="P5", name="article_context 30-day range query, p50", value=p50, unit="ms",
               goal="<= 100 ms", met=p50 <= 100, notes=note, details={"articles": n, "tuples_p50_ms": t50, "tuples_p95_ms": t95}),
        Figure(id="P5b", figure="P5", name="article_context 30-day range query, p95", value=p95, unit="ms",
               goal="<= 100 ms", met=p95 <= 100, notes=note, details={"articles": n, "tuples_p50_ms": t50, "tuples_p95_ms": t95}),
    ]


def _percentiles(times: list[float]) -> tuple[float, float]:
    times = sorted(times)
    return statistics.median(times), times[max(0, int(0.95 * len(times)) - 1)]


def main() -> None:
    figure_main(__doc__, "p5", lambda work, s: measure(work, s.query_articles, s.queries))


if __name__ == "__main__":
    main()
