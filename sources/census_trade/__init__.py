"""``census_trade``: monthly US goods exports and imports with one partner, from the US Census
International Trade API (``timeseries/intltrade/{exports,imports}/hs``).

Offline, ``path`` names a folder holding ``exports_hs.json`` and ``imports_hs.json`` (responses in
the API's format, see ``samples/census_trade``). Live, ``url`` is the API base
(``https://api.census.gov/data``) and the plugin builds the two real queries. The optional API key
is read from an environment variable and handed to the fetcher as a secret query parameter, which
keeps it out of everything that is recorded: payload URLs, meta, error messages and httpx's log.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import quote, unquote, urlencode, urlparse

import polars as pl

from sources.census_trade.parse import CENSUS_COUNTRIES, VARIABLES, parse_census
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
from sources.tables import TRADE_FLOWS

OPTIONS = {"partner_cty_code", "api_key_env", "since"}
FILES = {"export": "exports_hs.json", "import": "imports_hs.json"}
_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


class CensusTradePlugin(SourcePlugin):
    """US Census International Trade API: monthly US goods trade with one partner (HS totals)."""

    plugin_name = "census_trade"
    cadence = "monthly"
    partition_column = "period"
    table = TRADE_FLOWS.name
    key = TRADE_FLOWS.key
    schema = TRADE_FLOWS.schema
    # Without a key the API allows 500 queries a day per address; two a run need no more than pacing.
    rate_limits: ClassVar[Mapping[str, float]] = {"api.census.gov": 0.5}

    def __init__(self, config: SourceConfig):
        super().__init__(config)
        opts = dict(config.options or {})

        def bad(problem: str, fix: str) -> SourceError:
            return SourceError(config.name, "alliance.yml: options", problem, fix)

        unknown = sorted(set(opts) - OPTIONS)
        if unknown:
            raise bad(f"unknown option(s) {', '.join(unknown)}", f"use only {', '.join(sorted(OPTIONS))}")
        self.cty_code = str(opts.get("partner_cty_code", "5880"))
        if self.cty_code not in CENSUS_COUNTRIES:
            raise bad(f"partner_cty_code {self.cty_code!r} is not a country this plugin maps to ISO3",
                      f"use one of {', '.join(sorted(CENSUS_COUNTRIES))}, or extend CENSUS_COUNTRIES")
        self.api_key_env = str(opts.get("api_key_env", "CENSUS_API_KEY"))
        self.since = str(opts.get("since", "2013-01"))  # the API's HS series start
        if not _MONTH.fullmatch(self.since):
            raise bad(f"since {self.since!r} is not a month", "write it as YYYY-MM, e.g. '2013-01'")

    # Extract (I/O) ------------------------------------------------------------------------------

    def extract(self, fetcher: Fetcher, cursor: Mapping[str, Any] | None = None) -> Iterator[Payload]:
        """One payload per flow. Live, the query starts at the cursor's ``since`` month (the newest
        month loaded, fetched again because Census revises its latest figures); offline, an
        unchanged sample file is not parsed again."""
        location = self.config.location
        scheme = urlparse(location).scheme
        if scheme == "file":
            folder = Path(unquote(urlparse(location).path))
            if not folder.is_dir():
                raise SourceError(self.name, str(folder), "the path is not a folder",
                                  "point 'path' at a folder holding exports_hs.json and imports_hs.json "
                                  "(e.g. samples/census_trade)")
            for flow, name in FILES.items():
                url = (folder / name).as_uri()
                payload = fetcher.get(url, source=self.name, validators=file_validators(cursor, url))
                yield replace(payload, meta={**payload.meta, "flow": flow})
        elif scheme in ("http", "https"):
            since = str((cursor or {}).get("since") or self.since)
            until = datetime.now(UTC).strftime("%Y-%m")
            key = os.environ.get(self.api_key_env) or ""
            for flow in FILES:
                payload = fetcher.get(self.query_url(location.rstrip("/"), flow, since, until), source=self.name,
                                      secret_params={"key": key} if key else None)
                yield replace(payload, meta={**payload.meta, "flow": flow})
        else:
            raise SourceError(self.name, location, f"scheme '{scheme}' is not supported",
                              "use a 'path' to a folder of responses, or the API base URL (https://api.census.gov/data)")

    def query_url(self, base: str, flow: str, since: str, until: str) -> str:
        """The real endpoint URL for one flow, without any key."""
        val_var, comm_var, _ = VARIABLES[flow]
        params = [("get", f"CTY_CODE,CTY_NAME,{val_var},{comm_var}"), ("time", f"from {since} to {until}"),
                  ("CTY_CODE", self.cty_code), ("COMM_LVL", "HS2")]
        return f"{base}/timeseries/intltrade/{flow}s/hs?" + urlencode(params, quote_via=quote, safe=",")

    def next_cursor(self, cursor: Mapping[str, Any] | None, frame: pl.DataFrame,
                    fetched: Sequence[PayloadInfo]) -> dict[str, Any]:
        """``since``: the newest month loaded (live queries start there); ``files``: sample validators."""
        out = remember_files(cursor, [f for f in fetched if f.url.startswith("file:")])
        since = high_water((cursor or {}).get("since"), frame.filter(pl.col("period_type") == "month"), "period")
        if since:
            out["since"] = since
        return out

    # Parse (pure) -------------------------------------------------------------------------------

    def parse(self, payload: Payload) -> ParseResult:
        frame, rejected, notes = parse_census(payload)  # column-wise: responses can be millions of rows
        return ParseResult(frame=frame, rejected=rejected, notes=notes, unique_keys=True)  # first wins
