"""The source plugin contract.

A plugin turns one configured source into rows of one raw table, in two separate steps:

* ``extract`` does the I/O: it yields :class:`Payload` objects (raw bytes plus where and when they
  came from). The warehouse archives every payload before anything parses it.
* ``parse`` is pure: one payload in, a :class:`ParseResult` out (a Polars frame with the plugin's
  declared schema, plus the records it could not accept, each with a reason). Because it is pure,
  any archived payload can be parsed again without the network.

Large payloads: ``parse`` may set ``ParseResult.unique_keys`` (optional, default ``False``) when
it has already rejected rows repeating a key, as :meth:`SourcePlugin.conform` does; then the
runner's cross-payload de-duplication, a hash of every key, is skipped whenever the run's payloads
cannot share a key either (see :func:`sources.runner.keys_cannot_repeat`). Plugins that do not set
it behave exactly as before.

Incremental loads are part of the contract too. The warehouse keeps one cursor (a small JSON
object) per source: ``extract`` receives it (``None`` on the first run, after ``--full-refresh``,
or when the source's configuration changed) and fetches only what is new; after the load commits,
``next_cursor`` says what to remember. What a cursor holds is the plugin's business: the newest
date or period loaded, an ETag or Last-Modified date, the sha256 of a file.

Plugins are found through the entry-point group ``alliance_warehouse.sources`` (see
:mod:`sources.registry`); the built-ins register the same way a third-party package does.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import Any, ClassVar, Protocol

import polars as pl


_SECRETS: set[str] = set()


def register_secret(value: str) -> None:
    """Remember a secret (an API key) this process sends, so that no error or record repeats it, even
    when a server echoes it back in a body that ends up in an error message (the fetcher calls this)."""
    if value:
        _SECRETS.add(value)


def redact_secrets(text: str) -> str:
    """``text`` with every registered secret, plain or URL-encoded, replaced by ``***``."""
    from urllib.parse import quote

    for secret in _SECRETS:
        text = text.replace(secret, "***").replace(quote(secret, safe=""), "***")
    return text


class SourceError(Exception):
    """A source could not be read. The message says which source, where, and what to do."""

    def __init__(self, source: str, where: str, problem: str, fix: str):
        where, problem, fix = redact_secrets(where), redact_secrets(problem), redact_secrets(fix)
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
    fetched_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    meta: Mapping[str, Any] = field(default_factory=dict)

    @cached_property
    def sha256(self) -> str:
        """Hashed once: archive, parse, quarantine and cursors all ask (a payload can be 600 MB)."""
        return hashlib.sha256(self.content).hexdigest()

    @property
    def not_modified(self) -> bool:
        """The fetcher found nothing new here (HTTP 304, or the bytes the cursor remembers)."""
        return self.status == 304

    @property
    def fetch_error(self) -> str | None:
        """Why this payload could not be fetched, if it is a fetch-failure record (see :meth:`failed`)."""
        if self.content_type != FETCH_ERROR_TYPE:
            return None
        try:
            return str(json.loads(self.content.decode("utf-8"))["error"])
        except (UnicodeDecodeError, ValueError, KeyError, TypeError):
            return "unreadable fetch-failure record"

    @classmethod
    def failed(cls, source: str, url: str, error: str, meta: Mapping[str, Any] | None = None) -> Payload:
        """A record of a fetch that failed, archived like any payload so the failure is not lost.

        Its bytes are a small JSON document (URL, error, time), so every failure has its own sha256
        and its own archive row, and replaying the archive quarantines it again with the reason.
        """
        at = datetime.now(UTC)
        body = json.dumps({"url": url, "error": error, "failed_at": at.isoformat()}, sort_keys=True)
        return cls(source=source, url=url, content=body.encode("utf-8"), content_type=FETCH_ERROR_TYPE,
                   status=0, fetched_at=at, meta=dict(meta or {}))

    def meta_json(self) -> str:
        return json.dumps(dict(self.meta), sort_keys=True, default=str)


#: Content type of :meth:`Payload.failed` records.
FETCH_ERROR_TYPE = "application/vnd.alliance.fetch-error+json"


@dataclass(frozen=True)
class PayloadInfo:
    """What ``next_cursor`` may know about a payload of this run (no bytes: runs can be large)."""

    url: str
    status: int
    sha256: str
    content_type: str | None
    meta: Mapping[str, Any]
    parsed: bool  # False when parsing it raised (the payload went to quarantine whole)

    @classmethod
    def of(cls, payload: Payload, parsed: bool = True) -> PayloadInfo:
        return cls(url=payload.url, status=payload.status, sha256=payload.sha256,
                   content_type=payload.content_type, meta=dict(payload.meta), parsed=parsed)


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
    #: Optional promise: no two rows of ``frame`` share a key (the parser rejected repeats itself, as
    #: :meth:`SourcePlugin.conform` does). The runner then skips its own de-duplication pass when the
    #: run's payloads cannot share keys either, which matters for payloads of millions of rows.
    unique_keys: bool = False


class Fetcher(Protocol):
    """What extract may use for I/O (see :mod:`sources.http` for the behaviour behind it)."""

    def get(self, url: str, *, source: str, headers: Mapping[str, str] | None = None,
            secret_params: Mapping[str, str] | None = None, secret_headers: Mapping[str, str] | None = None,
            validators: Mapping[str, Any] | None = None) -> Payload: ...


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
    #: Seconds between two requests to a host, for hosts whose published limits are stricter than
    #: the fetcher's default (``{"api.example.org": 1.0}``).
    rate_limits: ClassVar[Mapping[str, float]] = {}
    #: A date (or ``YYYY-MM`` period) column of the schema by which runs can be partitioned, so a
    #: date range can be backfilled. ``None``: the source is loaded whole.
    partition_column: ClassVar[str | None] = None
    #: The partitions of a partitioned source: ``"month"`` (trade periods) or ``"day"`` (articles by
    #: publication day).
    partition_grain: ClassVar[str] = "month"
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
        """Yield payloads, only new ones if ``cursor`` says where the last run stopped.

        A payload the fetcher reports as not modified (status 304) may be yielded as is: the
        runner counts it and neither archives nor parses it. An item that cannot be fetched while
        others can should be yielded as :meth:`Payload.failed` rather than raised.
        """
        raise NotImplementedError

    def parse(self, payload: Payload) -> ParseResult:
        raise NotImplementedError

    def next_cursor(self, cursor: Mapping[str, Any] | None, frame: pl.DataFrame,
                    fetched: Sequence[PayloadInfo]) -> dict[str, Any] | None:
        """The cursor to keep after this run's rows are loaded; ``None`` keeps no cursor.

        ``cursor`` is the one extract received, ``frame`` the rows loaded, ``fetched`` every payload
        of the run. Only called when extract finished: after an interrupted run the old cursor
        stays, so nothing is skipped. A cursor must never move backwards, and should keep what it
        knew when a run brought nothing new. The default keeps no cursor (everything is fetched
        every run; the merge on ``key`` keeps that idempotent).
        """
        return None

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
    return ParseResult(frame=frame, rejected=rejected, unique_keys=True)


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
