"""dbt models as Dagster assets; dbt tests become asset checks.

Keys follow the warehouse: a model in schema ``marts`` is ``marts/<model>``; the dbt sources
``raw.<table>`` and ``enrich.<table>`` map onto the Python assets that write them, so the graph
runs source → raw table → enrichment → staging → intermediate → marts with no gaps.
"""


import json
from typing import Any, Mapping

from dagster import AssetExecutionContext, AssetKey
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from orchestration.checks.gate import dbt_gate_args
from orchestration.lib.config import Config
from orchestration.lib.dbt_project import dbt_executable, dbt_project, ensure_manifest


class WarehouseTranslator(DagsterDbtTranslator):
    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return AssetKey([dbt_resource_props["source_name"], dbt_resource_props["name"]])
        return AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "seeds"
        return dbt_resource_props.get("schema")


TRANSLATOR = WarehouseTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


def dbt_vars(config: Config) -> dict[str, Any]:
    """Config values the models need, passed as dbt ``--vars``."""
    return {
        "alliance_a": config.relationship.a,
        "alliance_b": config.relationship.b,
        "exercise_window_days": config.exercise_window_days,
    }


def build_dbt_assets(config: Config):
    manifest = ensure_manifest()
    variables = json.dumps(dbt_vars(config))

    @dbt_assets(manifest=manifest, project=dbt_project, dagster_dbt_translator=TRANSLATOR, pool="duckdb",
                name="dbt_models")
    def _dbt_models(context: AssetExecutionContext, dbt: DbtCliResource):
        # models downstream of a raw table whose blocking suite failed are left out (checks/gate.py)
        yield from dbt.cli(["build", "--vars", variables, *dbt_gate_args(context)], context=context).stream()

    return _dbt_models


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(project_dir=dbt_project, profiles_dir=str(dbt_project.profiles_dir),
                          dbt_executable=dbt_executable())
