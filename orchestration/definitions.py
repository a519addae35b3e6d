"""The Dagster code location: ``defs`` is what ``dagster dev -m orchestration.definitions`` loads.

Everything is built from the config (``alliance.yml`` or ``ALLIANCE_CONFIG``): one ingest asset
per configured source, one asset per raw table, the enrichment step, the dbt models, the Great
Expectations checks, the published snapshot, the refresh job and the nightly schedule.
"""

from __future__ import annotations

import os

from dagster import Definitions, in_process_executor

from orchestration.assets.dbt import build_dbt_assets, dbt_resource
from orchestration.assets.enrich import enrich_articles
from orchestration.assets.ingest import build_ingest_assets
from orchestration.assets.publish import build_publish_asset
from orchestration.assets.report import build_report_assets
from orchestration.checks import build_quality_checks
from orchestration.lib.config import Config, data_dir, load_config
from orchestration.lib.resources import WarehouseResource
from orchestration.schedules import nightly_refresh, refresh_all, refresh_all_multiprocess
from orchestration.sensors import build_inbox_sensor


def build_definitions(config: Config | None = None, *, full_refresh: bool = False) -> Definitions:
    config = config or load_config()
    # dbt runs as a subprocess and finds the warehouse through this variable (profiles.yml): make it
    # absolute so Dagster and dbt always open the same file, whatever the working directory.
    os.environ["ALLIANCE_DATA_DIR"] = str(data_dir())
    ingest = build_ingest_assets(config)
    dbt_models = build_dbt_assets(config)
    marts = [k for k in dbt_models.keys if k.path[0] == "marts"]
    publish = build_publish_asset(marts)
    reports = build_report_assets(config, dbt_models)  # beside publish: a failed chart never holds back data
    assets = [*ingest, enrich_articles, dbt_models, publish, *reports]
    all_keys = [k for a in assets for k in a.keys]
    quality_checks, quality_sensors = build_quality_checks(config, all_keys)
    return Definitions(
        executor=in_process_executor,  # ad-hoc UI and sensor runs too: one process, one DuckDB writer
        assets=assets,
        asset_checks=quality_checks,
        jobs=[refresh_all, refresh_all_multiprocess],
        schedules=[nightly_refresh(config)],
        sensors=[build_inbox_sensor(config), *quality_sensors],
        resources={
            "warehouse": WarehouseResource(data_dir=str(data_dir()), full_refresh=full_refresh),
            "dbt": dbt_resource(),
        },
    )


defs = build_definitions()


def multiprocess_refresh_job():
    """The multiprocess job, rebuilt from this module in every step process (``reconstructable``)."""
    return defs.resolve_job_def("refresh_all_multiprocess")
