"""The inbox sensor: a file dropped into ``ALLIANCE_DATA_DIR/inbox/<source>/`` starts a refresh.

The cursor is JSON ({source: [file names already requested]}), so a file triggers one run, however
often the sensor ticks; the run's ingest step moves loaded files to ``done/``.
"""

from __future__ import annotations

import json

from dagster import (
    AssetKey,
    AssetSelection,
    DefaultSensorStatus,
    RunRequest,
    SensorDefinition,
    SensorEvaluationContext,
    SkipReason,
    sensor,
)

from orchestration.lib.config import Config, data_dir
from orchestration.lib.inbox import pending_files
from orchestration.schedules import refresh_all


def build_inbox_sensor(config: Config) -> SensorDefinition:
    names = [s.name for s in config.sources]

    @sensor(
        name="inbox_sensor",
        job=refresh_all,
        minimum_interval_seconds=30,
        default_status=DefaultSensorStatus.RUNNING,
        description="Refreshes a source (and everything downstream) when files are dropped into "
                    "ALLIANCE_DATA_DIR/inbox/<source>/ (article pages as .html, tables as .csv).",
    )
    def inbox_sensor(context: SensorEvaluationContext):
        seen: dict[str, list[str]] = json.loads(context.cursor) if context.cursor else {}
        root = data_dir()
        requests = []
        for name in names:
            files = [p.name for p in pending_files(root, name)]
            new = sorted(set(files) - set(seen.get(name, [])))
            if new:
                requests.append(RunRequest(
                    run_key=f"inbox:{name}:{'|'.join(new)}",
                    asset_selection=list(AssetSelection.assets(AssetKey(["ingest", name])).downstream()
                                         .resolve(context.repository_def.asset_graph)),
                    tags={"alliance/trigger": "inbox", "alliance/source": name},
                ))
            seen[name] = sorted(set(files))  # forget files that have been moved to done/
        context.update_cursor(json.dumps(seen, sort_keys=True))
        return requests or SkipReason("no new files in any inbox")

    return inbox_sensor
