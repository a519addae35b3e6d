"""Report assets: the timeline chart and the dbt docs site, built after the marts.

Both read the working warehouse once the dbt models are done (``duckdb`` pool, so no writer is
busy) and sit beside the published snapshot rather than before it: a report that fails never
holds back the data analysts query. The timeline's PNG is embedded in its materialisation
metadata (a data-URI image in Markdown, which the Dagster UI renders), so the chart is visible in
the UI without opening a file.

The report code is imported inside the assets: drawing imports matplotlib (about 3 s), which every
command that loads the code location would otherwise pay at start-up.
"""

import base64
from pathlib import Path

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    MaterializeResult,
    MetadataValue,
    asset,
)
from dagster_dbt import DbtCliResource

from orchestration.assets.dbt import dbt_vars
from orchestration.lib.config import Config
from orchestration.lib.dbt_project import ensure_manifest, keep_parse_state, reuse_parse_state
from orchestration.lib.resources import WarehouseResource

REPORTS_GROUP = "reports"
TIMELINE_KEY = AssetKey(["reports", "timeline"])
DOCS_KEY = AssetKey(["reports", "dbt_docs"])
TRADE_TOTALS_KEY = AssetKey(["intermediate", "int_trade_totals"])


def reports_dir(data_dir: str | Path) -> Path:
    return Path(data_dir) / "reports"


def docs_dir(data_dir: str | Path) -> Path:
    return Path(data_dir) / "docs" / "dbt"


def build_report_assets(config: Config, dbt_models: AssetsDefinition) -> list[AssetsDefinition]:
    marts = [k for k in dbt_models.keys if k.path[0] == "marts"]
    relationship = config.relationship.name

    @asset(key=TIMELINE_KEY, deps=[*marts, TRADE_TOTALS_KEY], group_name=REPORTS_GROUP, kinds={"python", "html"},
           pool="duckdb",
           description="Timeline of the relationship (reports/timeline.html and .png under ALLIANCE_DATA_DIR): "
                       "the goods trade balance, tariff actions (announced and effective), exercises as bands "
                       "coloured by status, and articles coloured by tone, with hover text. Also `alliance report`.")
    def timeline(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
        from orchestration.reports import write_timeline

        wh = warehouse.handle()
        files = write_timeline(wh.path, reports_dir(wh.data_dir), relationship)
        preview = base64.b64encode(files.preview_png).decode("ascii")
        context.log.info(f"timeline written to {files.html} and {files.png}")
        return MaterializeResult(metadata={
            "preview": MetadataValue.md(f"![timeline](data:image/png;base64,{preview})"),
            "html": MetadataValue.path(str(files.html)),
            "png": MetadataValue.path(str(files.png)),
            "articles": files.articles,
            "tariff_actions": files.tariff_actions,
            "exercises": files.exercises,
            "trade_periods": files.trade_periods,
        })

    variables = dbt_vars(config)

    @asset(key=DOCS_KEY, deps=list(dbt_models.keys), group_name=REPORTS_GROUP, kinds={"dbt"}, pool="duckdb",
           description="dbt docs for analysts: every model, column, test and the lineage graph, as one file "
                       "(ALLIANCE_DATA_DIR/docs/dbt/static_index.html) that opens in a browser from disk.")
    def dbt_docs(context: AssetExecutionContext, warehouse: WarehouseResource, dbt: DbtCliResource) -> MaterializeResult:
        from orchestration.reports.dbt_docs import generate_docs

        target = docs_dir(warehouse.data_dir)
        reuse_parse_state(warehouse.data_dir, target)  # parsed by the dbt step, same vars and profile
        summary = generate_docs(dbt, target, variables, ensure_manifest())
        keep_parse_state(warehouse.data_dir, target)
        if summary.undocumented_mart_columns:
            context.log.warning(f"mart columns without a description: {', '.join(summary.undocumented_mart_columns)}")
        return MaterializeResult(metadata={
            "index": MetadataValue.path(str(summary.index)),
            "models": summary.models,
            "documented_columns": summary.documented_columns,
            "undocumented_mart_columns": MetadataValue.json(summary.undocumented_mart_columns),
        })

    return [timeline, dbt_docs]
