"""The shared fetcher against a real local HTTP server (pytest-httpserver): the ways real services
fail, and what the fetcher does about each. No mocks: every response crosses a socket."""

from __future__ import annotations

import logging
import time

import pytest
from werkzeug import Request, Response

from sources.contract import SourceError
from sources.http import USER_AGENT, Fetcher, Limits

FAST = Limits(timeout=5, attempts=3, backoff=0.05, max_backoff=0.2, min_interval=0)
SECRET = "planted-secret-0123456789abcdef"


def fetcher(**changes) -> Fetcher:
    return Fetcher(Limits(**{**FAST.__dict__, **changes}))


def test_user_agent_names_the_project_and_body_and_headers_are_kept(httpserver):
    httpserver.expect_request("/ok").respond_with_data(b'{"a": 1}', content_type="application/json",
                                                       headers={"ETag": '"v1"'})
    payload = fetcher().get(httpserver.url_for("/ok"), source="s")
    request = httpserver.log[0][0]
    assert request.headers["User-Agent"] == USER_AGENT and "alliance-warehouse" in USER_AGENT
    assert (payload.status, payload.content, payload.content_type) == (200, b'{"a": 1}', "application/json")
    assert payload.meta["etag"] == '"v1"'


def test_204_is_an_empty_payload_not_an_error(httpserver):
    httpserver.expect_request("/empty").respond_with_data("", status=204)
    payload = fetcher().get(httpserver.url_for("/empty"), source="s")
    assert (payload.status, payload.content) == (204, b"")


def test_429_with_retry_after_is_honoured_then_succeeds(httpserver):
    httpserver.expect_ordered_request("/limited").respond_with_data("slow down", status=429,
                                                                     headers={"Retry-After": "1"})
    httpserver.expect_ordered_request("/limited").respond_with_data("fine")
    start = time.monotonic()
    payload = fetcher().get(httpserver.url_for("/limited"), source="s")
    assert payload.content == b"fine" and len(httpserver.log) == 2
    assert time.monotonic() - start >= 1.0  # waited as told, not the 0.05 s backoff


def test_retry_after_longer_than_the_limit_fails_at_once_and_says_so(httpserver):
    httpserver.expect_request("/quota").respond_with_data("quota", status=429, headers={"Retry-After": "3600"})
    start = time.monotonic()
    with pytest.raises(SourceError) as err:
        fetcher(max_retry_after=10).get(httpserver.url_for("/quota"), source="s")
    assert time.monotonic() - start < 2 and len(httpserver.log) == 1
    assert "Retry-After" in str(err.value) and "3600" in str(err.value) and "Fix:" in str(err.value)


def test_500_then_success_is_retried(httpserver):
    httpserver.expect_ordered_request("/flaky").respond_with_data("boom", status=500)
    httpserver.expect_ordered_request("/flaky").respond_with_data("boom", status=503)
    httpserver.expect_ordered_request("/flaky").respond_with_data("ok")
    assert fetcher().get(httpserver.url_for("/flaky"), source="s").content == b"ok"
    assert len(httpserver.log) == 3


def test_persistent_500_fails_naming_source_url_and_attempts(httpserver):
    httpserver.expect_request("/down").respond_with_data("boom", status=500)
    with pytest.raises(SourceError) as err:
        fetcher().get(httpserver.url_for("/down"), source="census")
    message = str(err.value)
    assert "census" in message and httpserver.url_for("/down") in message
    assert "HTTP 500" in message and "3 attempts" in message and len(httpserver.log) == 3


def test_404_is_not_retried(httpserver):
    httpserver.expect_request("/gone").respond_with_data("no", status=404)
    with pytest.raises(SourceError, match="HTTP 404"):
        fetcher().get(httpserver.url_for("/gone"), source="s")
    assert len(httpserver.log) == 1


def truncated(_: Request) -> Response:
    return Response(iter([b'{"results": [']), headers={"Content-Length": "5000"}, direct_passthrough=True)


def test_truncated_body_is_retried_and_then_reported(httpserver):
    httpserver.expect_ordered_request("/cut").respond_with_handler(truncated)
    httpserver.expect_ordered_request("/cut").respond_with_data(b'{"results": []}')
    assert fetcher().get(httpserver.url_for("/cut"), source="s").content == b'{"results": []}'
    httpserver.clear()
    httpserver.expect_request("/cut").respond_with_handler(truncated)
    with pytest.raises(SourceError) as err:
        fetcher().get(httpserver.url_for("/cut"), source="s")
    assert "cut off" in str(err.value) and "5000" in str(err.value)


def test_redirect_is_followed_and_the_final_url_recorded(httpserver):
    httpserver.expect_request("/old").respond_with_data("", status=301, headers={"Location": "/new"})
    httpserver.expect_request("/new").respond_with_data("here")
    payload = fetcher().get(httpserver.url_for("/old"), source="s")
    assert payload.url == httpserver.url_for("/new") and payload.content == b"here"
    assert payload.meta["requested_url"] == httpserver.url_for("/old")


def test_redirect_loop_fails_with_a_clear_error(httpserver):
    httpserver.expect_request("/loop").respond_with_data("", status=302, headers={"Location": "/loop"})
    with pytest.raises(SourceError, match="redirects"):
        fetcher(max_redirects=3).get(httpserver.url_for("/loop"), source="s")


def test_oversized_body_is_refused_whether_declared_or_streamed(httpserver):
    httpserver.expect_request("/big").respond_with_data(b"x" * 5000)
    httpserver.expect_request("/stream").respond_with_handler(
        lambda _: Response(iter([b"x" * 1000] * 10), direct_passthrough=True))  # no Content-Length
    with pytest.raises(SourceError, match="declares 5,000 bytes, over the 2,048-byte limit"):
        fetcher(max_bytes=2048).get(httpserver.url_for("/big"), source="s")
    with pytest.raises(SourceError, match="larger than the 2,048-byte limit"):
        fetcher(max_bytes=2048).get(httpserver.url_for("/stream"), source="s")


@pytest.mark.parametrize("url", ["ftp://example.org/x.csv", "gopher://x", "data:text/plain,hi"])
def test_only_http_https_and_file_schemes(url):
    with pytest.raises(SourceError, match="is not allowed"):
        fetcher().get(url, source="s")


def test_per_host_rate_limit_spaces_requests(httpserver):
    httpserver.expect_request("/r").respond_with_data("ok")
    f = Fetcher(Limits(**{**FAST.__dict__, "min_interval": 0}), host_limits={"localhost": 0.4})
    start = time.monotonic()
    for _ in range(3):
        f.get(httpserver.url_for("/r"), source="s")
    assert time.monotonic() - start >= 0.8  # two waits of 0.4 s between three requests


def test_conditional_request_with_etag_gives_not_modified(httpserver):
    def handler(request: Request) -> Response:
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304)
        return Response(b"body", headers={"ETag": '"v1"'})

    httpserver.expect_request("/cond").respond_with_handler(handler)
    f, url = fetcher(), httpserver.url_for("/cond")
    first = f.get(url, source="s")
    again = f.get(url, source="s", validators={"etag": first.meta["etag"]})
    assert first.status == 200 and again.not_modified and again.content == b""


def test_same_bytes_as_the_cursor_remembers_count_as_not_modified(httpserver, tmp_path):
    httpserver.expect_request("/same").respond_with_data("stable")  # a server without ETag support
    first = fetcher().get(httpserver.url_for("/same"), source="s")
    again = fetcher().get(httpserver.url_for("/same"), source="s", validators={"sha256": first.sha256})
    assert again.not_modified and again.meta["not_modified"] == "sha256"
    local = tmp_path / "a.csv"
    local.write_text("a\n1\n")
    f = fetcher()
    assert f.get(local.as_uri(), source="s", validators={"sha256": f.get(local.as_uri(), source="s").sha256}).not_modified


def test_secret_params_and_headers_travel_but_are_never_recorded(httpserver, caplog):
    caplog.set_level(logging.DEBUG)
    httpserver.expect_request("/api").respond_with_data("ok")
    httpserver.expect_request("/fail").respond_with_data("denied", status=403)
    f = fetcher()
    payload = f.get(httpserver.url_for("/api") + "?q=1", source="s", secret_params={"key": SECRET},
                    secret_headers={"X-Api-Key": SECRET})
    request = httpserver.log[0][0]
    assert request.args["key"] == SECRET and request.headers["X-Api-Key"] == SECRET  # it did reach the server
    assert SECRET not in payload.url and "key=" not in payload.url and payload.url.endswith("/api?q=1")
    assert SECRET not in payload.meta_json()
    with pytest.raises(SourceError) as err:
        f.get(httpserver.url_for("/fail"), source="s", secret_params={"key": SECRET})
    text = f"{err.value} {err.value!r} {err.value.__cause__!r} {err.value.__context__!r}"
    assert "HTTP 403" in str(err.value) and SECRET not in text
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name != "werkzeug")  # werkzeug = the server
    assert "HTTP Request" in ours and SECRET not in ours


def test_connection_errors_are_retried_then_reported():
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    start = time.monotonic()
    with pytest.raises(SourceError) as err:
        fetcher().get(f"http://127.0.0.1:{port}/x", source="s")
    assert "connection failed" in str(err.value) and "3 attempts" in str(err.value)
    assert time.monotonic() - start < 5
