"""One Dagster asset per configured source, and one asset per raw table those sources fill.

``ingest/<source>`` extracts, archives, parses and merges one source into ``raw.<table>``.
``raw/<table>`` stands for the whole table (several sources may feed it, e.g. the curated exercises
and MME both load ``raw.exercises``); its Great Expectations suite is a blocking check, so dbt models
downstream of a table never run on data that failed.
"""


import itertools
import time
from collections import defaultdict
from collections.abc import Collection
from pathlib import Path
from typing import Any

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    BackfillPolicy,
    Failure,
    MaterializeResult,
    MetadataValue,
    TimeWindow,
    asset,
)

from orchestration.checks.asset_checks import raw_suite_check_specs, raw_suite_results
from orchestration.lib.config import Config
from orchestration.lib.inbox import inbox_payloads, mark_done
from orchestration.lib.partitions import in_window, partitions_for, run_window
from orchestration.lib.resources import WarehouseResource
from orchestration.lib.warehouse import ident
from sources import registry
from sources.contract import SourceError, SourcePlugin
from sources.http import Fetcher
from sources.runner import collect, config_fingerprint

INGEST_GROUP = "ingest"
RAW_GROUP = "raw"
#: Run tag that makes every source ignore its cursor (``alliance refresh --full-refresh`` sets it;
#: in the UI, launch a run with this tag set to ``true``).
FULL_REFRESH_TAG = "alliance/full_refresh"
QUARANTINE_CHECK = "records_accounted_for"
#: Above this share of quarantined records (or when extract stopped early) the ingest check warns.
MAX_QUARANTINE_SHARE = 0.25


def ingest_key(source_name: str) -> AssetKey:
    return AssetKey(["ingest", source_name])


def raw_key(table: str) -> AssetKey:
    return AssetKey(["raw", table])


def stored_cursor(warehouse, plugin: SourcePlugin) -> dict | None:
    """The plugin's cursor, unless the source's configuration changed since it was written."""
    stored = warehouse.get_cursor(plugin.name) or {}
    if stored.get("config") != config_fingerprint(plugin):
        return None
    return stored.get("cursor")


def run_source(plugin: SourcePlugin, warehouse, log=None, *, full_refresh: bool = False,
               fetcher: Fetcher | None = None, allowed_hosts: Collection[str] | None = None,
               window: TimeWindow | None = None, data_dir: Path | None = None) -> dict:
    """Extract, archive, parse and load one source. Returns metadata for the materialisation.

    Payloads that fail to parse, records that fail the schema and items that cannot be fetched go
    to quarantine with the reason; the good rows still load. The cursor moves on only when extract
    finished. Raises :class:`SourceError` only when nothing usable arrived at all. ``allowed_hosts``
    (the configured sources' hosts, in a run) are the only hosts the fetcher may contact.

    With a ``window`` (a backfill of some months) the source is read in full, every payload is
    archived, only rows whose ``plugin.partition_column`` falls in the window are loaded, and the
    cursor stays where it was. Files waiting in ``data_dir``'s inbox for this source are read as
    extra payloads and moved to ``done/`` once loaded.
    """
    started = time.monotonic()
    cursor = None if (full_refresh or window) else stored_cursor(warehouse, plugin)
    inbox = list(inbox_payloads(data_dir, plugin.name)) if data_dir is not None else []
    with fetcher or Fetcher(host_limits=plugin.rate_limits, allowed_hosts=allowed_hosts) as f:
        payloads = itertools.chain(plugin.extract(f, cursor), (p for _, p in inbox))
        batch = collect(plugin, payloads, archive=warehouse.archive, log=log)
    rows_outside_window = 0
    if window is not None and plugin.partition_column:
        inside = in_window(batch.frame, plugin.partition_column, window)
        rows_outside_window = batch.frame.height - inside.height
        batch.frame = inside
    stats = warehouse.load(table=plugin.table, key=plugin.key, schema=plugin.schema, source=plugin.name,
                           frame=batch.frame, rejected=batch.rejected)
    if not batch.usable and not rows_outside_window:
        if batch.extract_error is not None and batch.payloads == 0:
            raise batch.extract_error
        raise SourceError(plugin.name, plugin.config.location,
                          f"nothing usable arrived ({batch.payloads} payloads, {len(batch.rejected)} records "
                          f"quarantined{': ' + str(batch.extract_error) if batch.extract_error else ''})",
                          "look at raw.quarantine for the reasons: alliance sql \"select * from raw.quarantine\"")
    for path, _ in inbox:
        mark_done(path)
    new_cursor = cursor
    if batch.extract_error is None and window is None:
        new_cursor = plugin.next_cursor(cursor, batch.frame, batch.fetched)
        warehouse.set_cursor(plugin.name, {"config": config_fingerprint(plugin), "cursor": new_cursor})
    return {
        "table": f"raw.{plugin.table}",
        "plugin": plugin.plugin_name,
        "location": plugin.config.location,
        "full_refresh": full_refresh,
        "payloads": batch.payloads,
        "payloads_not_modified": batch.not_modified,
        "payloads_failed": batch.payloads_failed,
        "fetch_failures": batch.fetch_failures,
        "extract_error": str(batch.extract_error) if batch.extract_error else None,
        "rows_loaded": stats.rows_in,
        "rows_new": stats.rows_inserted,
        "rows_replaced": stats.rows_replaced,
        "records_rejected": len(batch.rejected),
        "rows_quarantined": stats.quarantined,
        "rows_in_table": stats.rows_in_table,
        "inbox_files": len(inbox),
        **({"window": f"{window.start:%Y-%m-%d}..{window.end:%Y-%m-%d}", "rows_outside_window": rows_outside_window}
           if window is not None else {}),
        "cursor_before": cursor,
        "cursor_after": new_cursor,
        "seconds": round(time.monotonic() - started, 3),
    }


def quarantine_check(meta: dict[str, Any]) -> AssetCheckResult:
    """Warn when a run quarantined much of what arrived, or its extract stopped early."""
    seen = meta["rows_loaded"] + meta["records_rejected"]
    share = meta["records_rejected"] / seen if seen else 0.0
    passed = meta["extract_error"] is None and share <= MAX_QUARANTINE_SHARE
    return AssetCheckResult(
        check_name=QUARANTINE_CHECK, passed=passed, severity=AssetCheckSeverity.WARN,
        metadata={"rows_loaded": meta["rows_loaded"], "records_quarantined": meta["records_rejected"],
                  "quarantined_share": round(share, 4), "max_share": MAX_QUARANTINE_SHARE,
                  "extract_error": meta["extract_error"] or ""},
    )


def build_ingest_asset(config: Config, source_name: str) -> AssetsDefinition:
    src = config.source(source_name)
    plugin = registry.create(src)
    key = ingest_key(src.name)
    partitioned = plugin.partition_column is not None

    @asset(
        key=key,
        group_name=INGEST_GROUP,
        partitions_def=partitions_for(plugin.partition_grain) if partitioned else None,
        backfill_policy=BackfillPolicy.single_run() if partitioned else None,
        description=f"{plugin.describe()} Source '{src.name}' ({src.plugin}) into raw.{plugin.table}.",
        kinds={"python", "duckdb"},
        pool="duckdb",
        metadata={"plugin": src.plugin, "table": f"raw.{plugin.table}", "cadence": plugin.cadence,
                  "location": src.location},
        tags={"source_plugin": src.plugin},
        check_specs=[AssetCheckSpec(QUARANTINE_CHECK, asset=key, description=(
            "Every record that arrived was loaded or quarantined with its reason; warns when more than "
            f"{MAX_QUARANTINE_SHARE:.0%} were quarantined or the extract stopped early."))],
    )
    def _ingest(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
        full = warehouse.full_refresh or context.run.tags.get(FULL_REFRESH_TAG) == "true"
        try:
            wh = warehouse.handle()
            meta = run_source(registry.create(src), wh, context.log, full_refresh=full,
                              allowed_hosts=config.source_hosts, window=run_window(context), data_dir=wh.data_dir)
        except SourceError as exc:
            raise Failure(description=str(exc), metadata={"source": src.name, "fix": exc.fix}) from None
        context.log.info(f"{src.name}: {meta['rows_loaded']} rows into {meta['table']}, "
                         f"{meta['records_rejected']} records quarantined")
        return MaterializeResult(metadata=_metadata(meta), check_results=[quarantine_check(meta)])

    return _ingest


def _metadata(meta: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in meta.items():
        if k == "location":
            out[k] = MetadataValue.path(v)
        elif k.startswith("cursor_"):
            out[k] = MetadataValue.json(v or {})
        elif v is not None:
            out[k] = v
    return out


def build_raw_table_asset(table: str, source_names: list[str]) -> AssetsDefinition:
    @asset(
        key=raw_key(table),
        group_name=RAW_GROUP,
        deps=[ingest_key(s) for s in source_names],
        description=f"The raw.{table} table as a whole, as loaded by: {', '.join(source_names)}. "
                    "Its Great Expectations suite blocks downstream models when it fails.",
        kinds={"duckdb"},
        pool="duckdb",
        check_specs=raw_suite_check_specs(f"raw.{table}"),
    )
    def _raw_table(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
        with warehouse.handle().connect(read_only=True) as con:
            by_source = con.execute(
                f"select source, count(*) from raw.{ident(table)} group by source order by source"
            ).fetchall() if _table_exists(con, table) else []
        counts = {s: n for s, n in by_source}
        return MaterializeResult(metadata={"row_count": sum(counts.values()),
                                           "rows_by_source": MetadataValue.json(counts)},
                                 check_results=raw_suite_results(context, warehouse.handle(), f"raw.{table}"))

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
        check_specs=raw_suite_check_specs("raw.quarantine"),
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
        }, check_results=raw_suite_results(context, wh, "raw.quarantine"))

    return _quarantine
