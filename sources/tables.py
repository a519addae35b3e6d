"""The raw tables of the warehouse contract (DESIGN.md), as Polars schemas with their keys.

Built-in plugins load into these tables; a third-party plugin may load into one of them or
declare a table of its own. Column names listed in DESIGN.md are fixed; the others are ours.
``loaded_at`` is added by the loader, not by parsers.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl


@dataclass(frozen=True)
class RawTable:
    name: str
    key: tuple[str, ...]
    schema: pl.Schema


ARTICLES = RawTable(
    "articles",
    key=("article_id",),
    schema=pl.Schema({
        "article_id": pl.String,      # stable id: sha256 of the canonical URL, first 16 hex chars
        "source": pl.String,          # configured source name
        "url": pl.String,             # canonical article URL
        "title": pl.String,
        "author": pl.String,
        "published_on": pl.Date,
        "language": pl.String,        # ISO 639-1 code
        "body": pl.String,            # main text extracted from the page HTML
        "publisher": pl.String,
        "feed_url": pl.String,
        "payload_sha256": pl.String,  # the archived page payload this row came from
    }),
)

TRADE_FLOWS = RawTable(
    "trade_flows",
    key=("source", "reporter", "partner", "flow", "commodity_code", "period"),
    schema=pl.Schema({
        "source": pl.String,
        "reporter": pl.String,        # ISO 3166-1 alpha-3 of the reporting country (USA)
        "partner": pl.String,         # ISO 3166-1 alpha-3 of the partner (JPN)
        "flow": pl.String,            # export | import | balance  (from the reporter's side)
        "commodity_code": pl.String,  # HS code, or TOTAL, or a sector label for sector tables
        "commodity_desc": pl.String,
        "period": pl.String,          # YYYY-MM for monthly figures, YYYY for annual ones
        "period_type": pl.String,     # month | year
        "value_usd": pl.Float64,      # US dollars (not millions)
        "source_url": pl.String,
        "payload_sha256": pl.String,
    }),
)

TARIFF_ACTIONS = RawTable(
    "tariff_actions",
    key=("action_id",),
    schema=pl.Schema({
        "action_id": pl.String,
        "title": pl.String,
        "instrument": pl.String,      # section_201 | section_232 | section_301 | executive_order | trade_agreement | presidential_memorandum
        "imposing": pl.String,        # ';'-separated ISO3 codes
        "affected": pl.String,        # ';'-separated ISO3 codes, ALL, EUU
        "product_scope": pl.String,
        "rate_pct": pl.Float64,
        "announced_on": pl.Date,
        "effective_on": pl.Date,
        "ended_on": pl.Date,
        "legal_citation": pl.String,
        "status_note": pl.String,
        "source_url": pl.String,
        "source": pl.String,
        "payload_sha256": pl.String,
    }),
)

EXERCISES = RawTable(
    "exercises",
    key=("exercise_id",),
    schema=pl.Schema({
        "exercise_id": pl.String,     # the record's own id: UFG_2018, KS_17, mme3412
        "name": pl.String,
        "series": pl.String,          # ';'-separated when a record covers several series
        "participants": pl.String,    # ';'-separated ISO3 codes
        "location": pl.String,
        "start_date": pl.Date,
        "end_date": pl.Date,
        "date_precision": pl.String,  # day | month | year (MME gives some dates as 1980-01-xx)
        "status": pl.String,          # held | suspended | cancelled | postponed | scaled_down
        "announced_on": pl.Date,
        "note": pl.String,
        "source_url": pl.String,
        "source": pl.String,
        "payload_sha256": pl.String,
    }),
)

POLICY_DOCUMENTS = RawTable(
    "policy_documents",
    key=("document_number",),
    schema=pl.Schema({
        "document_number": pl.String,     # the Federal Register's own id, e.g. 2018-05478
        "title": pl.String,
        "document_type": pl.String,       # the register's type: Presidential Document, Rule, Notice, ...
        "subtype": pl.String,             # proclamation | executive_order | memorandum | ... (presidential)
        "proclamation_number": pl.String,
        "executive_order_number": pl.String,
        "signing_date": pl.Date,
        "publication_date": pl.Date,
        "citation": pl.String,            # e.g. 83 FR 11625
        "start_page": pl.Int64,
        "agencies": pl.String,            # ';'-separated agency names
        "abstract": pl.String,
        "html_url": pl.String,
        "pdf_url": pl.String,             # without tracking query strings
        "content_sha256": pl.String,      # sha256 of the document's stable fields (see federal_register)
        "source_url": pl.String,          # the API query the row came from
        "source": pl.String,
        "payload_sha256": pl.String,
    }),
)

QUARANTINE_COLUMNS = ("source", "payload_sha256", "record", "reason", "quarantined_at")

RAW_TABLES: dict[str, RawTable] = {t.name: t for t in (ARTICLES, TRADE_FLOWS, TARIFF_ACTIONS, EXERCISES,
                                                       POLICY_DOCUMENTS)}
