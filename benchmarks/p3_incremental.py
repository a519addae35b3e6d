"""P3: a refresh with 1% new data vs a full refresh, for the commentary path.

"Refresh" here is what the nightly job does for a feed, without Dagster's fixed start-up cost:
the ingest step (:func:`orchestration.assets.ingest.run_source`: extract with the source's cursor,
archive, parse, merge into ``raw.articles``), then the enrichment step as the ``enrich_articles``
asset runs it (:func:`orchestration.assets.enrich.refresh_enrichment`: mentions and tone of the new
or changed articles, merged into ``enrich.*``). The full refresh starts from an empty warehouse; the
incremental one runs on the same warehouse after the feed has grown by 1% newer articles, so the
cursor lets the plugin skip the pages it already has.
"""

from __future__ import annotations

from pathlib import Path

from benchmarks.common import ROOT, Figure, figure_main, fresh, timed
from benchmarks.generate import write_articles


def refresh(feed: Path, data_dir: Path, *, full: bool) -> int:
    """Ingest the feed and enrich every article, as a refresh does; returns pages parsed."""
    from orchestration.assets.enrich import refresh_enrichment
    from orchestration.assets.ingest import run_source
    from orchestration.lib.warehouse import Warehouse
    from sources import registry
    from sources.contract import SourceConfig

    wh = Warehouse(data_dir)
    plugin = registry.create(SourceConfig(name="bench_commentary", plugin="rss", path=str(feed)))
    meta = run_source(plugin, wh, full_refresh=full)
    refresh_enrichment(wh, ROOT / "seeds" / "entity_aliases.csv", full=full)
    return int(meta["payloads"])


def measure(work: Path, articles: int) -> list[Figure]:
    folder = fresh(work / "feed")
    data = fresh(work / "data")
    write_articles(folder, 20)
    refresh(folder / "feed.xml", fresh(work / "warm"), full=True)  # imports, trafilatura, VADER lexicon
    write_articles(folder, articles)
    full_s, full_payloads = timed(lambda: refresh(folder / "feed.xml", data, full=True))
    new = max(1, articles // 100)
    write_articles(folder, articles + new, start=articles)
    inc_s, inc_payloads = timed(lambda: refresh(folder / "feed.xml", data, full=False))
    ratio = inc_s / full_s
    return [Figure(
        id="P3", figure="P3", name="refresh with 1% new articles vs full refresh (ingest + enrich)",
        value=inc_s, unit="s", baseline=full_s, baseline_name="full refresh, s", ratio=ratio,
        goal="<= 10%", met=ratio <= 0.10,
        notes=f"{articles:,} articles then {new:,} new; payloads read: full {full_payloads:,}, "
              f"incremental {inc_payloads:,}",
        details={"full_payloads": full_payloads, "incremental_payloads": inc_payloads})]


def main() -> None:
    figure_main(__doc__, "p3", lambda work, s: measure(work, s.incremental_articles))


if __name__ == "__main__":
    main()
