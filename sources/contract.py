"""The source plugin contract.

A plugin turns one configured source into rows of one raw table, in two separate steps:

* ``extract`` does the I/O: it yields :class:`Payload` objects (raw bytes plus where and when they
  came from). The warehouse archives every payload before anything parses it.
* ``parse`` is pure: one payload in, a :class:`ParseResult` out (a Polars frame with the plugin's
  declared schema, plus the records it could not accept, each with a reason). Because it is pure,
  any archived payload can be parsed again without the network.

Plugins are found through the entry-point group ``alliance_warehouse.sources`` (see
:mod:`sources.registry`); the built-ins register the same way a third-party package does.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, ClassVar, Iterable, Iterator, Mapping, Protocol

import polars as pl


class SourceError(Exception):
    """A source could not be read. The message says which source, where, and what to do."""

    def __init__(self, source: str, where: str, problem: str, fix: str):
        self.source, self.where, self.problem, self.fix = source, where, problem, fix
        super().__init__(f"source '{source}': {problem} ({where}). Fix: {fix}")


@dataclass(frozen=True)
class SourceConfig:
    """One entry of ``alliance.yml``'s ``sources`` list."""

    name: str
    plugin: str
    url: str | None = None
    path: str | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    # Directory that relative ``path`` values are resolved against (the config file's folder).
    base_dir: str = "."

    @property
    def location(self) -> str:
        """The configured place to read from, as a URL (``file://`` for paths)."""
        if self.url:
            return self.url
        if self.path is None:
            raise SourceError(self.name, "alliance.yml", "neither 'url' nor 'path' is set",
                              "give the source a 'path' (a file under samples/) or a 'url'")
        from pathlib import Path

        p = Path(self.path)
        if not p.is_absolute():
            p = Path(self.base_dir) / p
        return p.resolve().as_uri()


@dataclass(frozen=True)
class Payload:
    """Raw bytes exactly as fetched, with their provenance.

    ``meta`` carries what the extractor knew that the bytes alone do not say (for an article page:
    the feed item's title, date and author). It is archived with the bytes, so replay sees it too.
    """

    source: str
    url: str
    content: bytes
    content_type: str | None = None
    status: int = 200
    fetched_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    meta: Mapping[str, Any] = field(default_factory=dict)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    def meta_json(self) -> str:
        return json.dumps(dict(self.meta), sort_keys=True, default=str)


@dataclass(frozen=True)
class Rejected:
    """A record the parser would not load, and why. It goes to ``raw.quarantine``."""

    record: Mapping[str, Any]
    reason: str


@dataclass
class ParseResult:
    frame: pl.DataFrame
    rejected: list[Rejected] = field(default_factory=list)
    # Payloads that are containers (a feed) rather than rows still count as parsed.
    notes: list[str] = field(default_factory=list)


class Fetcher(Protocol):
    """What extract may use for I/O (see :mod:`sources.http`)."""

    def get(self, url: str, *, source: str, headers: Mapping[str, str] | None = None) -> Payload: ...


class SourcePlugin:
    """Base class for plugins. Subclass it, set the class attributes, implement the two steps.

    An instance is bound to one configured source (``self.config``). ``table``, ``key`` and
    ``schema`` may depend on the source's options (``csv_table`` loads several tables), so they are
    instance attributes set in ``__init__``; plugins with a fixed table set them as class attributes.
    """

    #: The plugin name used in ``alliance.yml`` (``plugin: rss``).
    plugin_name: ClassVar[str] = ""
    #: How often the source is expected to publish (``daily``, ``monthly``, ``yearly``, ``static``).
    cadence: ClassVar[str] = "daily"
    table: str = ""
    key: tuple[str, ...] = ()
    schema: pl.Schema = pl.Schema()

    def __init__(self, config: SourceConfig):
        self.config = config

    @property
    def name(self) -> str:
        return self.config.name

    def describe(self) -> str:
        return (type(self).__doc__ or self.plugin_name).strip().splitlines()[0]

    def extract(self, fetcher: Fetcher, cursor: Mapping[str, Any] | None = None) -> Iterator[Payload]:
        raise NotImplementedError

    def parse(self, payload: Payload) -> ParseResult:
        raise NotImplementedError

    # Helpers every plugin needs -----------------------------------------------------------

    def empty_frame(self) -> pl.DataFrame:
        return pl.DataFrame(schema=self.schema)

    def conform(self, rows: Iterable[Mapping[str, Any]], payload: Payload) -> ParseResult:
        """Build a frame of ``self.schema`` from dict rows; rows that do not fit are rejected.

        Every row gets ``source`` and ``payload_sha256`` if the schema has those columns. A row
        whose key columns are empty, or that cannot be cast to the schema, is rejected with the
        reason; rows repeating a key already seen in this payload are rejected too (first wins).
        """
        return conform_rows(rows, schema=self.schema, key=self.key, payload=payload)


def conform_rows(rows: Iterable[Mapping[str, Any]], *, schema: pl.Schema, key: tuple[str, ...],
                 payload: Payload) -> ParseResult:
    good: list[dict[str, Any]] = []
    rejected: list[Rejected] = []
    seen: set[tuple[Any, ...]] = set()
    for row in rows:
        row = dict(row)
        if "source" in schema:  # always the configured source name: it is part of several keys
            row["source"] = payload.source
        if "payload_sha256" in schema:
            row["payload_sha256"] = payload.sha256
        extra = sorted(set(row) - set(schema))
        for col in extra:
            row.pop(col)
        missing_key = [k for k in key if row.get(k) in (None, "")]
        if missing_key:
            rejected.append(Rejected(row, f"key column(s) {', '.join(missing_key)} empty"))
            continue
        try:
            typed = _cast_row(row, schema)
        except (ValueError, TypeError, pl.exceptions.PolarsError) as exc:
            rejected.append(Rejected(row, f"does not fit the schema: {exc}"))
            continue
        k = tuple(typed.get(c) for c in key)
        if k in seen:
            rejected.append(Rejected(row, f"duplicate key {dict(zip(key, k))} within one payload"))
            continue
        seen.add(k)
        good.append(typed)
    frame = pl.DataFrame(good, schema=schema, orient="row") if good else pl.DataFrame(schema=schema)
    return ParseResult(frame=frame, rejected=rejected)


def _cast_row(row: Mapping[str, Any], schema: pl.Schema) -> dict[str, Any]:
    """Cast each value to its column's type, raising ``ValueError`` naming the column."""
    from datetime import date

    out: dict[str, Any] = {}
    for col, dtype in schema.items():
        v = row.get(col)
        if v is None or (isinstance(v, str) and v.strip() == "" and dtype != pl.String):
            out[col] = None
            continue
        try:
            if dtype == pl.String:
                out[col] = str(v)
            elif dtype == pl.Date:
                out[col] = v if isinstance(v, date) and not isinstance(v, datetime) else date.fromisoformat(str(v)[:10])
            elif dtype == pl.Float64:
                out[col] = float(v)
            elif dtype.is_integer():
                out[col] = int(v)
            elif dtype == pl.Boolean:
                out[col] = bool(v)
            elif isinstance(dtype, pl.Datetime):
                out[col] = v if isinstance(v, datetime) else datetime.fromisoformat(str(v))
            else:
                out[col] = v
        except (ValueError, TypeError) as exc:
            raise ValueError(f"column '{col}' value {v!r} is not a valid {dtype}: {exc}") from None
    return out
