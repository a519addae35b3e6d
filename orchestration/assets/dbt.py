"""dbt models as Dagster assets; dbt tests become asset checks.

Keys follow the warehouse: a model in schema ``marts`` is ``marts/<model>``; the dbt sources
``raw.<table>`` and ``enrich.<table>`` map onto the Python assets that write them, so the graph
runs source → raw table → enrichment → staging → intermediate → marts with no gaps.
"""


import json
import sys
import uuid
from functools import cached_property
from importlib.metadata import version as installed_version
from pathlib import Path
from typing import Any, Mapping

from dagster import AssetExecutionContext, AssetKey
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets
from packaging.version import Version

from orchestration.checks.gate import dbt_gate_args
from orchestration.lib.config import Config, data_dir, load_config
from orchestration.lib.dbt_project import (
    PROJECT_DIR,
    dbt_executable,
    dbt_project,
    ensure_manifest,
    keep_parse_state,
    reuse_parse_state,
    start_parse,
)


class WarehouseTranslator(DagsterDbtTranslator):
    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return AssetKey([dbt_resource_props["source_name"], dbt_resource_props["name"]])
        return AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "seeds"
        return dbt_resource_props.get("schema")


DBT_STEP = "dbt_models"
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
                name=DBT_STEP)
    def _dbt_models(context: AssetExecutionContext, dbt: DbtCliResource):
        # models downstream of a raw table whose blocking suite failed are left out (checks/gate.py)
        target = dbt_target_path(DBT_STEP, context.run.run_id)
        reuse_parse_state(data_dir(), target)
        yield from dbt.cli(["build", "--vars", variables, *dbt_gate_args(context)], context=context,
                           target_path=target).stream()
        keep_parse_state(data_dir(), target)  # the docs step parses nothing again

    return _dbt_models


def start_dbt_parse(asset_graph, selection, data_dir: Path, config: Config | None = None) -> None:
    """When the run builds dbt models (``selection`` None: everything), let dbt parse the project in
    the background while the sources load (orchestration/lib/dbt_project.py says why it is safe)."""
    if selection is None or any(a.node_def.name == DBT_STEP for a in asset_graph.assets_defs_for_keys(selection)):
        start_parse(data_dir, dbt_vars(config or load_config()))


def dbt_target_path(step: str, run_id: str) -> Path:
    """A fresh target folder per dbt command (as dagster-dbt makes), named so the parse state can be
    put in it before the command starts."""
    return PROJECT_DIR / "target" / f"{step}-{run_id[:7]}-{uuid.uuid4().hex[:7]}"


class WarehouseDbtResource(DbtCliResource):
    """dagster-dbt's resource without two start-up costs per dbt command that this project never uses.

    * ``_cli_version`` runs ``dbt --version`` in a subprocess (importing dbt: 3–10 s on this
      machine) to tell dbt Core from the Fusion engine. When the executable is this environment's
      own ``dbt`` script, the installed ``dbt-core`` package is what it runs, so its version is read
      from the package metadata instead.
    * ``_initialize_dbt_core_adapter`` loads the project and the profile in this process (another
      3–6 s) only for ``fetch_row_counts()`` and ``fetch_column_metadata()``, which this project
      does not call; without an adapter dagster-dbt streams the same events.
    """

    @cached_property
    def _cli_version(self) -> Version:
        if Path(self.dbt_executable) == Path(sys.executable).parent / "dbt":
            return Version(installed_version("dbt-core"))
        return super()._cli_version

    def _initialize_dbt_core_adapter(self, args):
        return None


def dbt_resource() -> DbtCliResource:
    return WarehouseDbtResource(project_dir=dbt_project, profiles_dir=str(dbt_project.profiles_dir),
                                dbt_executable=dbt_executable())
