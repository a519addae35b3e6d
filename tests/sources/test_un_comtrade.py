"""un_comtrade: the rebuilt sample, the live query (key in a header, never recorded) served by a
local HTTP server, and the rows it refuses to load."""

from __future__ import annotations

import json
import logging
import runpy
from datetime import datetime
from pathlib import Path

import pytest

from sources.contract import Payload, SourceConfig, SourceError
from sources.http import Fetcher, Limits
from sources.registry import create
from sources.runner import collect
from sources.tables import TRADE_FLOWS

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "samples" / "un_comtrade" / "usa_jpn_annual_total.json"
SECRET = "comtrade-planted-key-5f4dcc3b5aa765d61d8327deb882cf99"
FAST = Limits(timeout=5, attempts=2, backoff=0.05, min_interval=0)


def plugin(location: str, **options):
    key = "url" if "://" in location else "path"
    return create(SourceConfig(name="comtrade", plugin="un_comtrade", base_dir=str(REPO), options=options,
                               **{key: location}))


def records() -> list[dict]:
    return json.loads(SAMPLE.read_text())["data"]


def test_sample_loads_annual_totals():
    p = plugin("samples/un_comtrade/usa_jpn_annual_total.json")
    batch = collect(p, p.extract(Fetcher(FAST)))
    assert batch.rejected == [] and batch.frame.schema == TRADE_FLOWS.schema and batch.frame.height == 10
    rows = {(r["flow"], r["period"]): r for r in batch.frame.iter_rows(named=True)}
    assert rows[("export", "2018")]["value_usd"] == 75.2e9 and rows[("import", "2018")]["value_usd"] == 142.4e9
    assert rows[("export", "2023")]["value_usd"] == 75_770_000_000.0
    assert {(r["reporter"], r["partner"], r["period_type"], r["commodity_code"]) for r in rows.values()} == {
        ("USA", "JPN", "year", "TOTAL")}
    assert p.next_cursor(None, batch.frame, batch.fetched)["since"] == "2025"
    assert runpy.run_path(str(SAMPLE.parent / "build_sample.py"))["main"](["--check"]) == 0


def test_live_query_uses_the_key_header_and_never_records_it(httpserver, monkeypatch, caplog):
    monkeypatch.setenv("COMTRADE_API_KEY", SECRET)
    caplog.set_level(logging.DEBUG)
    httpserver.expect_request("/data/v1/get/C/A/HS").respond_with_data(SAMPLE.read_bytes(),
                                                                       content_type="application/json")
    p = plugin(httpserver.url_for("/"), reporter=842, partner=392, since="2023")
    batch = collect(p, p.extract(Fetcher(FAST), cursor=None))
    request = httpserver.log[0][0]
    assert request.headers["Ocp-Apim-Subscription-Key"] == SECRET
    assert request.args["reporterCode"] == "842" and request.args["partnerCode"] == "392"
    assert request.args["period"].split(",")[:2] == ["2023", "2024"] and request.args["flowCode"] == "X,M"
    assert batch.frame.height == 10
    recorded = " ".join([*(f.url for f in batch.fetched), *(json.dumps(dict(f.meta)) for f in batch.fetched),
                         *batch.frame["source_url"].to_list()])
    assert SECRET not in recorded
    assert SECRET not in "\n".join(r.getMessage() for r in caplog.records if r.name != "werkzeug")


def test_without_a_key_the_public_preview_is_used(httpserver, monkeypatch):
    monkeypatch.delenv("COMTRADE_API_KEY", raising=False)
    httpserver.expect_request("/public/v1/preview/C/A/HS").respond_with_data(SAMPLE.read_bytes(),
                                                                             content_type="application/json")
    p = plugin(httpserver.url_for("/"), since="2024")
    assert collect(p, p.extract(Fetcher(FAST))).frame.height == 10
    assert "Ocp-Apim-Subscription-Key" not in httpserver.log[0][0].headers


def test_periods_are_asked_for_at_most_twelve_at_a_time():
    p = plugin("samples/un_comtrade/usa_jpn_annual_total.json", freq="M")
    months = p.periods("2024-11", datetime(2026, 2, 1))
    assert months[:3] == ["202411", "202412", "202501"] and months[-1] == "202602" and len(months) == 16


def test_breakdown_rows_bad_flows_and_error_answers_are_not_loaded():
    base = records()[0]
    data = [base, {**base, "motCode": 1000}, {**base, "flowCode": "FM", "period": "2019"},
            {**base, "primaryValue": "n/a", "period": "2020"}]
    body = json.dumps({"count": 4, "data": data, "error": ""}).encode()
    result = plugin("samples/un_comtrade/usa_jpn_annual_total.json").parse(
        Payload(source="comtrade", url="https://comtradeapi.un.org/x", content=body))
    assert result.frame.height == 1
    reasons = " | ".join(r.reason for r in result.rejected)
    assert "breakdown row" in reasons and "flowCode 'FM'" in reasons and "primaryValue 'n/a'" in reasons
    with pytest.raises(SourceError, match="answered with an error"):
        plugin("samples/un_comtrade/usa_jpn_annual_total.json").parse(Payload(
            source="comtrade", url="https://comtradeapi.un.org/x",
            content=b'{"count": 0, "data": [], "error": "Invalid subscription key"}'))
