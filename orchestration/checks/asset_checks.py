"""Great Expectations suites from ``expectations/`` as Dagster asset checks.

A *blocking* suite (``meta.blocking``, the raw tables) runs inside its ``raw/<table>`` step, as a
check of that asset with ERROR severity; the dbt step then leaves out every model downstream of a
table whose suite failed (:mod:`orchestration.checks.gate` says why it is done there and not with
Dagster's step-level ``blocking``). The other suites (the marts) are WARN checks that report.

Every run of a suite validates the table in bounded batches, compares its row count with the last
run (``quality.row_counts``), records the outcome and rebuilds the Data Docs under
``ALLIANCE_DATA_DIR/docs/gx/``. The check's metadata lists each expectation with its observed
value, unexpected count, a few unexpected values and any error, so the UI shows why it failed.
"""

from typing import Iterable

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetKey,
    MetadataValue,
    asset_check,
)

from orchestration.checks import docs
from orchestration.checks.gx_suites import SuiteOutcome, SuiteSpec, list_suites
from orchestration.checks.runner import run_suite
from orchestration.lib.resources import WarehouseResource
from orchestration.lib.warehouse import Warehouse


def suite_asset_key(spec: SuiteSpec) -> AssetKey:
    return AssetKey(spec.table.split(".", 1))


def suite_check_name(spec: SuiteSpec) -> str:
    return f"gx_{spec.table.replace('.', '_')}"


def suite_check_result(spec: SuiteSpec, warehouse: Warehouse, *, run_id: str) -> AssetCheckResult:
    """Run the suite on the working warehouse, rebuild the Data Docs, and report it as a check."""
    run = run_suite(spec, warehouse, run_id=run_id)
    common = {"asset_key": suite_asset_key(spec), "check_name": suite_check_name(spec), "severity": _severity(spec)}
    if run.outcome is None:
        return AssetCheckResult(passed=False, description=run.error, metadata={"error": run.error}, **common)
    index = docs.refresh_data_docs(warehouse.data_dir)
    return AssetCheckResult(
        passed=run.passed,
        description=run.summary()[:2000],
        metadata={
            "rows": run.outcome.rows,
            "batches": run.outcome.batches,
            "rows_last_run": run.previous if run.previous is not None else -1,
            "min_rows_vs_last_run": run.floor,
            "data_docs": MetadataValue.path(str(index)),
            **outcome_metadata(run.outcome),
        },
        **common,
    )


def _severity(spec: SuiteSpec) -> AssetCheckSeverity:
    return AssetCheckSeverity.ERROR if spec.blocking else AssetCheckSeverity.WARN


def outcome_metadata(outcome: SuiteOutcome) -> dict:
    """Every expectation with observed value, unexpected count, examples and error."""
    rows = [
        {
            "expectation": e.type,
            "column": e.column,
            "success": e.success,
            "observed": None if e.observed_value is None else str(e.observed_value)[:200],
            "unexpected_count": e.unexpected_count,
            "unexpected_examples": [str(v)[:80] for v in (e.unexpected_examples or [])][:5],
            "error": (e.error or "")[:300] or None,
        }
        for e in outcome.expectations
    ]
    table_md = "| expectation | column | ok | observed | unexpected | examples | error |\n|---|---|---|---|---|---|---|\n"
    table_md += "\n".join(
        f"| {r['expectation']} | {_cell(r['column'])} | {'✅' if r['success'] else '❌'} | {_cell(r['observed'])} "
        f"| {'' if r['unexpected_count'] is None else r['unexpected_count']} "
        f"| {_cell(', '.join(r['unexpected_examples']))} | {_cell(r['error'])} |"
        for r in rows)
    return {
        "suite": outcome.suite,
        "evaluated": outcome.evaluated,
        "failed": outcome.failed,
        "failed_expectations": MetadataValue.json([r for r in rows if not r["success"]]),
        "expectations": MetadataValue.md(table_md),
    }


def _cell(value) -> str:
    """A markdown table cell: no pipes or line breaks from the data."""
    return "" if value is None else str(value).replace("|", "\\|").replace("\n", " ")


# --- blocking suites, inside the raw table's own step --------------------------------------------


def blocking_suites(table: str) -> list[SuiteSpec]:
    return [s for s in list_suites() if s.blocking and s.table == table]


def raw_suite_check_specs(table: str) -> list[AssetCheckSpec]:
    """Check specs for the ``raw/<table>`` asset (``table`` is ``raw.<name>``)."""
    return [AssetCheckSpec(suite_check_name(s), asset=suite_asset_key(s), blocking=False,
                           description=f"Great Expectations suite {s.path.name}. Blocking: dbt models downstream "
                                       "of this table are not built while it fails.")
            for s in blocking_suites(table)]


def raw_suite_results(context, warehouse: Warehouse, table: str) -> list[AssetCheckResult]:
    """Run the table's blocking suites; call from the asset that declared :func:`raw_suite_check_specs`."""
    results = [suite_check_result(s, warehouse, run_id=context.run_id) for s in blocking_suites(table)]
    for r in results:
        if not r.passed:
            context.log.error(f"{r.check_name} failed on {table}: {r.description}")
    return results


# --- reporting suites, as checks of their own -----------------------------------------------------


def build_suite_check(spec: SuiteSpec) -> AssetChecksDefinition:
    @asset_check(
        asset=suite_asset_key(spec),
        name=suite_check_name(spec),
        description=f"Great Expectations suite {spec.path.name} on {spec.table} (reports, never blocks).",
        pool="duckdb",
    )
    def _check(context: AssetCheckExecutionContext, warehouse: WarehouseResource) -> AssetCheckResult:
        return suite_check_result(spec, warehouse.handle(), run_id=context.run.run_id)

    return _check


def build_suite_checks(asset_keys: Iterable[AssetKey]) -> list[AssetChecksDefinition]:
    """A check for every non-blocking suite whose table is an asset in this code location."""
    known = set(asset_keys)
    return [build_suite_check(s) for s in list_suites() if not s.blocking and suite_asset_key(s) in known]
