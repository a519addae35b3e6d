"""The two kinds of incremental cursor the plugins share, declared once rather than hand-rolled.

* **High-water mark**: the newest value of a column loaded so far (a publication date, a month).
  The next run asks the source for rows from that value on (inclusive: the boundary day or month
  may have gained rows since; the merge on the key makes the overlap harmless).
* **File validators**: per URL, the ETag and Last-Modified date the server sent and the sha256 of
  the bytes. The next run sends a conditional request; an unchanged file comes back as
  "not modified" (see :mod:`sources.http`) and is neither archived nor parsed again.

Both only ever move forward: a run that brought nothing new keeps what the cursor knew.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from sources.contract import Payload, PayloadInfo


def high_water(previous: Any, frame: pl.DataFrame, column: str) -> str | None:
    """The larger of ``previous`` and the column's maximum, as text (ISO dates and YYYY-MM compare
    correctly as text); ``None`` if neither exists."""
    values = [str(previous)] if previous else []
    if column in frame.columns and frame.height:
        top = frame[column].drop_nulls().max()
        if top is not None:
            values.append(top.isoformat() if hasattr(top, "isoformat") else str(top))
    return max(values) if values else None


def validators_of(payload: Payload | PayloadInfo) -> dict[str, str]:
    """What a later conditional request needs to recognise this payload: ETag, date, sha256."""
    out = {"sha256": payload.sha256}
    for key in ("etag", "last_modified"):
        if payload.meta.get(key):
            out[key] = str(payload.meta[key])
    return out


def file_validators(cursor: Mapping[str, Any] | None, url: str) -> dict[str, str]:
    """The validators remembered for ``url`` (empty: fetch unconditionally)."""
    files = (cursor or {}).get("files") or {}
    return dict(files.get(url) or {})


def remember_files(cursor: Mapping[str, Any] | None, fetched: Sequence[PayloadInfo]) -> dict[str, Any]:
    """``{"files": {url: validators}}``: the old entries, updated with every payload of this run that
    was fetched and parsed. A payload that failed to parse is not remembered, so it is retried."""
    files = dict((cursor or {}).get("files") or {})
    for info in fetched:
        requested = str(info.meta.get("requested_url") or info.url)
        if info.status == 200 and info.parsed:
            files[requested] = validators_of(info)
    return {"files": files}
