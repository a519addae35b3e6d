"""Schema drift in a payload: a column that went missing, appeared, or changed what it holds.

Sources change under us. A CSV gains a column, an API renames a variable, a date column switches
to "March 8, 2018", a number column starts carrying "n/a". Row by row, that looks like hundreds of
unrelated rejects; as a whole it is one fact about one column, and the person fixing it needs that
fact. Plugins describe the columns they expect (:class:`Expected`) and call :func:`check` on each
payload before building rows:

* a **missing** required column, or a **retyped** one (most of its values no longer of the kind the
  plugin expects), raises :class:`SourceError` naming the source, the payload and the column: the
  payload, already archived, goes to quarantine whole and nothing half-understood is loaded;
* a **new** column becomes one quarantine record naming it (its values are not loaded), and the
  rows still load: a new column rarely breaks the old ones, but someone should decide about it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from sources.contract import Rejected, SourceError

_PATTERNS = {
    "number": re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?"),
    "integer": re.compile(r"[-+]?\d+"),
    "date": re.compile(r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])"),
    "month": re.compile(r"\d{4}-(0[1-9]|1[0-2])"),
    "year": re.compile(r"\d{4}"),
}
KINDS = ("text", *_PATTERNS)
SAMPLE_ROWS = 500  # enough to judge a column; a payload of millions of rows is not read twice


@dataclass(frozen=True)
class Expected:
    """Columns a payload should have, each with the kind of value it holds (one of :data:`KINDS`).

    ``required`` must be present; ``optional`` may be; anything else is new. ``tolerate`` lists
    values that are allowed in any typed column without counting against it (a source's own
    spelling of "unknown", such as MME's ``-9`` or ``xx``).
    """

    required: Mapping[str, str]
    optional: Mapping[str, str] = field(default_factory=dict)
    tolerate: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        bad = {c: k for c, k in {**self.required, **self.optional}.items() if k not in KINDS}
        if bad:
            raise ValueError(f"unknown column kind(s) {bad}; use one of {', '.join(KINDS)}")

    def kind(self, column: str) -> str | None:
        return self.required.get(column) or self.optional.get(column)


@dataclass(frozen=True)
class Drift:
    missing: list[str]
    new: list[str]
    retyped: dict[str, str]  # column -> what was expected and what was found

    @property
    def breaking(self) -> bool:
        return bool(self.missing or self.retyped)


def kind_of_dtype(dtype: pl.DataType) -> str:
    """The column kind a Polars schema type expects in text form."""
    if dtype == pl.Date:
        return "date"
    if dtype.is_integer():
        return "integer"
    if dtype.is_numeric():
        return "number"
    return "text"


def detect(header: Sequence[str], rows: Iterable[Mapping[str, Any]], expected: Expected) -> Drift:
    """Compare a payload's header and (up to :data:`SAMPLE_ROWS`) rows with what is expected."""
    present = set(header)
    missing = [c for c in expected.required if c not in present]
    new = [c for c in dict.fromkeys(header) if expected.kind(c) is None]
    typed = {c: k for c in present if (k := expected.kind(c)) and k != "text"}
    seen: dict[str, list[Any]] = {c: [] for c in typed}
    for n, row in enumerate(rows):
        if n >= SAMPLE_ROWS:
            break
        for c in typed:
            v = row.get(c)
            if v is None or (isinstance(v, str) and (not v.strip() or v.strip() in expected.tolerate)):
                continue
            seen[c].append(v)
    retyped = {}
    for c, values in seen.items():
        bad = [v for v in values if not _fits(v, typed[c])]
        if len(values) >= 2 and len(bad) * 2 > len(values):
            retyped[c] = (f"expected {typed[c]} values, but {len(bad)} of {len(values)} are not "
                          f"(e.g. {bad[0]!r})")
    return Drift(missing=missing, new=new, retyped=retyped)


def check(header: Sequence[str], rows: Iterable[Mapping[str, Any]], expected: Expected, *, source: str,
          where: str, fix: str) -> list[Rejected]:
    """Raise on breaking drift; return one quarantine record per new column."""
    drift = detect(header, rows, expected)
    if drift.breaking:
        parts = []
        if drift.missing:
            parts.append(f"missing column(s) {', '.join(repr(c) for c in drift.missing)}")
        parts += [f"column {c!r} changed type: {why}" for c, why in drift.retyped.items()]
        raise SourceError(source, where, "schema drift: " + "; ".join(parts), fix)
    return [Rejected({"column": c, "payload": where},
                     f"schema drift: new column {c!r} that source '{source}' does not know; its values were not "
                     f"loaded (the other columns were). Fix: {fix}")
            for c in drift.new]


def _fits(value: Any, kind: str) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return kind == "number" or (kind in ("integer", "year") and float(value).is_integer())
    if not isinstance(value, str):
        return False
    return bool(_PATTERNS[kind].fullmatch(value.strip()))
