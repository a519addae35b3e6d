"""Every case of the bad-input corpus (``cases.yml``) through the real path: the plugin from the
registry, the real fetcher on the case's file, the landing archive, the plugin's parser, the loader
into a real DuckDB file and its quarantine. Each case must end as its manifest says (a clear error,
quarantined records with the reason, or rows); before it, a good file is loaded under the same
source name, and it must still be there afterwards. A last test runs every case into a warehouse
that holds the real samples and proves that no case touched another source's rows.
"""

from __future__ import annotations

import filecmp
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb
import pytest
import yaml

from orchestration.lib.config import load_config
from orchestration.lib.warehouse import LoadStats, Warehouse, ident
from sources import registry
from sources.contract import SourceConfig
from sources.http import Fetcher, Limits
from sources.runner import Batch, collect
from tests.corpus import make_cases
from tests.reliability.warehouse_state import table_hashes

CORPUS = Path(__file__).resolve().parent
CASES = yaml.safe_load((CORPUS / "cases.yml").read_text(encoding="utf-8"))["cases"]
# How a case is read: (plugin, options, the good file loaded first under the same source name).
SOURCES = {
    "rss_feed": ("rss", {}, "rss/feed_ok.xml"),
    "rss_page": ("rss", {}, "rss/pages/ok_a.html"),
    "census_trade": ("census_trade", {"partner_cty_code": "5880"}, "census_trade/ok.json"),
    "csv_tariffs": ("csv_table", {"table": "tariff_actions"}, "csv_table/tariffs_ok.csv"),
    "csv_exercises": ("csv_table", {"table": "exercises"}, "csv_table/exercises_ok.csv"),
    "mme_exercises": ("mme_exercises", {}, "mme_exercises/ok.csv"),
}
# What extract attaches to a payload that is not a feed (the rss plugin reads page meta from the feed item).
PAYLOAD_META = {"rss_page": {"kind": "page", "feed_url": "file:///corpus/feed.xml", "published": "2021-07-12"},
                "census_trade": {"flow": "export"}}


def case_id(case: dict) -> str:
    return case["file"].rsplit(".", 1)[0].replace("/", "__")


@dataclass
class Outcome:
    batch: Batch
    stats: LoadStats
    reasons: list[str]        # every quarantine reason this read added
    failed_whole: bool        # extract or parse failed for the source as a whole


def read_into(wh: Warehouse, kind: str, file: str, name: str, case: dict | None = None) -> Outcome:
    """One source read, exactly as an ingest run does it, from ``file`` under source ``name``."""
    case = case or {}
    plugin_name, options, _ = SOURCES[kind]
    path = CORPUS / file
    location = path.parent if kind == "census_trade" else path  # census reads a folder of responses
    plugin = registry.create(SourceConfig(name=name, plugin=plugin_name, path=str(location), options=options))
    fetcher = Fetcher(Limits(max_bytes=case.get("max_bytes", Limits.max_bytes), attempts=1))

    def payloads():
        if kind == "rss_feed":
            yield from plugin.extract(fetcher, None)
            return
        payload = fetcher.get(path.as_uri(), source=name)
        meta = {**PAYLOAD_META.get(kind, {}), "link": path.as_uri(), **case.get("meta", {})}
        yield replace(payload, meta={**payload.meta, **meta})

    before = _reasons(wh, name)
    batch = collect(plugin, payloads(), archive=wh.archive)
    stats = wh.load(table=plugin.table, key=plugin.key, schema=plugin.schema, source=name, frame=batch.frame,
                    rejected=batch.rejected)
    reasons = _reasons(wh, name)
    for r in before:
        reasons.remove(r)
    return Outcome(batch, stats, reasons, batch.extract_error is not None or batch.payloads_failed > 0)


def _reasons(wh: Warehouse, source: str) -> list[str]:
    with wh.connect(read_only=True) as con:
        return [r for (r,) in con.execute("select reason from raw.quarantine where source = ?", [source]).fetchall()]


def _slice(wh: Warehouse, table: str, source: str) -> list[dict]:
    """The rows ``source`` has in ``raw.<table>``, load time aside, in a stable order."""
    with duckdb.connect(str(wh.path), read_only=True) as con:
        cur = con.execute(f"select * exclude (loaded_at) from raw.{ident(table)} where source = ?", [source])
        cols = [d[0] for d in cur.description]
        return sorted((dict(zip(cols, r)) for r in cur.fetchall()), key=repr)


def _keys(wh: Warehouse, table: str, key: tuple[str, ...], source: str, rows: list[dict] | None = None) -> set:
    return {tuple(r[k] for k in key) for r in (rows if rows is not None else _slice(wh, table, source))}


@pytest.fixture(scope="module")
def wh(tmp_path_factory) -> Warehouse:
    w = Warehouse(tmp_path_factory.mktemp("corpus"))
    w.bootstrap()
    return w


def test_the_corpus_covers_the_issue(tmp_path):
    """40+ cases, one file each, every file used, and the files are what make_cases.py writes."""
    assert len(CASES) >= 40
    files = [c["file"] for c in CASES]
    assert len(files) == len(set(files))
    written = make_cases.write(tmp_path)
    on_disk = {p.relative_to(CORPUS).as_posix() for p in CORPUS.rglob("*")
               if p.is_file() and p.suffix not in (".py", ".yml", ".md") and "__pycache__" not in p.parts}
    assert on_disk == {p.relative_to(tmp_path).as_posix() for p in written}
    assert all(filecmp.cmp(p, CORPUS / p.relative_to(tmp_path), shallow=False) for p in written)
    used = set(files) | {good for _, _, good in SOURCES.values()}
    assert on_disk - used <= {"rss/pages/ok_b.html", "rss/pages/no_date.html"}  # linked from feeds
    for c in CASES:
        assert c["source"] in SOURCES and c["expect"] in ("error", "quarantine", "rows"), c
        assert c["expect"] == "rows" or c.get("reason"), f"{c['file']}: say which reason is expected"


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_case(wh, case):
    name = case_id(case)
    kind = case["source"]
    plugin = registry.create(SourceConfig(name=name, plugin=SOURCES[kind][0], path=".", options=SOURCES[kind][1]))
    table, key = plugin.table, plugin.key
    good = read_into(wh, kind, SOURCES[kind][2], name)
    assert not good.reasons and not good.failed_whole and good.stats.rows_in > 0
    kept = _slice(wh, table, name)

    out = read_into(wh, kind, case["file"], name, case)

    if case["expect"] == "error":
        assert out.failed_whole, f"expected the source to fail as a whole; quarantined: {out.reasons}"
        errors = [r for r in out.reasons if case["reason"] in r]
        assert errors, f"no reason contains {case['reason']!r}: {out.reasons}"
        assert any(f"source '{name}'" in r and "Fix:" in r for r in errors), \
            f"the error must name the source and say how to fix it: {errors}"
        assert out.stats.rows_in == 0
        assert _slice(wh, table, name) == kept, "a failed read changed rows loaded before it"
        return
    assert not out.failed_whole, f"the source failed as a whole: {out.reasons}"
    assert out.stats.rows_in == case["rows"]
    if case["expect"] == "quarantine":
        assert any(case["reason"] in r for r in out.reasons), f"no reason contains {case['reason']!r}: {out.reasons}"
        if "quarantined" in case:
            assert len(out.reasons) == case["quarantined"], out.reasons
    else:
        assert out.reasons == []
    if "note" in case:
        assert any(case["note"] in n for n in out.batch.notes), out.batch.notes
    # Nothing loaded before is lost: every key of the good file is still there (a case may update it).
    assert _keys(wh, table, key, name, kept) <= _keys(wh, table, key, name)
    if "body_excludes" in case or "body_includes" in case:
        sha = out.batch.fetched[-1].sha256
        with wh.connect(read_only=True) as con:
            (body,) = con.execute("select body from raw.articles where source = ? and payload_sha256 = ?",
                                  [name, sha]).fetchall()[0]
        assert not [t for t in case.get("body_excludes", []) if t in body], body[:500]
        assert all(t in body for t in case.get("body_includes", [])), body[:500]


def test_no_case_touches_another_source(tmp_path):
    """The real samples load; then every corpus case runs in the same warehouse; the samples' rows and
    quarantine records are exactly as they were, and loading the samples again changes nothing."""
    from orchestration.assets.ingest import run_source

    w = Warehouse(tmp_path / "data")
    config = load_config()
    samples = [s for s in config.sources if s.path and s.path.startswith("samples/")]
    for source in samples:
        run_source(registry.create(source), w, full_refresh=True)
    before = table_hashes(w.path, schemas=("raw",))
    assert {f"raw.articles[{s.name}]" for s in samples if s.plugin == "rss"} <= set(before)

    for case in CASES:
        read_into(w, case["source"], case["file"], case_id(case), case)

    after = table_hashes(w.path, schemas=("raw",))
    ours = {k: v for k, v in after.items() if any(f"[{s.name}]" in k for s in samples)}
    assert ours == {k: v for k, v in before.items() if "[" in k}
    for source in samples:
        run_source(registry.create(source), w, full_refresh=True)
    assert {k: v for k, v in table_hashes(w.path, schemas=("raw",)).items() if k in ours} == ours
