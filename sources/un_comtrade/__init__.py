"""``un_comtrade``: bilateral goods trade as reported to the UN (Comtrade API v1), into
``raw.trade_flows``.

Why analysts want it next to the Census figures: Comtrade has both sides of the relationship.
With ``reporter: 392`` it gives Japan's own reported trade with the US (mirror statistics), so the
same bilateral flow can be read from Washington's and Tokyo's books; and it reaches back before the
Census API's 2013 start.

Live, ``url`` is the API host (``https://comtradeapi.un.org``). With a subscription key (from the
environment variable ``api_key_env`` names, sent as the ``Ocp-Apim-Subscription-Key`` header and
never recorded) the plugin uses ``/data/v1/get``; without one, the public ``/public/v1/preview``
(at most 500 records a call). Periods are asked for in calls of at most 12, from the cursor's
``since`` (the newest period loaded) to now. Offline, ``path`` is a recorded response file.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import quote, urlencode, urlparse

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
from sources.tables import TRADE_FLOWS
from sources.un_comtrade.parse import parse_comtrade

OPTIONS = {"reporter", "partner", "freq", "cmd_code", "flows", "since", "api_key_env"}
KEY_HEADER = "Ocp-Apim-Subscription-Key"
PERIODS_PER_CALL = 12


class UnComtradePlugin(SourcePlugin):
    """UN Comtrade API v1: bilateral goods trade as a reporter declared it to the UN (annual or monthly)."""

    plugin_name = "un_comtrade"
    cadence = "monthly"
    table = TRADE_FLOWS.name
    key = TRADE_FLOWS.key
    schema = TRADE_FLOWS.schema
    # Comtrade answers 429 beyond about one call a second per key.
    rate_limits: ClassVar[Mapping[str, float]] = {"comtradeapi.un.org": 1.1}

    def __init__(self, config: SourceConfig):
        super().__init__(config)
        opts = dict(config.options or {})

        def bad(problem: str, fix: str) -> SourceError:
            return SourceError(config.name, "alliance.yml: options", problem, fix)

        unknown = sorted(set(opts) - OPTIONS)
        if unknown:
            raise bad(f"unknown option(s) {', '.join(unknown)}", f"use only {', '.join(sorted(OPTIONS))}")
        self.reporter = int(opts.get("reporter", 842))   # UN M49: 842 USA, 392 Japan
        self.partner = int(opts.get("partner", 392))
        self.freq = str(opts.get("freq", "A"))
        if self.freq not in ("A", "M"):
            raise bad(f"freq {self.freq!r} is not A or M", "use A (annual) or M (monthly)")
        self.cmd_code = str(opts.get("cmd_code", "TOTAL"))
        self.flows = [str(f) for f in opts.get("flows", ["X", "M"])]
        self.since = str(opts.get("since", "2010"))
        self.api_key_env = str(opts.get("api_key_env", "COMTRADE_API_KEY"))

    def extract(self, fetcher: Fetcher, cursor: Mapping[str, Any] | None = None) -> Iterator[Payload]:
        location = self.config.location
        scheme = urlparse(location).scheme
        if scheme == "file":
            yield fetcher.get(location, source=self.name, validators=file_validators(cursor, location))
            return
        if scheme not in ("http", "https"):
            raise SourceError(self.name, location, f"scheme '{scheme}' is not supported",
                              "use the API host (https://comtradeapi.un.org) or a 'path' to a recorded response")
        key = os.environ.get(self.api_key_env) or ""
        since = str((cursor or {}).get("since") or self.since)
        periods = self.periods(since, datetime.now(UTC))
        for i in range(0, len(periods), PERIODS_PER_CALL):
            url = self.query_url(location.rstrip("/"), periods[i:i + PERIODS_PER_CALL], keyed=bool(key))
            yield fetcher.get(url, source=self.name, secret_headers={KEY_HEADER: key} if key else None)

    def periods(self, since: str, now: datetime) -> list[str]:
        """Comtrade period codes from ``since`` (YYYY, YYYY-MM or YYYYMM) to ``now``, inclusive."""
        digits = since.replace("-", "")
        year = int(digits[:4])
        if self.freq == "A":
            return [str(y) for y in range(year, now.year + 1)]
        month = int(digits[4:6] or 1)
        out = []
        while (year, month) <= (now.year, now.month):
            out.append(f"{year}{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return out

    def query_url(self, base: str, periods: list[str], *, keyed: bool) -> str:
        path = f"/data/v1/get/C/{self.freq}/HS" if keyed else f"/public/v1/preview/C/{self.freq}/HS"
        params = [("reporterCode", str(self.reporter)), ("partnerCode", str(self.partner)), ("partner2Code", "0"),
                  ("period", ",".join(periods)), ("cmdCode", self.cmd_code), ("flowCode", ",".join(self.flows)),
                  ("customsCode", "C00"), ("motCode", "0"), ("includeDesc", "true")]
        return base + path + "?" + urlencode(params, quote_via=quote, safe=",")

    def next_cursor(self, cursor: Mapping[str, Any] | None, frame: pl.DataFrame,
                    fetched: Sequence[PayloadInfo]) -> dict[str, Any]:
        """``since``: the newest period loaded (fetched again next time: Comtrade revises recent data)."""
        out = remember_files(cursor, [f for f in fetched if f.url.startswith("file:")])
        since = high_water((cursor or {}).get("since"), frame, "period")
        if since:
            out["since"] = since
        return out

    def parse(self, payload: Payload) -> ParseResult:
        rows, rejected, notes = parse_comtrade(payload)
        result = self.conform(rows, payload)
        result.rejected[:0] = rejected
        result.notes.extend(notes)
        return result
