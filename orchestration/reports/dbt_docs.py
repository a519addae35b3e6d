"""The dbt docs site for analysts, generated into a folder they can open without a server.

``dbt docs generate --static`` writes ``static_index.html``: one file with the manifest and the
catalog inside, so it opens straight from disk (``file://``). The catalog is read from the
warehouse, which is why this runs in the ``duckdb`` pool after the models are built. The summary
counts the mart columns that have no description, so a gap in the docs shows in the Dagster UI.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dagster_dbt import DbtCliResource

DOCS_SCHEMA = "marts"


@dataclass(frozen=True)
class DocsSummary:
    index: Path
    models: int
    documented_columns: int
    undocumented_mart_columns: list[str]


def generate_docs(dbt: DbtCliResource, target: Path, variables: dict[str, Any], manifest: Path) -> DocsSummary:
    target.mkdir(parents=True, exist_ok=True)
    dbt.cli(["docs", "generate", "--static", "--vars", json.dumps(variables)], target_path=target,
            manifest=manifest, raise_on_error=True).wait()
    return summarise(target)


def summarise(target: Path) -> DocsSummary:
    """What the generated site documents, from its manifest.json and catalog.json."""
    index = target / "static_index.html"
    if not index.exists():
        raise FileNotFoundError(f"dbt docs generate wrote no {index}; see the dbt log above")
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    catalog = json.loads((target / "catalog.json").read_text(encoding="utf-8"))
    models = [n for n in manifest["nodes"].values() if n["resource_type"] == "model"]
    documented = sum(1 for n in models for c in n["columns"].values() if c.get("description", "").strip())
    missing = []
    for node in models:
        if node["schema"] != DOCS_SCHEMA:
            continue
        described = {k.lower() for k, c in node["columns"].items() if c.get("description", "").strip()}
        built = catalog["nodes"].get(node["unique_id"], {}).get("columns", {})
        missing += [f"{node['name']}.{col.lower()}" for col in built if col.lower() not in described]
    return DocsSummary(index=index, models=len(models), documented_columns=documented,
                       undocumented_mart_columns=sorted(missing))
