"""Great Expectations suites in ``expectations/``: load them and validate a dataframe.

The suites are JSON files, one per table, named ``<schema>.<table>.json`` and reviewed like code::

    {"name": "raw.articles",
     "meta": {"table": "raw.articles", "blocking": true, "max_row_drop": 0.5, "notes": "why"},
     "expectations": [{"type": "expect_...", "kwargs": {...}, "meta": {"why": "..."}}]}

GX 1.24 cannot validate DuckDB through SQL (see STACK_NOTES.md), so tables are validated as
pandas dataframes on one ephemeral GX context per process (:func:`validate_frame`, or
:func:`run_suite_on_frame` for part of a suite); :mod:`orchestration.checks.batches` feeds a
DuckDB table through it in bounded batches. Values known only at run time are suite parameters
(``{"$PARAMETER": "today_plus_1d"}``): the run date's bounds from :func:`run_parameters`, and the
row-count floor that :mod:`orchestration.checks.history` derives from the last run.

Great Expectations takes ~15 s to import (pandas a few more), so both are imported lazily:
importing this module (and so the Dagster code location) stays cheap until a suite is run.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import great_expectations as gx
    import pandas as pd

REPO_ROOT = Path(__file__).resolve().parents[2]
SUITES_DIR = REPO_ROOT / "expectations"

# schema.table, lower case: the shape of a suite name and of the table it checks.
_QUALIFIED = re.compile(r"^[a-z_]+\.[a-z_]+$")
_MAX_EXAMPLES = 5
# SUMMARY keeps the stored result small (no full unexpected lists) but still gives examples.
_RESULT_FORMAT = {"result_format": "SUMMARY", "partial_unexpected_count": 20}
_DATASOURCE = "alliance_frames"
#: The parameter a suite's row-count expectation uses for "not far fewer rows than last run".
ROW_FLOOR_PARAMETER = "min_rows_vs_last_run"


class SuiteError(ValueError):
    """A suite file that cannot be used; the message names the file."""


@dataclass(frozen=True)
class SuiteSpec:
    name: str        # "raw.articles" (the file's stem)
    table: str       # the table it checks, "raw.articles"
    blocking: bool   # a failure stops downstream assets
    path: Path
    max_row_drop: float | None = None  # share of last run's rows that may disappear (None: not checked)


@dataclass
class ExpectationOutcome:
    """One expectation's result, JSON-friendly.

    ``column`` is the column, or the columns joined with ", " (pair and compound expectations),
    or None for table-level expectations; ``columns`` lists them. When GX raised instead of
    evaluating (a missing column, incomparable types) ``error`` holds the message and, as GX
    has no observed value then, ``observed_value`` says ``"error: ..."`` so a UI showing only
    observed values still shows why.
    """

    type: str
    column: str | None
    columns: list[str]
    kwargs: dict[str, Any]
    success: bool
    observed_value: Any = None
    unexpected_count: int | None = None
    unexpected_examples: list[Any] = field(default_factory=list)
    error: str | None = None


@dataclass
class SuiteOutcome:
    suite: str
    table: str
    blocking: bool
    success: bool
    evaluated: int
    failed: int
    rows: int
    seconds: float
    expectations: list[ExpectationOutcome]
    result: dict[str, Any] = field(repr=False)  # the GX validation result as JSON, for Data Docs
    batches: int = 1

    def to_json(self) -> dict[str, Any]:
        """Everything but the expectation objects, which :meth:`from_json` rebuilds from ``result``."""
        return {"suite": self.suite, "table": self.table, "blocking": self.blocking, "rows": self.rows,
                "seconds": self.seconds, "batches": self.batches, "result": self.result}

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> SuiteOutcome:
        return outcome_from_result(doc["result"], suite=doc["suite"], table=doc["table"],
                                   blocking=doc["blocking"], rows=doc["rows"], seconds=doc["seconds"],
                                   batches=doc.get("batches", 1))

    @property
    def failures(self) -> list[ExpectationOutcome]:
        return [e for e in self.expectations if not e.success]

    def summary(self) -> str:
        """One line per failed expectation, for logs and the CLI."""
        head = (f"{self.suite}: {'passed' if self.success else 'FAILED'} "
                f"({self.evaluated - self.failed}/{self.evaluated} expectations, {self.rows} rows)")
        lines = [head]
        for e in self.failures:
            where = f"({e.column})" if e.column else ""
            if e.error:
                detail = f"error: {e.error}"
            elif e.unexpected_count is not None:
                detail = f"{e.unexpected_count} unexpected, e.g. {e.unexpected_examples!r}"
            else:
                detail = f"observed {e.observed_value!r}"
            lines.append(f"  - {e.type}{where}: {detail}")
        return "\n".join(lines)


# --- suites -------------------------------------------------------------------------------------


def run_parameters(today: date | None = None) -> dict[str, Any]:
    """The values of the ``$PARAMETER`` names suites may use (UTC date of the run).

    The row-count floor defaults to 0 (no earlier run to compare with); callers that know the
    last run's count override it (see :mod:`orchestration.checks.history`).
    """
    today = today or datetime.now(timezone.utc).date()
    return {
        "today": today,
        "today_plus_1d": today + timedelta(days=1),
        "today_plus_366d": today + timedelta(days=366),
        ROW_FLOOR_PARAMETER: 0,
    }


def list_suites() -> list[SuiteSpec]:
    """Every suite in ``SUITES_DIR``, sorted by name."""
    specs = []
    for path in sorted(SUITES_DIR.glob("*.json")):
        doc = _read_suite_file(path)
        meta = doc.get("meta") or {}
        table = meta.get("table", doc["name"])
        if not isinstance(table, str) or not _QUALIFIED.fullmatch(table):
            raise SuiteError(f"{path}: meta.table must look like 'schema.table', got {table!r}")
        drop = meta.get("max_row_drop")
        if drop is not None and not (isinstance(drop, (int, float)) and 0 <= drop <= 1):
            raise SuiteError(f"{path}: meta.max_row_drop must be a share between 0 and 1, got {drop!r}")
        specs.append(SuiteSpec(name=doc["name"], table=table, blocking=bool(meta.get("blocking", False)),
                               path=path, max_row_drop=None if drop is None else float(drop)))
    return specs


def suite_spec(name: str) -> SuiteSpec:
    """The spec of ``expectations/<name>.json``."""
    path = _suite_path(name)
    for spec in list_suites():
        if spec.path == path:
            return spec
    raise SuiteError(f"no suite file {path}")  # pragma: no cover - _suite_path checked it exists


def suite_document(name: str) -> dict[str, Any]:
    """The suite file ``expectations/<name>.json`` as parsed JSON (validated shape)."""
    return _read_suite_file(_suite_path(name))


def load_suite(name: str) -> gx.ExpectationSuite:
    """The suite ``expectations/<name>.json`` as a (detached) GX ExpectationSuite."""
    path = _suite_path(name)
    return _build_suite(_read_suite_file(path), path)


def suite_file_digest(name: str) -> str | None:
    """A digest of ``expectations/<name>.json`` (None when there is no such file): what changed."""
    path = SUITES_DIR / f"{name}.json"
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    except OSError:
        return None


def _suite_path(name: str) -> Path:
    if not isinstance(name, str) or not _QUALIFIED.fullmatch(name):
        raise SuiteError(f"suite name must look like 'schema.table', got {name!r}")
    path = SUITES_DIR / f"{name}.json"
    if not path.is_file():
        known = ", ".join(p.stem for p in sorted(SUITES_DIR.glob("*.json"))) or "none"
        raise SuiteError(f"no suite file {path} (suites: {known})")
    return path


def _read_suite_file(path: Path) -> dict[str, Any]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SuiteError(f"{path}: cannot read the suite: {exc}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("expectations"), list):
        raise SuiteError(f"{path}: a suite is an object with 'name' and an 'expectations' list")
    if doc.get("name") != path.stem:
        raise SuiteError(f"{path}: 'name' must be the file's stem {path.stem!r}, got {doc.get('name')!r}")
    return doc


def _parameter_names(value: Any) -> set[str]:
    if isinstance(value, dict):
        if set(value) == {"$PARAMETER"}:
            return {str(value["$PARAMETER"])}
        return set().union(*(_parameter_names(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_parameter_names(v) for v in value)) if value else set()
    return set()


def _build_suite(doc: dict[str, Any], path: Path, only: tuple[int, ...] | None = None) -> gx.ExpectationSuite:
    import great_expectations as gx
    from great_expectations.exceptions import ExpectationNotFoundError
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration
    from great_expectations.expectations.registry import get_expectation_impl

    known_parameters = set(run_parameters())
    expectations = []
    for i, item in enumerate(doc["expectations"], start=1):
        if only is not None and i - 1 not in only:
            continue
        if not isinstance(item, dict) or not isinstance(item.get("type"), str):
            raise SuiteError(f"{path}: expectation #{i} needs a 'type' string")
        etype = item["type"]
        try:
            get_expectation_impl(etype)
        except ExpectationNotFoundError:
            raise SuiteError(f"{path}: expectation #{i} has unknown type {etype!r} "
                             f"(not an expectation of Great Expectations {gx.__version__})") from None
        kwargs = dict(item.get("kwargs") or {})
        unknown = _parameter_names(kwargs) - known_parameters
        if unknown:
            raise SuiteError(f"{path}: expectation #{i} ({etype}) uses unknown $PARAMETER "
                             f"{sorted(unknown)}; known: {sorted(known_parameters)}")
        try:  # ``id`` is dropped on purpose: ids belong to a context's store, not to the file
            expectations.append(ExpectationConfiguration(
                type=etype, kwargs=kwargs, meta=dict(item.get("meta") or {})).to_domain_obj())
        except Exception as exc:  # pydantic errors on bad kwargs
            raise SuiteError(f"{path}: expectation #{i} ({etype}) is invalid: {exc}") from None
    name = doc["name"] if only is None else f"{doc['name']}~{'-'.join(map(str, only))}"
    return gx.ExpectationSuite(name=name, expectations=expectations, meta=dict(doc.get("meta") or {}))


# --- validation ---------------------------------------------------------------------------------

_LOCK = threading.RLock()
_STATE: dict[str, Any] = {}  # the process's GX context, datasource and validation definitions


def _context() -> Any:
    """One ephemeral context per process: creating one (and importing GX) is the slow part."""
    if "context" not in _STATE:
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        context = gx.get_context(mode="ephemeral")
        context.variables.progress_bars = ProgressBarsConfig(globally=False)
        _STATE["datasource"] = context.data_sources.add_pandas(_DATASOURCE)
        _STATE["definitions"] = {}  # suite name -> (file digest, ValidationDefinition)
        _STATE["context"] = context
    return _STATE["context"]


def _validation_definition(name: str, only: tuple[int, ...] | None = None) -> Any:
    """The ValidationDefinition of the suite (or of the expectations ``only`` lists, by position),
    rebuilt only when the suite file changed."""
    import great_expectations as gx

    context = _context()
    path = _suite_path(name)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    cached = _STATE["definitions"].get((name, only))
    if cached and cached[0] == digest:
        return cached[1]
    suite = context.suites.add_or_update(_build_suite(_read_suite_file(path), path, only))
    datasource = _STATE["datasource"]
    try:
        asset = datasource.get_asset(name)
    except LookupError:
        asset = datasource.add_dataframe_asset(name=name)
    try:
        batch = asset.get_batch_definition("whole")
    except (KeyError, LookupError):
        batch = asset.add_batch_definition_whole_dataframe("whole")
    definition = context.validation_definitions.add_or_update(
        gx.ValidationDefinition(name=f"{suite.name}@{digest}", data=batch, suite=suite))
    _STATE["definitions"][(name, only)] = (digest, definition)
    return definition


def _dates_as_dates(df: pd.DataFrame) -> pd.DataFrame:
    """DATE columns as ``datetime.date`` objects.

    DuckDB DATE and Polars Date arrive in pandas as datetime64 at midnight, while GX parses the
    ISO bounds in the suites ("1990-01-01") as ``datetime.date``, which pandas Timestamps refuse
    to compare with. Tz-naive datetime64 columns whose values are all midnights go back to dates;
    real timestamps (``loaded_at``) are left alone. Returns ``df`` itself when nothing changes.
    """
    import pandas as pd

    out = None
    for col in df.columns:
        s = df[col]
        if not (pd.api.types.is_datetime64_dtype(s.dtype) and getattr(s.dt, "tz", None) is None):
            continue
        present = s.dropna()
        if len(present) and not (present == present.dt.normalize()).all():
            continue
        if out is None:
            out = df.copy(deep=False)
        out[col] = pd.Series(s.dt.date, index=s.index, dtype=object).where(s.notna(), None)
    return df if out is None else out


def validate_frame(df: pd.DataFrame, suite_name: str, *, parameters: dict[str, Any] | None = None) -> SuiteOutcome:
    """Validate a dataframe against ``expectations/<suite_name>.json``.

    Safe to call repeatedly (and from several threads) in one process: the context is created
    once, and each suite's validation definition is reused until its file changes. ``parameters``
    override :func:`run_parameters` (e.g. the row-count floor).
    """
    started = time.perf_counter()
    raw = run_suite_on_frame(df, suite_name, parameters=parameters)
    meta = _read_suite_file(_suite_path(suite_name)).get("meta") or {}
    return outcome_from_result(raw, suite=suite_name, table=meta.get("table", suite_name),
                               blocking=bool(meta.get("blocking", False)), rows=len(df),
                               seconds=round(time.perf_counter() - started, 3))


def run_suite_on_frame(df: pd.DataFrame, suite_name: str, *, parameters: dict[str, Any] | None = None,
                       only: tuple[int, ...] | None = None) -> dict[str, Any]:
    """The GX validation result (as JSON) of the suite, or of the expectations at the positions
    ``only`` lists, on ``df``."""
    with _LOCK:
        definition = _validation_definition(suite_name, only)
        result = definition.run(
            batch_parameters={"dataframe": _dates_as_dates(df)},
            expectation_parameters={**run_parameters(), **(parameters or {})},
            result_format=_RESULT_FORMAT,
        )
        return result.to_json_dict()


def outcome_from_result(raw: dict[str, Any], *, suite: str, table: str, blocking: bool, rows: int,
                        seconds: float, batches: int = 1) -> SuiteOutcome:
    """A :class:`SuiteOutcome` from a GX validation result in JSON form."""
    stats = raw.get("statistics") or {}
    expectations = [_expectation_outcome(r) for r in raw.get("results") or []]
    return SuiteOutcome(
        suite=suite,
        table=table,
        blocking=blocking,
        success=bool(raw.get("success")),
        evaluated=int(stats.get("evaluated_expectations", len(expectations))),
        failed=int(stats.get("unsuccessful_expectations", sum(not e.success for e in expectations))),
        rows=rows,
        seconds=seconds,
        expectations=expectations,
        result=raw,
        batches=batches,
    )


def _columns(kwargs: dict[str, Any]) -> list[str]:
    if "column" in kwargs:
        return [kwargs["column"]]
    if "column_A" in kwargs:
        return [kwargs["column_A"], kwargs["column_B"]]
    return list(kwargs.get("column_list") or [])


def _error_message(info: Any) -> str | None:
    """GX reports exceptions either flat or keyed by metric id; return the first message."""
    if not isinstance(info, dict):
        return None
    if info.get("raised_exception"):
        return str(info.get("exception_message") or "exception while evaluating")
    for value in info.values():
        if isinstance(value, dict) and value.get("raised_exception"):
            return str(value.get("exception_message") or "exception while evaluating")
    return None


def _examples(result: dict[str, Any]) -> list[Any]:
    values = [c.get("value") for c in result.get("partial_unexpected_counts") or []]
    if not values:
        values = list(result.get("partial_unexpected_list") or [])
    seen, out = set(), []
    for v in values:
        key = json.dumps(v, sort_keys=True, default=str)
        if key not in seen:
            seen.add(key)
            out.append(v)
        if len(out) == _MAX_EXAMPLES:
            break
    return out


def _expectation_outcome(r: dict[str, Any]) -> ExpectationOutcome:
    config = r.get("expectation_config") or {}
    kwargs = {k: v for k, v in (config.get("kwargs") or {}).items() if k != "batch_id"}
    result = r.get("result") or {}
    columns = _columns(kwargs)
    error = _error_message(r.get("exception_info"))
    observed = result.get("observed_value")
    if observed is None and error:
        observed = f"error: {error}"
    return ExpectationOutcome(
        type=config.get("type", "?"),
        column=", ".join(columns) or None,
        columns=columns,
        kwargs=kwargs,
        success=bool(r.get("success")),
        observed_value=observed,
        unexpected_count=result.get("unexpected_count"),
        unexpected_examples=_examples(result),
        error=error,
    )
