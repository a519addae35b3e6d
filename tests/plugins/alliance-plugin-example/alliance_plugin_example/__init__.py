"""``jsonl_articles``: commentary kept as JSON Lines (one article object per line) into raw.articles.

An example of a third-party plugin: it lives in its own package, imports only the public contract
(``sources.contract``, ``sources.cursors``, ``sources.tables``) and registers itself under the
``alliance_warehouse.sources`` entry point. Listed in a config, it becomes an ingest asset with its
checks, and ``alliance sources`` lists it.

Each line: ``{"url": ..., "title": ..., "published": "YYYY-MM-DD", "body": ..., "author": ...,
"language": ...}``. A line that is not a JSON object is rejected with its line number; the others
load.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import polars as pl

from sources.contract import (
    Fetcher,
    ParseResult,
    Payload,
    PayloadInfo,
    Rejected,
    SourcePlugin,
)
from sources.cursors import file_validators, remember_files
from sources.tables import ARTICLES


class JsonLinesArticles(SourcePlugin):
    """Articles from a JSON Lines file (one object per line) into raw.articles."""

    plugin_name = "jsonl_articles"
    cadence = "daily"
    table = ARTICLES.name
    key = ARTICLES.key
    schema = ARTICLES.schema

    def extract(self, fetcher: Fetcher, cursor: Mapping[str, Any] | None = None) -> Iterator[Payload]:
        location = self.config.location
        yield fetcher.get(location, source=self.name, validators=file_validators(cursor, location))

    def next_cursor(self, cursor: Mapping[str, Any] | None, frame: pl.DataFrame,
                    fetched: Sequence[PayloadInfo]) -> dict[str, Any]:
        return remember_files(cursor, fetched)

    def parse(self, payload: Payload) -> ParseResult:
        rows: list[dict[str, Any]] = []
        rejected: list[Rejected] = []
        for n, line in enumerate(payload.content.decode("utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                rejected.append(Rejected({"line": n, "text": line[:200]}, f"line {n} is not JSON ({exc.msg})"))
                continue
            if not isinstance(item, dict):
                rejected.append(Rejected({"line": n, "text": line[:200]}, f"line {n} is not a JSON object"))
                continue
            url = str(item.get("url") or "")
            rows.append({
                "article_id": hashlib.sha256(url.encode()).hexdigest()[:16] if url else None,
                "url": url or None, "title": item.get("title"), "author": item.get("author"),
                "published_on": item.get("published"), "language": item.get("language"),
                "body": item.get("body"), "publisher": self.config.options.get("publisher"),
                "feed_url": payload.url,
            })
        result = self.conform(rows, payload)
        result.rejected[:0] = rejected
        return result
