"""The one fetcher every plugin uses for I/O: file, http and https, and nothing else.

Real services fail in ordinary ways, and each way has one answer here, so no plugin re-invents it:

* **Slow or dead servers**: every request has a timeout; connection errors, truncated bodies,
  HTTP 429 and 5xx are retried with exponential backoff and jitter (tenacity), at most
  ``Limits.attempts`` times. A ``Retry-After`` header (seconds or an HTTP date) is honoured, unless it
  asks for longer than ``Limits.max_retry_after``, in which case the fetch fails and says so.
* **Where**: schemes other than http, https and file are refused; with ``allowed_hosts`` (a live
  run passes the hosts of its configured sources' URLs) so is any other host, first or after a
  redirect, so a feed or an API cannot send the warehouse elsewhere.
* **Politeness**: a per-host minimum interval between requests (``host_limits``, else
  ``Limits.min_interval``), and a User-Agent that names the project.
* **Hostile or broken bodies**: a response larger than ``Limits.max_bytes`` (declared or actually
  streamed, after decompression) is refused before it is held in memory.
* **Secrets**: ``secret_params`` travel in the query and ``secret_headers`` in the headers on the
  wire only; they are removed from ``Payload.url`` and from every error message, and scrubbed from
  httpx's request log while the request runs.
* **Incremental fetches**: ``validators`` (an ETag, a Last-Modified date, the sha256 of the last
  body) become a conditional request; "not modified" comes back as a payload with status 304 and no
  bytes, whether the server said 304 or the bytes are the same as last time.
"""

from __future__ import annotations

import email.utils
import logging
import mimetypes
import random
import threading
import time
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlparse, urlunparse

from sources.contract import Payload, SourceError, register_secret

USER_AGENT = "alliance-warehouse/0.1 (open-source data warehouse; python-httpx)"
ALLOWED_SCHEMES = ("http", "https", "file")
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
_LOG_NAMES = ("httpx", "httpcore", "httpcore.connection", "httpcore.http11", "httpcore.http2")


@dataclass(frozen=True)
class Limits:
    """How hard and how politely the fetcher tries. The defaults suit public APIs."""

    timeout: float = 30.0            # seconds for connect, read, write and pool, each
    attempts: int = 5                # tries per URL, the first one included
    backoff: float = 1.0             # first wait in seconds; doubles each retry, plus jitter
    max_backoff: float = 60.0
    max_retry_after: float = 300.0   # a longer Retry-After fails the fetch instead of hanging the run
    max_bytes: int = 64 * 1024 * 1024
    min_interval: float = 0.2        # seconds between two requests to the same host
    max_redirects: int = 5


class _Retryable(Exception):
    """A failure worth another try; ``retry_after`` is the server's wish, if it said one."""

    def __init__(self, problem: str, retry_after: float | None = None):
        super().__init__(problem)
        self.problem, self.retry_after = problem, retry_after


class _HostRefused(Exception):
    """An http(s) request (perhaps a redirect) to a host the fetcher may not contact."""

    def __init__(self, host: str):
        super().__init__(host)
        self.host = host


class Fetcher:
    """Fetches one URL at a time into a :class:`Payload`. Reuse one per run (it keeps connections
    and the per-host clock); close it, or use it as a context manager, when done."""

    def __init__(self, limits: Limits | None = None, *, host_limits: Mapping[str, float] | None = None,
                 allowed_hosts: Collection[str] | None = None, sleep: Callable[[float], None] = time.sleep):
        self.limits = limits or Limits()
        self.host_limits = dict(host_limits or {})
        self.allowed_hosts = None if allowed_hosts is None else frozenset(h.lower() for h in allowed_hosts)
        self._sleep = sleep
        self._last_request: dict[str, float] = {}
        self._client: Any = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    # ------------------------------------------------------------------------------------ get

    def get(self, url: str, *, source: str, headers: Mapping[str, str] | None = None,
            secret_params: Mapping[str, str] | None = None, secret_headers: Mapping[str, str] | None = None,
            validators: Mapping[str, Any] | None = None) -> Payload:
        """The payload at ``url``; raises :class:`SourceError` (secrets removed) when it cannot."""
        secrets = [v for v in {**(secret_params or {}), **(secret_headers or {})}.values() if v]
        redact = _Redactor(secrets, secret_names=set(secret_params or ()))
        scheme = urlparse(url).scheme.lower()
        if scheme not in ALLOWED_SCHEMES:
            raise SourceError(source, redact(url), f"scheme '{scheme}' is not allowed",
                              "use an http, https or file URL (or a 'path')")
        if scheme == "file":
            payload = self._get_file(url, source)
        else:
            if not self._allowed(urlparse(url).hostname):
                raise SourceError(source, redact(url), f"host '{urlparse(url).hostname}' is not the host of any "
                                  "configured source", "add a source for that host to the config, or check "
                                  "where the feed's links point")
            with _scrubbed_http_logs(redact):
                payload = self._get_http(url, source, dict(headers or {}), dict(secret_params or {}),
                                         dict(secret_headers or {}), validators or {}, redact)
        return _unless_unchanged(payload, validators or {})

    def _get_file(self, url: str, source: str) -> Payload:
        path = Path(unquote(urlparse(url).path))
        if not path.exists():
            raise SourceError(source, str(path), "the file does not exist",
                              "check the source's 'path' in alliance.yml, or restore the file (git checkout samples/)")
        if path.is_dir():
            raise SourceError(source, str(path), "the path is a directory, not a file",
                              "point the source's 'path' at a file")
        size = path.stat().st_size
        if size > self.limits.max_bytes:
            raise SourceError(source, str(path), f"the file is {size:,} bytes, over the {self.limits.max_bytes:,}-byte limit",
                              "raise Limits.max_bytes if the file is genuine, or point 'path' at the right file")
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise SourceError(source, str(path), f"the file cannot be read ({exc.strerror})",
                              "fix the file's permissions or point 'path' at a readable copy") from None
        ctype, _ = mimetypes.guess_type(path.name)
        return Payload(source=source, url=url, content=content, content_type=ctype, status=200)

    def _get_http(self, url: str, source: str, headers: dict[str, str], secret_params: dict[str, str],
                  secret_headers: dict[str, str], validators: Mapping[str, Any], redact: _Redactor) -> Payload:
        from tenacity import (
            RetryError,
            Retrying,
            retry_if_exception_type,
            stop_after_attempt,
        )

        wire_url = _with_params(url, secret_params)
        send = {"User-Agent": USER_AGENT, **headers, **secret_headers}
        if validators.get("etag"):
            send["If-None-Match"] = str(validators["etag"])
        if validators.get("last_modified"):
            send["If-Modified-Since"] = str(validators["last_modified"])
        retrying = Retrying(stop=stop_after_attempt(max(1, self.limits.attempts)), wait=self._wait,
                            retry=retry_if_exception_type(_Retryable), sleep=self._sleep, reraise=False)
        try:
            return retrying(self._attempt, wire_url, source, send, redact)
        except RetryError as exc:
            last = exc.last_attempt.exception()
            problem = last.problem if isinstance(last, _Retryable) else str(last)
            raise SourceError(source, redact(url), f"{problem}, still failing after {self.limits.attempts} attempts",
                              "the service may be down or rate-limiting this machine; rerun later") from None

    def _wait(self, state: Any) -> float:
        """Exponential backoff with jitter, or the server's Retry-After if it asked for longer."""
        exc = state.outcome.exception() if state.outcome else None
        backoff = min(self.limits.max_backoff, self.limits.backoff * 2 ** (state.attempt_number - 1))
        backoff += random.uniform(0, self.limits.backoff / 2)
        asked = getattr(exc, "retry_after", None)
        return max(backoff, asked) if asked is not None else backoff

    def _attempt(self, url: str, source: str, headers: dict[str, str], redact: _Redactor) -> Payload:
        import httpx

        self._pace(urlparse(url).hostname or "")
        where = redact(url)
        try:
            with self._http().stream("GET", url, headers=headers) as resp:
                status = resp.status_code
                if status in RETRY_STATUSES:
                    retry_after = _retry_after(resp.headers.get("retry-after"))
                    if retry_after is not None and retry_after > self.limits.max_retry_after:
                        raise SourceError(source, where, f"HTTP {status}: the server asks to wait {retry_after:.0f} s "
                                          f"(Retry-After), over the {self.limits.max_retry_after:.0f} s limit",
                                          "rerun later, or after the service's quota resets")
                    raise _Retryable(f"HTTP {status}", retry_after)
                if status >= 400:
                    raise SourceError(source, where, f"HTTP {status} {resp.reason_phrase}".strip(),
                                      _fix_for_status(status))
                content = b"" if status == 304 else self._read_capped(resp, source, where)
                final = redact(str(resp.url))
                meta = {k: v for k, v in (("etag", resp.headers.get("etag")),
                                          ("last_modified", resp.headers.get("last-modified"))) if v}
                if resp.history:
                    meta["requested_url"] = where
                return Payload(source=source, url=final, content=content, status=status,
                               content_type=resp.headers.get("content-type"),
                               fetched_at=datetime.now(UTC), meta=meta)
        except _HostRefused as exc:
            raise SourceError(source, where, f"a redirect led to host '{exc.host}', which is not the host of any "
                              "configured source", "check the URL; redirects are followed only to configured hosts") from None
        except httpx.TooManyRedirects:
            raise SourceError(source, where, f"more than {self.limits.max_redirects} redirects",
                              "check the URL; the server may be redirecting in a loop") from None
        except httpx.UnsupportedProtocol:
            raise SourceError(source, where, "a redirect led to a scheme other than http or https",
                              "check the URL; only http(s) redirects are followed") from None
        except httpx.RemoteProtocolError as exc:
            raise _Retryable(f"the response was cut off ({redact(str(exc))})") from None
        except httpx.TimeoutException:
            raise _Retryable(f"timed out after {self.limits.timeout:.0f} s") from None
        except httpx.TransportError as exc:
            raise _Retryable(f"connection failed ({type(exc).__name__})") from None

    def _read_capped(self, resp: Any, source: str, where: str) -> bytes:
        cap = self.limits.max_bytes
        declared = resp.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > cap:
            raise SourceError(source, where, f"the response declares {int(declared):,} bytes, over the {cap:,}-byte limit",
                              "check the URL; raise Limits.max_bytes if so large a response is expected")
        body = bytearray()
        for chunk in resp.iter_bytes():  # decompressed: a gzip bomb is capped too
            body += chunk
            if len(body) > cap:
                raise SourceError(source, where, f"the response is larger than the {cap:,}-byte limit (stopped reading)",
                                  "check the URL; raise Limits.max_bytes if so large a response is expected")
        return bytes(body)

    def _http(self) -> Any:
        import httpx

        if self._client is None:
            self._client = httpx.Client(timeout=self.limits.timeout, follow_redirects=True,
                                        max_redirects=self.limits.max_redirects,
                                        event_hooks={"request": [self._refuse_other_hosts]})
        return self._client

    def _allowed(self, host: str | None) -> bool:
        return self.allowed_hosts is None or (host or "").lower() in self.allowed_hosts

    def _refuse_other_hosts(self, request: Any) -> None:
        """httpx calls this before every request it sends, redirects included."""
        if not self._allowed(request.url.host):
            raise _HostRefused(request.url.host)

    def _pace(self, host: str) -> None:
        interval = self.host_limits.get(host, self.limits.min_interval)
        last = self._last_request.get(host)
        if last is not None and interval > 0:
            wait = last + interval - time.monotonic()
            if wait > 0:
                self._sleep(wait)
        self._last_request[host] = time.monotonic()


# ---------------------------------------------------------------------------------- helpers


def _unless_unchanged(payload: Payload, validators: Mapping[str, Any]) -> Payload:
    """A 304, or the very bytes the cursor remembers, come back as an empty 'not modified' payload."""
    if payload.status == 304:
        return _not_modified(payload, "server")
    if validators.get("sha256") and validators["sha256"] == payload.sha256:
        return _not_modified(payload, "sha256")
    return payload


def _not_modified(payload: Payload, how: str) -> Payload:
    from dataclasses import replace

    return replace(payload, content=b"", status=304, meta={**payload.meta, "not_modified": how})


def _with_params(url: str, params: Mapping[str, str]) -> str:
    if not params:
        return url
    parts = urlparse(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunparse(parts._replace(query=urlencode(query, quote_via=quote, safe=",[]")))


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _fix_for_status(status: int) -> str:
    if status in (401, 403):
        return "check the API key (set in the environment variable the source names) and its permissions"
    if status == 404:
        return "check the URL in alliance.yml; the resource may have moved"
    return "check the URL and the query options in alliance.yml"


class _Redactor:
    """Removes secrets from text: secret query parameters by name, and secret values anywhere."""

    def __init__(self, secrets: list[str], secret_names: set[str]):
        self.secrets = [s for s in secrets if s]
        self.names = {n.lower() for n in secret_names}
        for secret in self.secrets:
            register_secret(secret)  # so errors built from what the server sends back cannot repeat it

    def __call__(self, text: str) -> str:
        parts = urlparse(text)
        if self.names and parts.scheme in ("http", "https") and parts.query:
            query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() not in self.names]
            text = urlunparse(parts._replace(query=urlencode(query, quote_via=quote, safe=",[]")))
        for secret in self.secrets:
            text = text.replace(secret, "***").replace(quote(secret, safe=""), "***")
        return text


class _LogScrubber(logging.Filter):
    def __init__(self, redact: _Redactor):
        super().__init__()
        self.redact = redact

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self.redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


_log_lock = threading.Lock()


@contextmanager
def _scrubbed_http_logs(redact: _Redactor) -> Iterator[None]:
    """httpx logs every request URL at INFO (and httpcore more at DEBUG): scrub secrets from them."""
    if not redact.secrets:
        yield
        return
    flt = _LogScrubber(redact)
    loggers = [logging.getLogger(n) for n in _LOG_NAMES]
    with _log_lock:
        for lg in loggers:
            lg.addFilter(flt)
    try:
        yield
    finally:
        with _log_lock:
            for lg in loggers:
                lg.removeFilter(flt)
