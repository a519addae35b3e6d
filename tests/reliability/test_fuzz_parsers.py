"""Property-based fuzzing of every built-in parser (hypothesis).

Each parser gets random bytes and, more usefully, its own real sample mutated a few times
(truncated, bytes flipped, chunks deleted or repeated, hostile fragments inserted: quotes, NULs,
BOMs, DTDs, brackets). Whatever arrives, ``plugin.parse`` must either return a result with exactly
the plugin's schema, whose rejected records each carry a reason and serialise to the quarantine's
JSON, or raise :class:`SourceError` naming the source and the fix. Any other exception is a parser
bug: in a run it would quarantine the payload with a stack-trace message instead of a clear one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orchestration.lib.config import PROJECT_ROOT, load_config
from sources import registry
from sources.contract import Payload, SourceConfig, SourceError, SourcePlugin
from sources.rss import parse as rss_parse

SAMPLES = PROJECT_ROOT / "samples"
FUZZ = settings(max_examples=60, deadline=None, derandomize=False,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@dataclass(frozen=True)
class Target:
    id: str
    plugin: SourcePlugin
    seed: bytes
    meta: dict[str, Any]


def _head(path: Path, lines: int) -> bytes:
    return b"".join(path.read_bytes().splitlines(keepends=True)[:lines])


def _targets() -> list[Target]:
    """One target per parser and per configured csv_table mapping, each seeded with its real sample."""
    def make(name: str, plugin: str, path: Path, **options: Any) -> SourcePlugin:
        return registry.create(SourceConfig(name=name, plugin=plugin, path=str(path), options=options))

    page = SAMPLES / "commentary/pages/2021-07-12_indopacom-exercise-orient-shield-breaks-boundaries.html"
    rss = make("fuzz_rss", "rss", SAMPLES / "commentary/feed.xml")
    out = [
        Target("rss_feed", rss, (PROJECT_ROOT / "tests/corpus/rss/feed_ok.xml").read_bytes(), {"kind": "feed"}),
        Target("rss_page", rss, page.read_bytes(), {"kind": "page", "title": "Fuzz", "published": "2021-07-12"}),
        Target("census_trade", make("fuzz_census", "census_trade", SAMPLES / "census_trade", partner_cty_code="5880"),
               (SAMPLES / "census_trade/exports_hs.json").read_bytes(), {"flow": "export"}),
        Target("mme_exercises", make("fuzz_mme", "mme_exercises", SAMPLES / "reference/exercises/mme_v7.csv"),
               _head(SAMPLES / "reference/exercises/mme_v7.csv", 12), {}),
        Target("federal_register", make("fuzz_fr", "federal_register", SAMPLES / "federal_register"),
               (SAMPLES / "federal_register/documents_p2.json").read_bytes(), {}),
        Target("un_comtrade", make("fuzz_comtrade", "un_comtrade", SAMPLES / "un_comtrade/usa_jpn_annual_total.json"),
               (SAMPLES / "un_comtrade/usa_jpn_annual_total.json").read_bytes(), {}),
    ]
    for source in load_config(PROJECT_ROOT / "alliance.yml").sources:
        if source.plugin == "csv_table":
            plugin = registry.create(SourceConfig(name=f"fuzz_{source.name}", plugin="csv_table", path=source.path,
                                                  options=source.options, base_dir=source.base_dir))
            out.append(Target(f"csv_table:{source.name}", plugin, _head(Path(source.base_dir) / source.path, 15), {}))
    return out


TARGETS = _targets()
HOSTILE = [b'"', b",", b"\n", b"\r", b"<", b">", b"&", b"\x00", b"\xef\xbb\xbf", b"\xff\xfe", b"\xe9", b"]]",
           b"[[", b"{", b"null", b"NaN", b"-9", b"xx", b"1e400", b"9999-99-99", b"<script>", b"]]>",
           b'<!DOCTYPE x [<!ENTITY a "aaaaaaaa">]>', b"&a;", "日本".encode(), "日本".encode("cp932")]


@st.composite
def mutated(draw: st.DrawFn, seed: bytes) -> bytes:
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 4))):
        if not data:
            break
        i = draw(st.integers(0, len(data) - 1))
        j = min(len(data), i + draw(st.integers(1, 200)))
        op = draw(st.sampled_from(["truncate", "flip", "insert", "delete", "repeat"]))
        if op == "truncate":
            del data[i:]
        elif op == "flip":
            data[i] = draw(st.integers(0, 255))
        elif op == "insert":
            data[i:i] = draw(st.sampled_from(HOSTILE) | st.binary(min_size=1, max_size=16))
        elif op == "delete":
            del data[i:j]
        else:
            data[i:i] = data[i:j] * draw(st.integers(1, 5))
    return bytes(data)


def assert_parses_or_fails_clearly(target: Target, content: bytes) -> None:
    payload = Payload(source=target.plugin.name, url="file:///fuzz/payload", content=content, meta=target.meta)
    try:
        result = target.plugin.parse(payload)
    except SourceError as exc:
        assert str(exc).startswith(f"source '{target.plugin.name}'") and "Fix:" in str(exc)
        return
    assert dict(result.frame.schema) == dict(target.plugin.schema)
    for rejected in result.rejected:
        assert rejected.reason.strip()
        json.dumps(dict(rejected.record), sort_keys=True, default=str)  # what the loader stores


def test_every_built_in_parser_is_fuzzed():
    built_in = {name for name, cls in registry.installed_plugins().items() if cls.__module__.startswith("sources.")}
    assert built_in <= {t.plugin.plugin_name for t in TARGETS}


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: t.id)
def test_the_unmutated_sample_parses(target):
    result = target.plugin.parse(Payload(source=target.plugin.name, url="file:///fuzz/sample", content=target.seed,
                                         meta=target.meta))
    assert target.id == "rss_feed" or result.frame.height > 0  # a feed payload holds links, not rows


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: t.id)
@FUZZ
@given(data=st.data())
def test_mutated_samples_parse_or_fail_clearly(target, data):
    assert_parses_or_fails_clearly(target, data.draw(mutated(target.seed)))


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: t.id)
@FUZZ
@given(content=st.binary(max_size=1500))
def test_random_bytes_parse_or_fail_clearly(target, content):
    assert_parses_or_fails_clearly(target, content)


@FUZZ
@given(feed_url=st.sampled_from(["https://example.org/feed.xml", "http://example.org/a/feed", "file:///srv/feed.xml"]),
       link=st.one_of(st.text(max_size=80), st.sampled_from(["file:///etc/passwd", "javascript:alert(1)", "//evil.invalid/x",
                                                            "data:text/html,x", "ftp://x/y", "../../etc/passwd"])))
def test_feed_links_never_leave_the_allowed_schemes(feed_url, link):
    """A remote feed can only send the fetcher to http(s) pages, never to a local file or a script."""
    resolved = rss_parse.resolve_link(feed_url, link)
    remote = not feed_url.startswith("file:")
    assert resolved is None or resolved.split(":", 1)[0] in (("http", "https") if remote else ("http", "https", "file"))
