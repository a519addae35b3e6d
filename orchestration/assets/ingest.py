"""One Dagster asset per configured source, and one asset per raw table those sources fill.

``ingest/<source>`` extracts, archives, parses and merges one source into ``raw.<table>``.
``raw/<table>`` stands for the whole table (several sources may feed it, e.g. the curated exercises
and MME both load ``raw.exercises``); its Great Expectations suite is a blocking check, so dbt models
downstream of a table never run on data that failed.
"""


import time
from collections import defaultdict

import polars as pl
from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
)

from orchestration.lib.config import Config
from orchestration.lib.resources import WarehouseResource
from orchestration.lib.warehouse import ident
from sources import registry
from sources.contract import Rejected, SourceError, SourcePlugin
from sources.http import Fetcher

INGEST_GROUP = "ingest"
RAW_GROUP = "raw"


def ingest_key(source_name: str) -> AssetKey:
    return AssetKey(["ingest", source_name])


def raw_key(table: str) -> AssetKey:
    return AssetKey(["raw", table])


def run_source(plugin: SourcePlugin, warehouse, log=None, *, full_refresh: bool = False) -> dict:
    """Extract, archive, parse and load one source. Returns metadata for the materialisation.

    A payload that fails to parse goes to quarantine with the reason; the other payloads still load.
    Only when nothing usable arrived at all does this raise.
    """
    started = time.monotonic()
    cursor = None if full_refresh else warehouse.get_cursor(plugin.name)
    frames: list[pl.DataFrame] = []
    rejected: list[tuple[str | None, Rejected]] = []
    payloads = failed_payloads = 0
    for payload in plugin.extract(Fetcher(), cursor):
        payloads += 1
        warehouse.archive(payload)
        try:
            result = plugin.parse(payload)
        except Exception as exc:  # noqa: BLE001 - any parser failure is quarantined, never lost
            failed_payloads += 1
            reason = f"payload could not be parsed: {exc}"
            rejected.append((payload.sha256, Rejected({"url": payload.url, "content_type": payload.content_type}, reason)))
            if log:
                log.warning(f"source '{plugin.name}': {reason} ({payload.url})")
            continue
        frames.append(result.frame)
        rejected.extend((payload.sha256, r) for r in result.rejected)
    frame = pl.concat(frames, how="vertical") if frames else plugin.empty_frame()
    if frame.height and plugin.key:
        # The same key from two payloads of one run: the later payload wins (it is newer).
        frame = frame.unique(subset=list(plugin.key), keep="last", maintain_order=True)
    stats = warehouse.load(table=plugin.table, key=plugin.key, schema=plugin.schema, source=plugin.name,
                           frame=frame, rejected=rejected)
    if frame.height == 0 and (rejected or payloads == 0):
        raise SourceError(plugin.name, plugin.config.location,
                          f"nothing usable arrived ({payloads} payloads, {len(rejected)} records quarantined)",
                          "look at raw.quarantine for the reasons: alliance sql \"select * from raw.quarantine\"")
    next_cursor = getattr(plugin, "next_cursor", None)
    if callable(next_cursor) and frame.height:
        warehouse.set_cursor(plugin.name, next_cursor(frame))
    return {
        "table": f"raw.{plugin.table}",
        "plugin": plugin.plugin_name,
        "location": plugin.config.location,
        "payloads": payloads,
        "payloads_failed": failed_payloads,
        "rows_loaded": stats.rows_in,
        "rows_new": stats.rows_inserted,
        "rows_replaced": stats.rows_replaced,
        "rows_quarantined": stats.quarantined,
        "rows_in_table": stats.rows_in_table,
        "seconds": round(time.monotonic() - started, 3),
    }


def build_ingest_asset(config: Config, source_name: str) -> AssetsDefinition:
    src = config.source(source_name)
    plugin = registry.create(src)

    @asset(
        key=ingest_key(src.name),
        group_name=INGEST_GROUP,
        description=f"{plugin.describe()} Source '{src.name}' ({src.plugin}) into raw.{plugin.table}.",
        kinds={"python", "duckdb"},
        pool="duckdb",
        metadata={"plugin": src.plugin, "table": f"raw.{plugin.table}", "cadence": plugin.cadence,
                  "location": src.location},
        tags={"source_plugin": src.plugin},
    )
    def _ingest(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
        try:
            meta = run_source(registry.create(src), warehouse.handle(), context.log,
                              full_refresh=warehouse.full_refresh)
        except SourceError as exc:
            raise Failure(description=str(exc), metadata={"source": src.name, "fix": exc.fix}) from None
        context.log.info(f"{src.name}: {meta['rows_loaded']} rows into {meta['table']}, "
                         f"{meta['rows_quarantined']} quarantined")
        return MaterializeResult(metadata={k: (MetadataValue.path(v) if k == "location" else v)
                                           for k, v in meta.items()})

    return _ingest


def build_raw_table_asset(table: str, source_names: list[str]) -> AssetsDefinition:
    @asset(
        key=raw_key(table),
        group_name=RAW_GROUP,
        deps=[ingest_key(s) for s in source_names],
        description=f"The raw.{table} table as a whole, as loaded by: {', '.join(source_names)}. "
                    "Its Great Expectations suite blocks downstream models when it fails.",
        kinds={"duckdb"},
        pool="duckdb",
    )
    def _raw_table(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
        with warehouse.handle().connect(read_only=True) as con:
            by_source = con.execute(
                f"select source, count(*) from raw.{ident(table)} group by source order by source"
            ).fetchall() if _table_exists(con, table) else []
        counts = {s: n for s, n in by_source}
        return MaterializeResult(metadata={"row_count": sum(counts.values()),
                                           "rows_by_source": MetadataValue.json(counts)})

    return _raw_table


def _table_exists(con, table: str) -> bool:
    return bool(con.execute(
        "select 1 from information_schema.tables where table_schema = 'raw' and table_name = ?", [table]
    ).fetchall())


def build_ingest_assets(config: Config) -> list[AssetsDefinition]:
    """Assets for every configured source, and for every raw table they fill."""
    per_table: dict[str, list[str]] = defaultdict(list)
    assets: list[AssetsDefinition] = []
    for src in config.sources:
        plugin = registry.create(src)
        per_table[plugin.table].append(src.name)
        assets.append(build_ingest_asset(config, src.name))
    for table, names in sorted(per_table.items()):
        assets.append(build_raw_table_asset(table, names))
    assets.append(build_quarantine_asset([s.name for s in config.sources]))
    return assets


QUARANTINE_KEY = AssetKey(["raw", "quarantine"])


def build_quarantine_asset(source_names: list[str]) -> AssetsDefinition:
    @asset(
        key=QUARANTINE_KEY,
        group_name=RAW_GROUP,
        deps=[ingest_key(s) for s in source_names],
        description="Records and payloads that could not be loaded, with the reason. Nothing is dropped "
                    "silently: every source writes here what it rejects.",
        kinds={"duckdb"},
        pool="duckdb",
    )
    def _quarantine(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
        wh = warehouse.handle()
        wh.bootstrap()
        with wh.connect(read_only=True) as con:
            rows = con.execute(
                "select source, reason, count(*) from raw.quarantine group by all order by 1, 3 desc"
            ).fetchall()
        return MaterializeResult(metadata={
            "row_count": sum(n for _, _, n in rows),
            "by_source_and_reason": MetadataValue.json([{"source": s, "reason": r[:200], "rows": n} for s, r, n in rows]),
        })

    return _quarantine
