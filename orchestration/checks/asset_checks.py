"""Great Expectations suites from ``expectations/`` as Dagster asset checks.

A suite for ``raw.<table>`` checks the ``raw/<table>`` asset and is blocking: when it fails, the dbt
models downstream of that table do not run. Suites for ``marts.*`` report on the dbt mart assets.
Each check's metadata lists every expectation with its observed value, unexpected count and a few
unexpected values, so the UI shows why a check failed without opening logs.
"""

from __future__ import annotations

from typing import Iterable

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetChecksDefinition,
    AssetKey,
    MetadataValue,
    asset_check,
)

from orchestration.checks.gx_suites import SuiteSpec, list_suites, read_table, validate_frame
from orchestration.lib.resources import WarehouseResource


def suite_asset_key(spec: SuiteSpec) -> AssetKey:
    schema, table = spec.table.split(".", 1)
    return AssetKey([schema, table])


def outcome_metadata(outcome) -> dict:
    rows = [
        {
            "expectation": e.type,
            "column": e.column,
            "success": e.success,
            "observed": None if e.observed_value is None else str(e.observed_value)[:200],
            "unexpected_count": e.unexpected_count,
            "unexpected_examples": [str(v)[:80] for v in (e.unexpected_examples or [])][:5],
        }
        for e in outcome.expectations
    ]
    failed = [r for r in rows if not r["success"]]
    table_md = "| expectation | column | ok | observed | unexpected | examples |\n|---|---|---|---|---|---|\n" + "\n".join(
        f"| {r['expectation']} | {r['column'] or ''} | {'✅' if r['success'] else '❌'} | {r['observed'] or ''} "
        f"| {r['unexpected_count'] if r['unexpected_count'] is not None else ''} | {', '.join(r['unexpected_examples'])} |"
        for r in rows)
    return {
        "suite": outcome.suite,
        "evaluated": outcome.evaluated,
        "failed": outcome.failed,
        "failed_expectations": MetadataValue.json(failed),
        "expectations": MetadataValue.md(table_md),
    }


def build_suite_check(spec: SuiteSpec) -> AssetChecksDefinition:
    @asset_check(
        asset=suite_asset_key(spec),
        name=f"gx_{spec.table.replace('.', '_')}",
        description=f"Great Expectations suite {spec.name} ({spec.path.name}) on {spec.table}"
                    + (" — blocking" if spec.blocking else ""),
        blocking=spec.blocking,
        pool="duckdb",
    )
    def _check(context: AssetCheckExecutionContext, warehouse: WarehouseResource) -> AssetCheckResult:
        frame = read_table(warehouse.handle().path, spec.table)
        outcome = validate_frame(frame, spec.name)
        return AssetCheckResult(
            passed=outcome.success,
            severity=AssetCheckSeverity.ERROR if spec.blocking else AssetCheckSeverity.WARN,
            metadata={"rows": len(frame), **outcome_metadata(outcome)},
        )

    return _check


def build_suite_checks(asset_keys: Iterable[AssetKey]) -> list[AssetChecksDefinition]:
    """A check for every suite whose table is an asset in this code location."""
    known = set(asset_keys)
    return [build_suite_check(s) for s in list_suites() if suite_asset_key(s) in known]
