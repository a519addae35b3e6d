"""Dagster resources: the warehouse handle every DuckDB-touching asset shares."""

from __future__ import annotations

from dagster import ConfigurableResource

from orchestration.lib.warehouse import Warehouse


class WarehouseResource(ConfigurableResource):
    """Where the warehouse lives (``ALLIANCE_DATA_DIR``) and how this run loads.

    ``full_refresh`` makes sources ignore their stored cursors and fetch everything again.
    """

    data_dir: str
    full_refresh: bool = False

    def handle(self) -> Warehouse:
        return Warehouse(self.data_dir)
