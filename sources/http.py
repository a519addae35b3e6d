"""The one fetcher every plugin uses for I/O.

This cut reads ``file://`` URLs and plain http(s) with httpx. Schemes other than http, https and
file are refused. (Retries, rate limits and size limits are issue #3's.)
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Mapping
from urllib.parse import unquote, urlparse

from sources.contract import Payload, SourceError

USER_AGENT = "alliance-warehouse/0.1 (open-source data warehouse; python-httpx)"
ALLOWED_SCHEMES = ("http", "https", "file")


class Fetcher:
    def __init__(self, timeout: float = 30.0):
        self.timeout = timeout

    def get(self, url: str, *, source: str, headers: Mapping[str, str] | None = None) -> Payload:
        scheme = urlparse(url).scheme
        if scheme not in ALLOWED_SCHEMES:
            raise SourceError(source, url, f"scheme '{scheme}' is not allowed",
                              "use an http, https or file URL (or a 'path')")
        if scheme == "file":
            return self._get_file(url, source)
        return self._get_http(url, source, headers or {})

    def _get_file(self, url: str, source: str) -> Payload:
        path = Path(unquote(urlparse(url).path))
        if not path.exists():
            raise SourceError(source, str(path), "the file does not exist",
                              "check the source's 'path' in alliance.yml, or restore the file (git checkout samples/)")
        if path.is_dir():
            raise SourceError(source, str(path), "the path is a directory, not a file",
                              "point the source's 'path' at a file")
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise SourceError(source, str(path), f"the file cannot be read ({exc.strerror})",
                              "fix the file's permissions or point 'path' at a readable copy") from None
        ctype, _ = mimetypes.guess_type(path.name)
        return Payload(source=source, url=url, content=content, content_type=ctype, status=200)

    def _get_http(self, url: str, source: str, headers: Mapping[str, str]) -> Payload:
        import httpx

        try:
            resp = httpx.get(url, headers={"User-Agent": USER_AGENT, **headers}, timeout=self.timeout,
                             follow_redirects=True)
        except httpx.HTTPError as exc:
            raise SourceError(source, url, f"request failed: {type(exc).__name__}",
                              "check the URL and the network, then rerun") from None
        if resp.status_code >= 400:
            raise SourceError(source, url, f"HTTP {resp.status_code}", "check the URL; rerun later if the service is down")
        return Payload(source=source, url=str(resp.url), content=resp.content,
                       content_type=resp.headers.get("content-type"), status=resp.status_code)
