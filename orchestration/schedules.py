"""The job every refresh runs, and the nightly schedule that runs it."""

from __future__ import annotations

from dagster import (
    AssetSelection,
    DefaultScheduleStatus,
    ScheduleDefinition,
    in_process_executor,
    multiprocess_executor,
)

from orchestration.lib.config import Config
from orchestration.lib.partitions import mixed_partitions_job

REFRESH_JOB = "refresh_all"

# One process, one step at a time: on small machines this is far faster than a process per step,
# and it serialises every DuckDB write by construction.
# Trade is partitioned by month and articles by day: the jobs hold both (see mixed_partitions_job).
refresh_all = mixed_partitions_job(REFRESH_JOB, selection=AssetSelection.all(), executor_def=in_process_executor,
                                   description="Extract every source, load raw tables, build the dbt models, "
                                               "run every check and publish the snapshot.")

# The same graph on the multiprocess executor (one DuckDB step at a time through the `duckdb` pool).
refresh_all_multiprocess = mixed_partitions_job(f"{REFRESH_JOB}_multiprocess", selection=AssetSelection.all(),
                                                executor_def=multiprocess_executor.configured({"max_concurrent": 2}))


def nightly_refresh(config: Config) -> ScheduleDefinition:
    return ScheduleDefinition(
        name="nightly_refresh",
        job=refresh_all,
        cron_schedule=config.schedule_cron,
        execution_timezone=config.schedule_timezone,
        default_status=DefaultScheduleStatus.RUNNING,
        description=f"Full refresh at '{config.schedule_cron}' ({config.schedule_timezone}); "
                    "change `schedule:` in alliance.yml.",
    )
