"""``census_trade``: monthly US goods exports and imports with one partner, from the US Census
International Trade API (``timeseries/intltrade/{exports,imports}/hs``).

Offline, ``path`` names a folder holding ``exports_hs.json`` and ``imports_hs.json`` (responses in
the API's format, see ``samples/census_trade``). Live, ``url`` is the API base
(``https://api.census.gov/data``) and the plugin builds the two real queries. The optional API key
is read from an environment variable and kept out of everything that is recorded: payload URLs,
meta, error messages and httpx's request log.
"""

from __future__ import annotations

import logging
import os
import re
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator, Mapping
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlparse, urlunparse

from sources.census_trade.parse import CENSUS_COUNTRIES, VARIABLES, parse_census
from sources.contract import Fetcher, ParseResult, Payload, SourceConfig, SourceError, SourcePlugin
from sources.tables import TRADE_FLOWS

OPTIONS = {"partner_cty_code", "api_key_env", "since"}
FILES = {"export": "exports_hs.json", "import": "imports_hs.json"}
_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


class CensusTradePlugin(SourcePlugin):
    """US Census International Trade API: monthly US goods trade with one partner (HS totals)."""

    plugin_name = "census_trade"
    cadence = "monthly"
    table = TRADE_FLOWS.name
    key = TRADE_FLOWS.key
    schema = TRADE_FLOWS.schema

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
        """One payload per flow. ``cursor`` may hold ``{"since": "YYYY-MM"}`` to narrow a live query."""
        location = self.config.location
        scheme = urlparse(location).scheme
        if scheme == "file":
            folder = Path(unquote(urlparse(location).path))
            if not folder.is_dir():
                raise SourceError(self.name, str(folder), "the path is not a folder",
                                  "point 'path' at a folder holding exports_hs.json and imports_hs.json "
                                  "(e.g. samples/census_trade)")
            for flow, name in FILES.items():
                payload = fetcher.get((folder / name).as_uri(), source=self.name)
                yield replace(payload, meta={**payload.meta, "flow": flow})
        elif scheme in ("http", "https"):
            since = str((cursor or {}).get("since") or self.since)
            for flow in FILES:
                yield self._fetch_live(fetcher, location.rstrip("/"), flow, since)
        else:
            raise SourceError(self.name, location, f"scheme '{scheme}' is not supported",
                              "use a 'path' to a folder of responses, or the API base URL (https://api.census.gov/data)")

    def query_url(self, base: str, flow: str, since: str, until: str) -> str:
        """The real endpoint URL for one flow, without any key."""
        val_var, comm_var, _ = VARIABLES[flow]
        params = [("get", f"CTY_CODE,CTY_NAME,{val_var},{comm_var}"), ("time", f"from {since} to {until}"),
                  ("CTY_CODE", self.cty_code), ("COMM_LVL", "HS2")]
        return f"{base}/timeseries/intltrade/{flow}s/hs?" + urlencode(params, quote_via=quote, safe=",")

    def _fetch_live(self, fetcher: Fetcher, base: str, flow: str, since: str) -> Payload:
        url = self.query_url(base, flow, since, datetime.now(timezone.utc).strftime("%Y-%m"))
        secret = os.environ.get(self.api_key_env) or ""
        if secret:
            url += "&" + urlencode({"key": secret})
        error: SourceError | None = None
        try:
            with _redacted_httpx_log(secret):
                payload = fetcher.get(url, source=self.name)
        except SourceError as exc:
            error = SourceError(self.name, _redact(exc.where, secret), _redact(exc.problem, secret),
                                _redact(exc.fix, secret))
        except Exception as exc:  # noqa: BLE001 - anything else may carry the URL in its text
            error = SourceError(self.name, _redact(url, secret), f"request failed: {type(exc).__name__}",
                                "check the URL and the network, then rerun")
        if error is not None:
            raise error  # raised outside the except block: no chained exception holding the key
        return replace(payload, url=_redact(payload.url, secret), meta={**payload.meta, "flow": flow})

    # Parse (pure) -------------------------------------------------------------------------------

    def parse(self, payload: Payload) -> ParseResult:
        rows, rejected, notes = parse_census(payload)
        result = self.conform(rows, payload)
        result.rejected[:0] = rejected
        result.notes.extend(notes)
        return result


def _redact(text: str, secret: str) -> str:
    """Drop ``key=`` from a URL's query and blank the secret anywhere else in ``text``."""
    parts = urlparse(text)
    if parts.scheme in ("http", "https") and parts.query:
        query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() != "key"]
        text = urlunparse(parts._replace(query=urlencode(query, quote_via=quote, safe=",")))
    if secret:
        text = text.replace(secret, "***").replace(quote(secret, safe=""), "***")
    return text


class _SecretFilter(logging.Filter):
    def __init__(self, secret: str):
        super().__init__()
        self.secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.secret in message:
            record.msg, record.args = _redact(message, self.secret), None
        return True


@contextmanager
def _redacted_httpx_log(secret: str) -> Iterator[None]:
    """httpx logs every request URL at INFO; the Census key travels in the URL, so scrub it."""
    if not secret:
        yield
        return
    logger, flt = logging.getLogger("httpx"), _SecretFilter(secret)
    logger.addFilter(flt)
    try:
        yield
    finally:
        logger.removeFilter(flt)
