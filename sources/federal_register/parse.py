"""Pure parsing of Federal Register API search responses (``api/v1/documents.json``).

A response is a JSON object: ``count``, ``total_pages``, ``next_page_url`` (absent or null on the
last page) and ``results``, one object per document holding the fields the query asked for
(``fields[]``). No I/O here, so an archived page parses again offline.

Some fields change on every fetch without the document changing: ``page_views`` (a counter with
its own timestamp) and URLs carrying a cache-busting or tracking query string
(``public_inspection_pdf_url`` ends in ``?<unix time>``, ``pdf_url`` may carry ``utm_*``).
:func:`content_hash` leaves them out, so a document's ``content_sha256`` changes only when the
document does.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from sources import drift
from sources.contract import Payload, Rejected, SourceError

#: Fields every query asks for (``fields[]``); the parser knows each one.
FIELDS = ("document_number", "title", "type", "subtype", "presidential_document_number", "proclamation_number",
          "executive_order_number", "signing_date", "publication_date", "citation", "start_page", "agencies",
          "abstract", "html_url", "pdf_url")
#: Fields that change between fetches of an unchanged document.
VOLATILE = frozenset({"page_views"})
EXPECTED = drift.Expected(
    required={"document_number": "text", "title": "text", "publication_date": "date"},
    optional={**{f: "text" for f in FIELDS}, "signing_date": "date", "start_page": "integer",
              "executive_order_number": "integer", "page_views": "text", "public_inspection_pdf_url": "text",
              "excerpts": "text", "json_url": "text", "raw_text_url": "text", "body_html_url": "text",
              "president": "text", "end_page": "integer", "volume": "integer", "action": "text",
              "disposition_notes": "text", "executive_order_notes": "text", "topics": "text"},
)
FIX = ("check the query options (the API answers errors as JSON with an 'errors' key, or HTTP 4xx) and that the "
       "URL is the API's documents.json, not a web page")


def read_page(payload: Payload) -> Mapping[str, Any]:
    """The response object, or :class:`SourceError` naming what the body is instead."""
    def fail(problem: str) -> SourceError:
        return SourceError(payload.source, payload.url, problem, FIX)

    ctype = (payload.content_type or "").split(";")[0].strip().lower()
    try:
        doc = json.loads(payload.content.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        snippet = payload.content[:60].decode("utf-8", "replace").strip().replace("\n", " ")
        kind = f"a {ctype} body" if ctype and "json" not in ctype else "not JSON"
        raise fail(f"the response is {kind} ({type(exc).__name__}; it starts with {snippet!r})") from None
    if not isinstance(doc, dict):
        raise fail(f"the response is JSON but a {type(doc).__name__}, not an object with 'results'")
    if "errors" in doc:
        raise fail(f"the API answered with errors: {json.dumps(doc['errors'])[:300]}")
    if not isinstance(doc.get("results", []), list):
        raise fail("the response's 'results' is not a list")
    return doc


def next_page_url(doc: Mapping[str, Any]) -> str | None:
    url = doc.get("next_page_url")
    return url if isinstance(url, str) and url.strip() else None


def parse_documents(payload: Payload) -> tuple[list[dict[str, Any]], list[Rejected], list[str]]:
    """Rows for ``policy_documents`` (before conform), rejected records, notes."""
    doc = read_page(payload)
    results = doc.get("results") or []
    header = list(dict.fromkeys(k for r in results if isinstance(r, dict) for k in r))
    rejected = drift.check(header, [r for r in results if isinstance(r, dict)], EXPECTED, source=payload.source,
                           where=payload.url, fix="add the field to sources/federal_register/parse.py EXPECTED "
                                                  "(and to the table if analysts need it)")
    rows: list[dict[str, Any]] = []
    for n, result in enumerate(results, start=1):
        if not isinstance(result, dict):
            rejected.append(Rejected({"result": n, "value": str(result)[:200]}, f"result {n} is not an object"))
            continue
        rows.append(document_row(result, payload.url))
    notes = [f"page: {len(results)} of {doc.get('count', '?')} documents"]
    return rows, rejected, notes


def document_row(result: Mapping[str, Any], source_url: str) -> dict[str, Any]:
    subtype = result.get("subtype") or None
    agencies = [a.get("name") or a.get("raw_name") for a in result.get("agencies") or [] if isinstance(a, dict)]
    return {
        "document_number": _text(result.get("document_number")),
        "title": _text(result.get("title")),
        "document_type": _text(result.get("type")),
        "subtype": "_".join(subtype.lower().split()) if isinstance(subtype, str) else None,
        "proclamation_number": _text(result.get("proclamation_number")),
        "executive_order_number": _text(result.get("executive_order_number")),
        "signing_date": result.get("signing_date"),
        "publication_date": result.get("publication_date"),
        "citation": _text(result.get("citation")),
        "start_page": result.get("start_page"),
        "agencies": ";".join(a for a in agencies if a) or None,
        "abstract": _text(result.get("abstract")),
        "html_url": _text(result.get("html_url")),
        "pdf_url": strip_query(_text(result.get("pdf_url"))),
        "content_sha256": content_hash(result),
        "source_url": source_url,
    }


def content_hash(result: Mapping[str, Any]) -> str:
    """sha256 of the document's stable content: volatile fields dropped, URL query strings removed."""
    stable = {k: (strip_query(v) if k.endswith("_url") and isinstance(v, str) else v)
              for k, v in result.items() if k not in VOLATILE}
    return hashlib.sha256(json.dumps(stable, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def strip_query(url: str | None) -> str | None:
    if not url:
        return url
    parts = urlsplit(url)
    return urlunsplit(parts._replace(query="", fragment=""))


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    text = " ".join(str(value).split())
    return text or None
