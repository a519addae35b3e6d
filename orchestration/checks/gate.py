"""Blocking raw-table suites: the dbt models downstream of a table that failed do not run.

Dagster blocks at the level of a step, and all the dbt models are one step (``dbt_models``): a raw
suite declared ``blocking`` in Dagster would stop every model, including those that never read the
bad table (dagster-io/dagster#22242). So the raw suites run inside their ``raw/<table>`` step and
do not fail it, and the dbt step asks this module which of its models sit downstream (in the
Dagster asset graph, so through the Python enrichment too) of a raw table whose latest suite
evaluation failed, and excludes them from ``dbt build``. Dagster then skips whatever depends on
those models (their checks, the published snapshot), and every other model builds.

"Latest evaluation" is the latest completed one in any run, so a selection that only rebuilds
models is still gated by the last verdict on its raw tables.
"""

from __future__ import annotations

from collections import deque
from typing import Iterable

from dagster import AssetCheckKey, AssetKey

from orchestration.checks.asset_checks import suite_asset_key, suite_check_name
from orchestration.checks.gx_suites import list_suites

UNIQUE_ID_METADATA_KEY = "dagster_dbt/unique_id"


def failed_blocking_checks(instance, check_keys: Iterable[AssetCheckKey]) -> list[AssetCheckKey]:
    """The checks whose latest completed evaluation failed."""
    from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus

    done = {AssetCheckExecutionRecordStatus.SUCCEEDED, AssetCheckExecutionRecordStatus.FAILED}
    failed = []
    for key in check_keys:
        latest = instance.event_log_storage.get_asset_check_execution_history(key, limit=1, status=done)
        if latest and latest[0].status == AssetCheckExecutionRecordStatus.FAILED:
            failed.append(key)
    return failed


def descendants(asset_graph, roots: Iterable[AssetKey]) -> set[AssetKey]:
    """Every asset downstream of ``roots`` (not the roots themselves)."""
    seen: set[AssetKey] = set()
    queue = deque(roots)
    while queue:
        for child in asset_graph.get(queue.popleft()).child_keys:
            if child not in seen:
                seen.add(child)
                queue.append(child)
    return seen


def blocked_dbt_models(context) -> dict[str, list[str]]:
    """dbt resource names this dbt step must not build, by the failed check that blocks them."""
    graph = context.job_def.asset_layer.asset_graph
    keys = [AssetCheckKey(suite_asset_key(s), suite_check_name(s)) for s in list_suites() if s.blocking]
    keys = [k for k in keys if graph.has(k.asset_key)]
    own = set(context.assets_def.keys)
    blocked: dict[str, list[str]] = {}
    for check in failed_blocking_checks(context.instance, keys):
        names = sorted(
            context.assets_def.get_asset_spec(k).metadata[UNIQUE_ID_METADATA_KEY].split(".")[-1]
            for k in descendants(graph, [check.asset_key]) & own
        )
        if names:
            blocked[check.to_user_string()] = names
    return blocked


def dbt_gate_args(context) -> list[str]:
    """``--exclude`` arguments for ``dbt build``, logged with the reason; empty when nothing failed."""
    blocked = blocked_dbt_models(context)
    for check, names in blocked.items():
        context.log.warning(f"not building {len(names)} dbt model(s) downstream of a failed blocking "
                            f"suite {check}: {', '.join(names)}. Fix the rows it names, then refresh.")
    names = sorted({n for group in blocked.values() for n in group})
    return ["--exclude", " ".join(names)] if names else []
