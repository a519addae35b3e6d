"""``federal_register``: presidential documents (tariff proclamations, executive orders) from the
Federal Register API's document search (``api/v1/documents.json``), into ``raw.policy_documents``.

Live, ``url`` is the API base (``https://www.federalregister.gov/api/v1``); the plugin builds the
search, pages through ``next_page_url`` (only ever on the same host) and keeps the newest
``publication_date`` loaded as its cursor. Offline, ``path`` is a folder of recorded pages named
``documents_p<N>.json``: page 1 first, then the page each ``next_page_url`` names. See README.md.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs, quote, unquote, urlencode, urlparse

import polars as pl

from sources.contract import (
    Fetcher,
    ParseResult,
    Payload,
    PayloadInfo,
    SourceConfig,
    SourceError,
    SourcePlugin,
)
from sources.cursors import file_validators, high_water, remember_files
from sources.federal_register.parse import (
    FIELDS,
    next_page_url,
    parse_documents,
    read_page,
)
from sources.tables import POLICY_DOCUMENTS

OPTIONS = {"term", "document_types", "since", "per_page", "max_pages"}
DOCUMENT_TYPES = ("proclamation", "executive_order", "memorandum", "notice", "determination")


class FederalRegisterPlugin(SourcePlugin):
    """Federal Register API: presidential documents (proclamations, executive orders) on a search term."""

    plugin_name = "federal_register"
    cadence = "daily"
    table = POLICY_DOCUMENTS.name
    key = POLICY_DOCUMENTS.key
    schema = POLICY_DOCUMENTS.schema
    # The API publishes no hard limit; two requests a second is polite for a nightly crawl.
    rate_limits: ClassVar[Mapping[str, float]] = {"www.federalregister.gov": 0.5}

    def __init__(self, config: SourceConfig):
        super().__init__(config)
        opts = dict(config.options or {})

        def bad(problem: str, fix: str) -> SourceError:
            return SourceError(config.name, "alliance.yml: options", problem, fix)

        unknown = sorted(set(opts) - OPTIONS)
        if unknown:
            raise bad(f"unknown option(s) {', '.join(unknown)}", f"use only {', '.join(sorted(OPTIONS))}")
        self.term = str(opts.get("term", "tariff"))
        self.document_types = list(opts.get("document_types", ["proclamation", "executive_order"]))
        odd = [t for t in self.document_types if t not in DOCUMENT_TYPES]
        if odd:
            raise bad(f"document_types {odd} are not presidential document types", f"use {', '.join(DOCUMENT_TYPES)}")
        self.since = str(opts.get("since", "2017-01-01"))
        self.per_page = int(opts.get("per_page", 100))
        self.max_pages = int(opts.get("max_pages", 50))
        if not 1 <= self.per_page <= 1000:
            raise bad(f"per_page {self.per_page} is out of range", "use 1 to 1000 (the API's maximum)")

    # ---------------------------------------------------------------------------------- extract

    def extract(self, fetcher: Fetcher, cursor: Mapping[str, Any] | None = None) -> Iterator[Payload]:
        location = self.config.location
        scheme = urlparse(location).scheme
        if scheme == "file":
            yield from self._extract_files(fetcher, Path(unquote(urlparse(location).path)), cursor)
        elif scheme in ("http", "https"):
            since = str((cursor or {}).get("since") or self.since)
            yield from self._extract_live(fetcher, self.search_url(location.rstrip("/"), since))
        else:
            raise SourceError(self.name, location, f"scheme '{scheme}' is not supported",
                              "use the API base URL (https://www.federalregister.gov/api/v1) or a folder 'path'")

    def search_url(self, base: str, since: str) -> str:
        """The documents.json search for this source's term and types, from ``since`` on, oldest first."""
        params = [("conditions[type][]", "PRESDOCU"), ("conditions[term]", self.term),
                  ("conditions[publication_date][gte]", since)]
        params += [("conditions[presidential_document_type][]", t) for t in self.document_types]
        params += [("fields[]", f) for f in FIELDS]
        params += [("order", "oldest"), ("per_page", str(self.per_page))]
        return f"{base}/documents.json?" + urlencode(params, quote_via=quote, safe="[]")

    def _extract_live(self, fetcher: Fetcher, url: str) -> Iterator[Payload]:
        host = urlparse(url).netloc
        for _ in range(self.max_pages):
            payload = fetcher.get(url, source=self.name)
            yield payload
            following = _following(payload)
            if following is None:
                return
            if urlparse(following).netloc != host or urlparse(following).scheme not in ("http", "https"):
                raise SourceError(self.name, following, f"next_page_url leaves {host}",
                                  "this is not a Federal Register response; check the source's url")
            url = following
        raise SourceError(self.name, url, f"more than max_pages={self.max_pages} pages",
                          "narrow the search (options.term, options.since) or raise options.max_pages")

    def _extract_files(self, fetcher: Fetcher, folder: Path, cursor: Mapping[str, Any] | None) -> Iterator[Payload]:
        if not folder.is_dir():
            raise SourceError(self.name, str(folder), "the path is not a folder",
                              "point 'path' at a folder of documents_p<N>.json pages (e.g. samples/federal_register)")
        page = 1
        for _ in range(self.max_pages):
            url = (folder / f"documents_p{page}.json").as_uri()
            payload = fetcher.get(url, source=self.name, validators=file_validators(cursor, url))
            yield payload
            following = _following(payload) if not payload.not_modified else _recorded_next(folder, page)
            if following is None:
                return
            page = int((parse_qs(urlparse(following).query).get("page") or ["0"])[0])
            if page < 2:
                raise SourceError(self.name, url, f"next_page_url {following!r} names no page number",
                                  "fix the recorded page's next_page_url")

    def next_cursor(self, cursor: Mapping[str, Any] | None, frame: pl.DataFrame,
                    fetched: Sequence[PayloadInfo]) -> dict[str, Any]:
        """``since``: the newest publication date loaded (the next search starts there);
        ``files``: validators of recorded pages, so an unchanged sample is not parsed again."""
        out = remember_files(cursor, [f for f in fetched if f.url.startswith("file:")])
        since = high_water((cursor or {}).get("since"), frame, "publication_date")
        if since:
            out["since"] = since
        return out

    # ------------------------------------------------------------------------------------ parse

    def parse(self, payload: Payload) -> ParseResult:
        rows, rejected, notes = parse_documents(payload)
        result = self.conform(rows, payload)
        result.rejected[:0] = rejected
        result.notes.extend(notes)
        return result


def _following(payload: Payload) -> str | None:
    """The next page's URL, or None (also when the body is unreadable: parse quarantines it)."""
    try:
        return next_page_url(read_page(payload))
    except SourceError:
        return None


def _recorded_next(folder: Path, page: int) -> str | None:
    """Offline, an unchanged page is not re-read; the next recorded file, if any, follows it."""
    nxt = folder / f"documents_p{page + 1}.json"
    return f"{nxt.as_uri()}?page={page + 1}" if nxt.exists() else None
