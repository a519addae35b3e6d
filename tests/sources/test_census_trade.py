"""census_trade: the bundled sample, the live query (served by a real local HTTP server), and the
rules that keep an API key out of everything recorded. No mocks."""

from __future__ import annotations

import json
import logging

import pytest

from orchestration.lib.config import load_config
from sources.contract import Payload, SourceConfig, SourceError
from sources.http import Fetcher, Limits
from sources.registry import create

SECRET = "0123456789abcdef0123456789abcdef01234567"
EXPORT_HEADER = ["CTY_CODE", "CTY_NAME", "ALL_VAL_MO", "E_COMMODITY", "time", "CTY_CODE", "COMM_LVL"]


@pytest.fixture(scope="module")
def sample():
    plugin = create(load_config().source("census_trade"))
    payloads = list(plugin.extract(Fetcher()))
    return plugin, payloads, [plugin.parse(p) for p in payloads]


def live_plugin(httpserver, **options) -> object:
    return create(SourceConfig(name="census_live", plugin="census_trade", url=httpserver.url_for("/data"),
                               options={"partner_cty_code": "5880", **options}))


def payload(rows, url="https://api.census.gov/data/timeseries/intltrade/exports/hs?get=x", **kw) -> Payload:
    body = rows if isinstance(rows, bytes) else json.dumps(rows).encode()
    return Payload(source="census_trade", url=url, content=body, meta=kw.pop("meta", {"flow": "export"}), **kw)


def test_sample_parses_into_the_declared_schema(sample):
    plugin, payloads, results = sample
    assert [p.meta["flow"] for p in payloads] == ["export", "import"]
    for r in results:
        assert r.frame.schema == plugin.schema
        assert r.rejected == []
    rows = [row for r in results for row in r.frame.iter_rows(named=True)]
    assert len(rows) == 48  # 24 months x 2 flows
    assert {r["partner"] for r in rows} == {"JPN"} and {r["reporter"] for r in rows} == {"USA"}
    assert {r["commodity_code"] for r in rows} == {"TOTAL"}
    assert {r["period_type"] for r in rows} == {"month"}
    jan = {r["flow"]: r["value_usd"] for r in rows if r["period"] == "2024-01"}
    assert jan == {"export": 5_639_200_000.0, "import": 12_582_400_000.0}
    assert all(r["source_url"].endswith(("exports_hs.json", "imports_hs.json")) for r in rows)


def test_non_numeric_value_and_unknown_country_are_rejected_with_reasons(sample):
    plugin = sample[0]
    result = plugin.parse(payload([EXPORT_HEADER,
                                   ["5880", "JAPAN", "5639200000", "-", "2024-01", "5880", "HS2"],
                                   ["5880", "JAPAN", "(D)", "-", "2024-02", "5880", "HS2"],
                                   ["9999", "NOWHERE", "1", "-", "2024-03", "9999", "HS2"]]))
    assert result.frame.height == 1
    reasons = [r.reason for r in result.rejected]
    assert any("ALL_VAL_MO" in r and "'(D)' is not a number" in r for r in reasons)
    assert any("CTY_CODE '9999'" in r for r in reasons)


@pytest.mark.parametrize("body", [b"<html><body>Invalid Key</body></html>", b"error: unknown variable 'FOO'",
                                  b'{"error": "x"}', b"[[]]"])
def test_a_body_that_is_not_a_census_table_is_a_source_error_naming_the_url(sample, body):
    url = "https://api.census.gov/data/timeseries/intltrade/exports/hs?get=CTY_CODE"
    with pytest.raises(SourceError) as err:
        sample[0].parse(payload(body, url=url))
    assert url in str(err.value) and "census_trade" in str(err.value) and "Fix:" in str(err.value)


def test_live_query_is_the_real_endpoint_and_204_means_no_rows(httpserver):
    for flow in ("exports", "imports"):
        httpserver.expect_request(f"/data/timeseries/intltrade/{flow}/hs").respond_with_data("", status=204)
    plugin = live_plugin(httpserver)
    payloads = list(plugin.extract(Fetcher(), cursor={"since": "2024-01"}))
    assert [(p.status, p.meta["flow"]) for p in payloads] == [(204, "export"), (204, "import")]
    assert all(plugin.parse(p).frame.height == 0 for p in payloads)
    args = [req.args for req, _ in httpserver.log]
    assert args[0]["get"] == "CTY_CODE,CTY_NAME,ALL_VAL_MO,E_COMMODITY"
    assert args[1]["get"] == "CTY_CODE,CTY_NAME,GEN_VAL_MO,I_COMMODITY"
    assert all(a["CTY_CODE"] == "5880" and a["COMM_LVL"] == "HS2" and a["time"].startswith("from 2024-01 to ")
               for a in args)


def test_api_key_is_sent_but_never_recorded(httpserver, monkeypatch, caplog):
    monkeypatch.setenv("CENSUS_API_KEY", SECRET)
    caplog.set_level(logging.DEBUG)
    sample_body = (load_config().source("census_trade").location.removeprefix("file://") + "/exports_hs.json")
    with open(sample_body, "rb") as fh:
        httpserver.expect_request("/data/timeseries/intltrade/exports/hs").respond_with_data(
            fh.read(), content_type="application/json;charset=utf-8")
    httpserver.expect_request("/data/timeseries/intltrade/imports/hs").respond_with_data("boom", status=500)
    plugin = live_plugin(httpserver)
    extract = plugin.extract(Fetcher(Limits(attempts=2, backoff=0.05, min_interval=0)))

    exports = next(extract)
    assert httpserver.log[0][0].args["key"] == SECRET  # the key did reach the API
    result = plugin.parse(exports)
    assert result.frame.height == 24 and result.frame["value_usd"][0] == 5_639_200_000.0
    assert SECRET not in exports.url and "key=" not in exports.url
    assert exports.url.startswith(httpserver.url_for("/data/timeseries/intltrade/exports/hs?get="))
    assert SECRET not in exports.meta_json()
    assert not any(SECRET in u for u in result.frame["source_url"])

    with pytest.raises(SourceError) as err:  # imports answer HTTP 500
        next(extract)
    text = f"{err.value} {err.value!r} {err.value.where} {err.value.__cause__!r} {err.value.__context__!r}"
    assert "HTTP 500" in str(err.value) and SECRET not in text
    assert httpserver.url_for("/data/timeseries/intltrade/imports/hs") in str(err.value)
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name != "werkzeug")  # werkzeug = the fake API
    assert "HTTP Request" in ours and SECRET not in ours  # httpx's request log is scrubbed


def test_options_are_checked():
    with pytest.raises(SourceError, match="unknown option"):
        create(SourceConfig(name="c", plugin="census_trade", path="x", options={"partner": "5880"}))
    with pytest.raises(SourceError, match="partner_cty_code '0000'"):
        create(SourceConfig(name="c", plugin="census_trade", path="x", options={"partner_cty_code": "0000"}))


def test_sample_files_match_their_generator():
    """The committed sample is exactly what build_sample.py makes from the published figures."""
    import runpy

    from pathlib import Path

    build = runpy.run_path(str(Path(__file__).resolve().parents[2] / "samples/census_trade/build_sample.py"))
    assert build["DEFAULT_SOURCE"].exists(), "the shared monthly CSV (../shared/data/trade) must sit beside the repository"
    assert build["main"](["--check"]) == 0
