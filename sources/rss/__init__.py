"""`rss`: commentary from any RSS/Atom feed, one row per linked article page.

The feed only says that an article exists; its text comes from the article page itself (feeds
carry teasers, or nothing). So extract fetches the feed, then each item's page; parse turns the
page HTML into one ``raw.articles`` row with trafilatura. See ``sources/rss/README.md``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import polars as pl

from sources.contract import (
    FETCH_ERROR_TYPE,
    Fetcher,
    ParseResult,
    Payload,
    PayloadInfo,
    Rejected,
    SourceError,
    SourcePlugin,
)
from sources.cursors import file_validators, high_water, remember_files
from sources.rss import parse as p
from sources.tables import ARTICLES


class RssPlugin(SourcePlugin):
    """Commentary articles from an RSS/Atom feed and the pages it links to."""

    plugin_name = "rss"
    cadence = "daily"
    partition_column = "published_on"
    partition_grain = "day"
    table = ARTICLES.name
    key = ARTICLES.key
    schema = ARTICLES.schema

    # ---------------------------------------------------------------------------------- extract

    def extract(self, fetcher: Fetcher, cursor: Mapping[str, Any] | None = None) -> Iterator[Payload]:
        """Yield the feed payload, then one payload per (new) item page.

        The feed is fetched conditionally (ETag, Last-Modified, sha256 from the cursor): when it has
        not changed, nothing else is fetched. Items dated before the cursor's ``last_published``
        are skipped. A page that cannot be fetched does not stop the feed: it is yielded as a
        fetch-failure record (:meth:`Payload.failed`), which is archived and quarantined with why,
        and its link is kept in the cursor's ``retry`` list, so the next run fetches it again.
        """
        feed_url = self.config.location
        retry = set((cursor or {}).get("retry") or [])
        validators = {} if retry else file_validators(cursor, feed_url)
        feed_payload = fetcher.get(feed_url, source=self.name, validators=validators)
        yield _with_meta(feed_payload, {"kind": "feed"})
        if feed_payload.not_modified:
            return
        feed_url = feed_payload.url  # after redirects: relative links resolve against this

        feed = p.parse_feed(feed_payload.content, source=self.name, url=feed_url)
        since = p.parse_date((cursor or {}).get("last_published"))
        max_items = self.config.options.get("max_items")
        publisher = self.config.options.get("publisher")
        seen: set[str] = set()
        for item in feed.items:
            old = since and item.published and item.published < since
            if item.link in seen or (old and item.link not in retry):
                continue
            if max_items is not None and len(seen) >= int(max_items):
                break
            seen.add(item.link)
            meta = {
                "kind": "page", "feed_url": feed_url, "link": item.link, "title": item.title,
                "author": item.author, "published": item.published.isoformat() if item.published else None,
                "guid": item.guid, "publisher": publisher or item.publisher, "language": item.language,
            }
            try:
                page = fetcher.get(item.link, source=self.name)
            except SourceError as exc:
                yield Payload.failed(self.name, item.link, str(exc), meta)
                continue
            yield _with_meta(page, meta)

    def next_cursor(self, cursor: Mapping[str, Any] | None, frame: pl.DataFrame,
                    fetched: Sequence[PayloadInfo]) -> dict[str, Any]:
        """``last_published``: the newest ``published_on`` loaded (never moving back); ``files``:
        the feed's validators, so an unchanged feed costs one conditional request; ``retry``: the
        pages that could not be fetched this time."""
        out = remember_files(cursor, [f for f in fetched if f.meta.get("kind") == "feed"])
        failed = sorted(f.url for f in fetched if f.content_type == FETCH_ERROR_TYPE)
        if failed:
            out["retry"] = failed
        last = high_water((cursor or {}).get("last_published"), frame, "published_on")
        if last:
            out["last_published"] = last
        return out

    # ------------------------------------------------------------------------------------ parse

    def parse(self, payload: Payload) -> ParseResult:
        if payload.meta.get("kind") == "feed":
            feed = p.parse_feed(payload.content, source=self.name, url=payload.url)
            # An item without a link we may fetch is quarantined, not only noted: nothing is dropped unseen.
            skipped = [Rejected({"feed_url": payload.url, "item": s}, f"source '{self.name}': feed {s} ({payload.url}). "
                                "Fix: ask the publisher for an http(s) link to the article") for s in feed.skipped]
            return ParseResult(frame=self.empty_frame(), rejected=skipped, notes=[f"feed: {len(feed.items)} items"])
        return self._parse_page(payload)

    def _parse_page(self, payload: Payload) -> ParseResult:
        meta = payload.meta
        record = {"source": self.name, "url": payload.url, "title": meta.get("title"),
                  "guid": meta.get("guid"), "feed_url": meta.get("feed_url")}

        def reject(missing: str, fix: str) -> ParseResult:
            reason = f"source '{self.name}': {missing} ({payload.url}). Fix: {fix}"
            return ParseResult(frame=self.empty_frame(), rejected=[Rejected(record, reason)])

        html, _ = p.decode_html(payload.content, payload.content_type)
        page = p.page_meta(html, payload.url)
        min_chars = int(self.config.options.get("min_body_chars", 100))
        body = p.extract_body(html, min_chars=min_chars, titles=(meta.get("title"), page.title, page.html_title))
        if not body:
            return reject(f"no article text could be extracted from the page (none, or under {min_chars} characters)",
                          "check that the feed links to the article itself, not an index or a paywall page")
        published = p.parse_date(meta.get("published")) or page.published
        if published is None:
            return reject("no publication date: the feed item has no pubDate/published and the page "
                          "no article:published_time or date meta", "ask the publisher to date the item")
        canonical = page.canonical or meta.get("link") or payload.url
        row = {
            "article_id": p.article_id(canonical),
            "url": canonical,
            "title": meta.get("title") or page.title,
            "author": meta.get("author") or page.author,
            "published_on": published,
            "language": (p.detect_language(body) or page.language or p.language_code(meta.get("language"))
                         or p.guess_language(body)),
            "body": body,
            "publisher": meta.get("publisher") or page.site_name,
            "feed_url": meta.get("feed_url"),
        }
        return self.conform([row], payload)


def _with_meta(payload: Payload, meta: Mapping[str, Any]) -> Payload:
    """The same payload with ``meta`` added (Payload is frozen)."""
    from dataclasses import replace

    return replace(payload, meta={**payload.meta, **meta})
