"""How a plugin's payloads become one batch of rows and quarantine records.

The same loop serves a live run (payloads from ``extract``, archived as they arrive) and a replay
(payloads read back from the landing archive, not archived again), so a replay loads exactly what
the original run would have loaded from the same bytes.

Nothing is dropped on the way: a payload whose parse raises goes to quarantine whole with the
reason; a fetch-failure record (:meth:`Payload.failed`) goes to quarantine with its error; the
records a parser rejects go to quarantine one by one; an exception from ``extract`` itself stops
the batch but keeps everything gathered before it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from sources.contract import (
    ParseResult,
    Payload,
    PayloadInfo,
    Rejected,
    SourceError,
    SourcePlugin,
)


@dataclass
class Batch:
    """Everything one run of one source produced, ready for ``Warehouse.load``."""

    frame: pl.DataFrame
    rejected: list[tuple[str | None, Rejected]] = field(default_factory=list)
    fetched: list[PayloadInfo] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    payloads: int = 0          # yielded by extract (or read back from the archive)
    not_modified: int = 0      # unchanged since the cursor: not archived, not parsed
    payloads_failed: int = 0   # parse raised: quarantined whole
    fetch_failures: int = 0    # items that could not be fetched (Payload.failed records)
    extract_error: SourceError | None = None

    @property
    def usable(self) -> bool:
        """Something usable arrived: rows, or an answer that there is nothing new."""
        if self.frame.height or self.not_modified:
            return True
        clean = not self.rejected and self.extract_error is None
        return clean and self.payloads > 0


def collect(plugin: SourcePlugin, payloads: Iterable[Payload], *,
            archive: Callable[[Payload], Any] | None = None, log: Any = None) -> Batch:
    """Parse every payload into one frame of ``plugin.schema``; archive each first if asked."""
    batch = Batch(frame=plugin.empty_frame())
    results: list[ParseResult] = []
    iterator = iter(payloads)
    while True:
        try:
            payload = next(iterator)
        except StopIteration:
            break
        except SourceError as exc:
            batch.extract_error = exc
            break
        except Exception as exc:  # noqa: BLE001 - a plugin bug must not lose what was fetched
            batch.extract_error = SourceError(plugin.name, plugin.config.location,
                                              f"extract raised {type(exc).__name__}: {exc}",
                                              "report it to the plugin's authors; rerun after the fix")
            break
        batch.payloads += 1
        if payload.not_modified:
            batch.not_modified += 1
            batch.fetched.append(PayloadInfo.of(payload))
            continue
        if archive is not None:
            archive(payload)
        result = _parse(plugin, payload, batch, log)
        batch.fetched.append(PayloadInfo.of(payload, parsed=result is not None))
        if result is not None:
            results.append(result)
            batch.rejected.extend((payload.sha256, r) for r in result.rejected)
            batch.notes.extend(result.notes)
    if results:
        frame = pl.concat([r.frame for r in results], how="vertical")
        if frame.height and plugin.key and not keys_cannot_repeat(results, plugin.key):
            # The same key from two payloads of one run: the later payload wins (it is newer).
            frame = frame.unique(subset=list(plugin.key), keep="last", maintain_order=True)
        batch.frame = frame
    if batch.extract_error is not None:
        err = batch.extract_error
        batch.rejected.append((None, Rejected({"stage": "extract", "where": err.where}, str(err))))
    return batch


def keys_cannot_repeat(results: list[ParseResult], key: tuple[str, ...]) -> bool:
    """True when no two rows of these results can share a key, known without hashing every row.

    Each frame must promise unique keys (``ParseResult.unique_keys``); and with several frames, one
    key column must hold a single value in each frame and a different value in every frame (the
    ``flow`` of census_trade's export and import payloads). Otherwise the runner de-duplicates.
    """
    frames = [r.frame for r in results if r.frame.height]
    if not all(r.unique_keys for r in results if r.frame.height):
        return False
    if len(frames) <= 1:
        return True
    for col in key:
        values = [_single_value(f.get_column(col)) for f in frames]
        if all(v is not None for v in values) and len(set(values)) == len(values):
            return True
    return False


def _single_value(s: pl.Series) -> Any:
    """The one non-null value of ``s`` if every row holds it, else ``None`` (a scan, not a hash)."""
    if s.null_count():
        return None
    first = s[0]
    return first if s[-1] == first and s.min() == s.max() == first else None


def _parse(plugin: SourcePlugin, payload: Payload, batch: Batch, log: Any) -> ParseResult | None:
    """One payload's result, or ``None`` after quarantining the payload whole."""
    record = {"url": payload.url, "status": payload.status, "content_type": payload.content_type}
    error = payload.fetch_error
    if error is not None:
        batch.fetch_failures += 1
        batch.rejected.append((payload.sha256, Rejected({**record, **_plain(payload.meta)},
                                                        f"could not be fetched: {error}")))
        return None
    try:
        result = plugin.parse(payload)
        if list(result.frame.columns) != list(plugin.schema.names()):
            raise TypeError(f"parse returned columns {result.frame.columns}, not the declared schema "
                            f"{list(plugin.schema.names())}")
        return result
    except Exception as exc:  # noqa: BLE001 - any parser failure is quarantined, never lost
        batch.payloads_failed += 1
        reason = f"payload could not be parsed: {exc}"
        batch.rejected.append((payload.sha256, Rejected(record, reason)))
        if log is not None:
            log.warning(f"source '{plugin.name}': {reason} ({payload.url})")
        return None


def _plain(meta: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in meta.items() if isinstance(v, (str, int, float, bool)) or v is None}


def config_fingerprint(plugin: SourcePlugin) -> str:
    """A hash of what the source is configured to read: a changed config invalidates its cursor."""
    cfg = plugin.config
    doc = {"plugin": cfg.plugin, "location": cfg.location, "options": cfg.options}
    return hashlib.sha256(json.dumps(doc, sort_keys=True, default=str).encode()).hexdigest()[:16]
