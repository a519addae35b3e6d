"""Great Expectations Data Docs: the latest validation of every suite, as a static site.

Each check records its outcome under ``ALLIANCE_DATA_DIR/quality/gx_results/<suite>.json`` (the
GX result, so the page can be rebuilt in any process) and rebuilds the site in
``ALLIANCE_DATA_DIR/docs/gx/`` from all recorded outcomes. So the site is current after every
refresh, whatever subset ran and whichever checks failed, and after every ``alliance check``.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Iterable

from orchestration.checks.gx_suites import SuiteError, SuiteOutcome, load_suite

_SITE = "alliance"


def docs_dir(data_dir: str | Path) -> Path:
    return Path(data_dir) / "docs" / "gx"


def results_dir(data_dir: str | Path) -> Path:
    return Path(data_dir) / "quality" / "gx_results"


def record(outcome: SuiteOutcome, data_dir: str | Path) -> Path:
    """Store the outcome as the suite's latest (atomically: a reader never sees half a file)."""
    folder = results_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{outcome.suite}.json"
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".incoming-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(outcome.to_json(), fh, default=str)
    os.replace(tmp, target)
    return target


def recorded(data_dir: str | Path) -> list[SuiteOutcome]:
    """The latest recorded outcome of every suite, by suite name."""
    folder = results_dir(data_dir)
    outcomes = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            outcomes.append(SuiteOutcome.from_json(json.loads(path.read_text(encoding="utf-8"))))
        except (OSError, ValueError, KeyError) as exc:
            raise SuiteError(f"{path}: a recorded validation cannot be read ({exc}); delete it, the next "
                             "check writes it again") from None
    return outcomes


def refresh_data_docs(data_dir: str | Path) -> Path:
    """Rebuild the site from every recorded outcome; returns its index.html."""
    return build_data_docs(recorded(data_dir), docs_dir(data_dir))


def build_data_docs(outcomes: Iterable[SuiteOutcome], out_dir: str | Path) -> Path:
    """GX Data Docs for these validation results, written to ``out_dir``; returns its index.html.

    A fresh ephemeral context holds just these suites and results, so the site shows exactly this
    set: pages of earlier builds in the same folder are removed by GX's site builder.
    """
    import great_expectations as gx
    from great_expectations.core.expectation_validation_result import ExpectationSuiteValidationResultSchema
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.base import ProgressBarsConfig
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    schema = ExpectationSuiteValidationResultSchema()
    added: set[str] = set()
    for outcome in outcomes:
        if outcome.suite not in added:
            try:
                context.suites.add(load_suite(outcome.suite))
            except SuiteError:
                pass  # the suite file is gone; its validation page still renders from the result
            added.add(outcome.suite)
        run = (outcome.result.get("meta") or {}).get("run_id") or {}
        key = ValidationResultIdentifier(
            expectation_suite_identifier=ExpectationSuiteIdentifier(name=outcome.suite),
            run_id=RunIdentifier(run_name=run.get("run_name"), run_time=run.get("run_time")),
            batch_identifier=outcome.table,
        )
        context.validation_results_store.set(key, schema.load(outcome.result))
    context.add_data_docs_site(_SITE, {
        "class_name": "SiteBuilder",
        "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(out)},
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder", "show_how_to_buttons": False},
    })
    context.build_data_docs(site_names=[_SITE])
    index = out / "index.html"
    if not index.is_file():
        raise RuntimeError(f"Great Expectations did not write {index}")
    return index
