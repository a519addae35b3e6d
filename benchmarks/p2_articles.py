"""P2: the article pipeline (parse, extract, link, tone) in articles per second, and linking cost
with 10,000 aliases vs 100.

Throughput runs the production functions on synthetic pages: the ``rss`` plugin from the registry
parses each page (decode, page metadata, trafilatura main text), then the enrichment step as the
``enrich_articles`` asset runs it, :func:`orchestration.enrich.enrich` (Aho–Corasick links, VADER per
sentence, the tone of each mention's context and of the article). Pages are split across two worker
processes, one per core. Linking cost compares :func:`find_mentions` over the same bodies with a 100-alias dictionary
and with the same 100 plus 9,900 synthetic aliases that never occur (so both find the same mentions).
"""

from __future__ import annotations

import csv
import multiprocessing
import random
import time
from pathlib import Path

from benchmarks.common import ROOT, Figure, figure_main, fresh
from benchmarks.entity_matching import synthetic_rows
from benchmarks.generate import write_articles

_PLUGIN = None
_DICTIONARY = None


def _setup(feed: str) -> None:
    global _PLUGIN, _DICTIONARY
    from orchestration.enrich import load_dictionary
    from sources import registry
    from sources.contract import SourceConfig

    _PLUGIN = registry.create(SourceConfig(name="bench_commentary", plugin="rss", path=feed))
    _DICTIONARY = load_dictionary(ROOT / "seeds" / "entity_aliases.csv")


def _pipeline(payloads: list) -> int:
    """Parse, extract, link and score one chunk of pages; returns articles that made it through."""
    import polars as pl

    from orchestration.enrich import enrich

    frames = [_PLUGIN.parse(p).frame for p in payloads]
    articles = pl.concat(frames)
    enrich(articles, _DICTIONARY)
    return articles.height


def page_payloads(feed: Path) -> list:
    """Every page payload the plugin's extract yields (read before timing: the pipeline, not the disk)."""
    from sources import registry
    from sources.contract import SourceConfig
    from sources.http import Fetcher

    plugin = registry.create(SourceConfig(name="bench_commentary", plugin="rss", path=str(feed)))
    return [p for p in plugin.extract(Fetcher(), None) if p.meta.get("kind") == "page"]


def throughput(feed: Path, payloads: list, workers: int) -> tuple[float, int]:
    """(seconds, articles) for the pipeline over ``payloads`` in ``workers`` processes."""
    step = min(50, max(1, len(payloads) // (4 * workers)))
    chunks = [payloads[i:i + step] for i in range(0, len(payloads), step)]
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(workers, initializer=_setup, initargs=(str(feed),)) as pool:
        pool.map(_pipeline, [chunks[0][:2]] * workers)  # warm: imports, trafilatura, VADER lexicon
        t0 = time.perf_counter()
        done = sum(pool.map(_pipeline, chunks, chunksize=1))
        return time.perf_counter() - t0, done


def linking_cost(bodies: list[str]) -> tuple[float, float]:
    """Seconds per article for find_mentions with 100 aliases, and with 10,000 (same matches)."""
    from orchestration.enrich import build_dictionary, find_mentions

    with open(ROOT / "seeds" / "entity_aliases.csv", encoding="utf-8", newline="") as fh:
        real = list(csv.DictReader(fh))[:100]
    small = build_dictionary(real)
    large = build_dictionary(real + synthetic_rows(10_000 - len(real), random.Random(7)))

    def best(d) -> float:
        runs = []
        for _ in range(3):
            t0 = time.perf_counter()
            for i, body in enumerate(bodies):
                find_mentions(str(i), body, d, "en")
            runs.append(time.perf_counter() - t0)
        return min(runs) / len(bodies)

    return best(small), best(large)


def measure(work: Path, articles: int, link_articles: int) -> list[Figure]:
    folder = fresh(work / "articles")
    write_articles(folder, articles)
    payloads = page_payloads(folder / "feed.xml")
    seconds, done = throughput(folder / "feed.xml", payloads, workers=2)
    one_s, one_n = throughput(folder / "feed.xml", payloads[: max(len(payloads) // 4, 10)], workers=1)
    if done != articles:
        raise RuntimeError(f"P2: {articles} pages generated, {done} came through the pipeline")
    rate = done / seconds
    _setup(str(folder / "feed.xml"))
    bodies = [_PLUGIN.parse(p).frame["body"][0] for p in payloads[:link_articles]]
    small, large = linking_cost(bodies)
    mean_chars = sum(map(len, bodies)) / len(bodies)
    return [
        Figure(id="P2a", figure="P2", name="article pipeline (parse, extract, link, tone), 2 processes",
               value=rate, unit="articles/s", goal=">= 1,000/s", met=rate >= 1000,
               notes=f"{done:,} synthetic articles, mean body {mean_chars:,.0f} chars; one process: "
                     f"{one_n / one_s:,.0f}/s", details={"seconds": seconds, "one_process_rate": one_n / one_s}),
        Figure(id="P2b", figure="P2", name="linking cost, 10,000 aliases vs 100", value=large * 1000,
               unit="ms/article", baseline=small * 1000, baseline_name="100 aliases, ms/article",
               ratio=large / small, goal="<= 2x", met=large / small <= 2,
               notes=f"find_mentions over {len(bodies):,} bodies, best of 3"),
    ]


def main() -> None:
    figure_main(__doc__, "p2", lambda work, s: measure(work, s.articles, s.link_articles))


if __name__ == "__main__":
    main()
