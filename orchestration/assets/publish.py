"""The published, read-only snapshot analysts query, swapped in after each successful refresh."""


from typing import Sequence

from dagster import AssetExecutionContext, AssetKey, AssetsDefinition, MaterializeResult, MetadataValue, asset

from orchestration.lib.resources import WarehouseResource

PUBLISHED_KEY = AssetKey(["published", "warehouse"])


def build_publish_asset(upstream: Sequence[AssetKey]) -> AssetsDefinition:
    @asset(
        key=PUBLISHED_KEY,
        deps=list(upstream),
        group_name="published",
        kinds={"duckdb"},
        pool="duckdb",
        description="A read-only copy of the warehouse, swapped in atomically once the marts are built. "
                    "`alliance sql` and analysts' DuckDB clients read this file, so a refresh never "
                    "blocks a query and a query never sees a half-built table.",
    )
    def published_warehouse(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
        wh = warehouse.handle()
        path = wh.publish()
        counts = wh.table_counts(path)
        return MaterializeResult(metadata={
            "path": MetadataValue.path(str(path)),
            "size_bytes": path.stat().st_size,
            "tables": MetadataValue.json(counts),
        })

    return published_warehouse
