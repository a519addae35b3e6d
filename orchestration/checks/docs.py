"""Great Expectations Data Docs: the latest validation of every suite, as a static site.

Each check records its outcome under ``ALLIANCE_DATA_DIR/quality/gx_results/<suite>.json`` (the
GX result, so the page can be rebuilt in any process) and rebuilds the site in
``ALLIANCE_DATA_DIR/docs/gx/`` from all recorded outcomes. So the site is current after every
refresh, whatever subset ran and whichever checks failed, and after every ``alliance check``.

A refresh runs a dozen checks in one process, each rebuilding the site. Rendering a page is the slow
part (about 0.5 s a page here), so each process keeps one GX context per site folder and, after the
first full build, renders only the pages whose result changed, plus the index; the index build
removes the pages of results that are no longer recorded, so the site is the same as a full build.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from orchestration.checks.gx_suites import SuiteError, SuiteOutcome, load_suite, suite_file_digest

_SITE = "alliance"
_LOCK = threading.Lock()


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


@dataclass
class _Site:
    """One site folder's GX context in this process, and what its stores hold."""

    context: Any
    suites: dict[str, str | None] = field(default_factory=dict)  # suite -> file digest (None: file gone)
    results: dict[str, tuple[str, Any]] = field(default_factory=dict)  # suite -> (result digest, store key)


_SITES: dict[Path, _Site] = {}


def build_data_docs(outcomes: Iterable[SuiteOutcome], out_dir: str | Path) -> Path:
    """GX Data Docs for these validation results, written to ``out_dir``; returns its index.html.

    The site shows exactly this set: the first build in a process (or of a folder whose index is
    gone) renders every page from a fresh context, and GX's site builder removes pages of earlier
    builds; later builds render the changed pages and the index, which drops pages whose result is
    no longer in the set.
    """
    from great_expectations.data_context.types.resource_identifiers import ExpectationSuiteIdentifier

    out = Path(out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    index = out / "index.html"
    with _LOCK:
        site = _SITES.get(out)
        full = site is None or not index.is_file()
        if full:
            site = _SITES[out] = _Site(_new_context(out))
        latest = {o.suite: o for o in outcomes}  # one result per suite: the latest recorded
        # keys to render; a removed key renders nothing but still rebuilds the index, which drops its page
        changed: list[Any] = []
        for name in set(site.suites) - set(latest):
            if site.suites.pop(name) is not None:
                site.context.suites.delete(name)
            changed.append(ExpectationSuiteIdentifier(name=name))
        for name in set(site.results) - set(latest):
            key = site.results.pop(name)[1]
            site.context.validation_results_store.remove_key(key)
            changed.append(key)
        for name, outcome in latest.items():
            if _sync_suite(site, name):
                changed.append(ExpectationSuiteIdentifier(name=name))
            key = _sync_result(site, outcome)
            if key is not None:
                changed.append(key)
        if full or changed or not index.is_file():
            site.context.build_data_docs(site_names=[_SITE], resource_identifiers=None if full else changed)
    if not index.is_file():
        raise RuntimeError(f"Great Expectations did not write {index}")
    return index


def _new_context(out: Path) -> Any:
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    context.add_data_docs_site(_SITE, {
        "class_name": "SiteBuilder",
        "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(out)},
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder", "show_how_to_buttons": False},
    })
    return context


def _sync_suite(site: _Site, name: str) -> bool:
    """Put the suite's current file in the context; True when its page needs rendering."""
    digest = suite_file_digest(name)
    if name in site.suites and site.suites[name] == digest:
        return False
    if site.suites.pop(name, None) is not None:
        site.context.suites.delete(name)
    if digest is not None:
        try:
            site.context.suites.add(load_suite(name))
        except SuiteError:
            digest = None
    site.suites[name] = digest  # a suite whose file is gone or broken: its validation page still renders
    return digest is not None


def _sync_result(site: _Site, outcome: SuiteOutcome) -> Any | None:
    """Put the outcome's result in the store; its key when its page needs rendering, else None."""
    from great_expectations.core.expectation_validation_result import ExpectationSuiteValidationResultSchema
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    digest = hashlib.sha256(json.dumps(outcome.result, sort_keys=True, default=str).encode()).hexdigest()
    held = site.results.get(outcome.suite)
    if held is not None and held[0] == digest:
        return None
    run = (outcome.result.get("meta") or {}).get("run_id") or {}
    key = ValidationResultIdentifier(
        expectation_suite_identifier=ExpectationSuiteIdentifier(name=outcome.suite),
        run_id=RunIdentifier(run_name=run.get("run_name"), run_time=run.get("run_time")),
        batch_identifier=outcome.table,
    )
    store = site.context.validation_results_store
    if held is not None and held[1] != key:
        store.remove_key(held[1])
    store.set(key, ExpectationSuiteValidationResultSchema().load(outcome.result))
    site.results[outcome.suite] = (digest, key)
    return key
