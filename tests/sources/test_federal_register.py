"""federal_register: the rebuilt sample, the live search served by a local HTTP server (paging
through next_page_url), stable content hashes, and bad answers quarantined, not loaded."""

from __future__ import annotations

import json
import runpy
from pathlib import Path

import pytest

from sources.contract import Payload, SourceConfig, SourceError
from sources.federal_register.parse import content_hash
from sources.http import Fetcher, Limits
from sources.registry import create
from sources.runner import collect
from sources.tables import POLICY_DOCUMENTS

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "samples" / "federal_register"
FAST = Limits(timeout=5, attempts=2, backoff=0.05, min_interval=0)


def plugin(location: str, **options):
    key = "url" if "://" in location else "path"
    return create(SourceConfig(name="federal_register", plugin="federal_register", base_dir=str(REPO),
                               options=options, **{key: location}))


def page(results, next_url=None) -> bytes:
    body = {"count": len(results), "total_pages": 1, "results": results}
    if next_url:
        body["next_page_url"] = next_url
    return json.dumps(body).encode()


def sample_results() -> list[dict]:
    return [r for n in (1, 2) for r in json.loads((SAMPLE / f"documents_p{n}.json").read_text())["results"]]


def test_sample_pages_load_into_policy_documents():
    p = plugin("samples/federal_register")
    batch = collect(p, p.extract(Fetcher(FAST)))
    assert batch.payloads == 2 and batch.rejected == []  # page 2 found through page 1's next_page_url
    frame = batch.frame
    assert frame.schema == POLICY_DOCUMENTS.schema and frame.height == 10
    steel = frame.filter(frame["document_number"] == "2018-05478").row(0, named=True)
    assert steel["title"] == "Adjusting Imports of Steel Into the United States"
    assert (steel["subtype"], steel["proclamation_number"], steel["citation"]) == ("proclamation", "9705", "83 FR 11625")
    assert (steel["signing_date"].isoformat(), steel["publication_date"].isoformat()) == ("2018-03-08", "2018-03-15")
    assert steel["agencies"] == "Executive Office of the President"
    eo = frame.filter(frame["document_number"] == "2025-17389").row(0, named=True)
    assert (eo["subtype"], eo["executive_order_number"]) == ("executive_order", "14345")
    assert p.next_cursor(None, frame, batch.fetched)["since"] == "2025-09-09"


def test_sample_matches_its_builder():
    build = runpy.run_path(str(SAMPLE / "build_sample.py"))
    assert build["main"](["--check"]) == 0


def test_live_search_pages_through_next_page_url_from_the_cursor(httpserver):
    results = sample_results()
    base = httpserver.url_for("/api/v1")
    second = httpserver.url_for("/api/v1/documents.json") + "?page=2&per_page=6"
    httpserver.expect_ordered_request("/api/v1/documents.json").respond_with_data(
        page(results[:6], second), content_type="application/json; charset=utf-8")
    httpserver.expect_ordered_request("/api/v1/documents.json", query_string="page=2&per_page=6").respond_with_data(
        page(results[6:]), content_type="application/json; charset=utf-8")
    p = plugin(base, since="2017-01-01")
    batch = collect(p, p.extract(Fetcher(FAST), cursor={"since": "2018-03-15"}))
    assert batch.frame.height == 10 and batch.rejected == []
    first = httpserver.log[0][0].args
    assert first["conditions[publication_date][gte]"] == "2018-03-15"  # the cursor, not the option
    assert first.getlist("conditions[presidential_document_type][]") == ["proclamation", "executive_order"]
    assert first["conditions[type][]"] == "PRESDOCU" and first["order"] == "oldest"
    assert "document_number" in first.getlist("fields[]") and "page_views" not in first.getlist("fields[]")
    assert p.next_cursor({"since": "2018-03-15"}, batch.frame, batch.fetched)["since"] == "2025-09-09"


def test_next_page_url_to_another_host_is_refused(httpserver):
    httpserver.expect_request("/api/v1/documents.json").respond_with_data(
        page(sample_results()[:1], "https://elsewhere.example/steal?page=2"), content_type="application/json")
    p = plugin(httpserver.url_for("/api/v1"))
    batch = collect(p, p.extract(Fetcher(FAST)))
    assert batch.frame.height == 1  # the good page still loads
    assert batch.extract_error is not None and "leaves" in str(batch.extract_error)


def test_volatile_fields_do_not_change_the_content_hash():
    doc = sample_results()[0]
    fetched_monday = {**doc, "page_views": {"count": 1204, "last_updated": "2026-11-02T10:00:00-05:00"},
                      "public_inspection_pdf_url": "https://public-inspection.federalregister.gov/2018-05477.pdf?1520945733",
                      "pdf_url": doc["pdf_url"] + "?utm_campaign=subscription&utm_source=federalregister.gov"}
    fetched_tuesday = {**fetched_monday, "page_views": {"count": 1311, "last_updated": "2026-11-03T10:00:00-05:00"},
                       "public_inspection_pdf_url": "https://public-inspection.federalregister.gov/2018-05477.pdf?1521032133"}
    assert content_hash(fetched_monday) == content_hash(fetched_tuesday)
    assert content_hash({**doc, "title": doc["title"] + " (corrected)"}) != content_hash(doc)
    p = plugin("samples/federal_register")
    row = p.parse(Payload(source="federal_register", url="https://www.federalregister.gov/api/v1/documents.json",
                          content=page([fetched_tuesday]))).frame.row(0, named=True)
    assert row["pdf_url"] == doc["pdf_url"] and row["content_sha256"] == content_hash(fetched_monday)


@pytest.mark.parametrize("body, ctype, problem", [
    (b"<!DOCTYPE html><html><body>Service Unavailable</body></html>", "text/html", "text/html body"),
    (b'{"errors": {"conditions": "invalid date"}, "status": 400}', "application/json", "answered with errors"),
    (b"[1, 2]", "application/json", "not an object"),
])
def test_a_body_that_is_not_a_search_response_is_a_source_error(body, ctype, problem):
    p = plugin("samples/federal_register")
    with pytest.raises(SourceError) as err:
        p.parse(Payload(source="federal_register", url="https://x.example/documents.json", content=body, content_type=ctype))
    assert problem in str(err.value) and "https://x.example/documents.json" in str(err.value) and err.value.fix


def test_a_missing_required_field_is_drift_and_a_new_field_is_reported():
    results = sample_results()[:2]
    p = plugin("samples/federal_register")
    renamed = [{("pub_date" if k == "publication_date" else k): v for k, v in r.items()} for r in results]
    with pytest.raises(SourceError, match="schema drift: missing column.*'publication_date'"):
        p.parse(Payload(source="federal_register", url="https://x.example/d.json", content=page(renamed)))
    extra = [{**r, "regulatory_flexibility": "yes"} for r in results]
    result = p.parse(Payload(source="federal_register", url="https://x.example/d.json", content=page(extra)))
    assert result.frame.height == 2
    assert [r.record["column"] for r in result.rejected] == ["regulatory_flexibility"]


def test_sample_passes_the_policy_documents_suite():
    from orchestration.checks.gx_suites import validate_frame

    p = plugin("samples/federal_register")
    outcome = validate_frame(collect(p, p.extract(Fetcher(FAST))).frame.to_pandas(), "raw.policy_documents")
    written = json.loads((REPO / "expectations" / "raw.policy_documents.json").read_text())["expectations"]
    assert outcome.success and outcome.failed == 0 and outcome.evaluated >= len(written)


def test_wrong_content_type_from_the_server_is_archived_and_quarantined_not_loaded(httpserver):
    httpserver.expect_request("/api/v1/documents.json").respond_with_data(
        "<html><body><h1>Scheduled maintenance</h1></body></html>", content_type="text/html; charset=utf-8")
    p = plugin(httpserver.url_for("/api/v1"))
    archived = []
    batch = collect(p, p.extract(Fetcher(FAST)), archive=archived.append)
    assert [a.content_type for a in archived] == ["text/html; charset=utf-8"]  # kept before parsing
    assert batch.frame.height == 0 and batch.payloads_failed == 1 and not batch.usable
    [(sha, rejected)] = batch.rejected
    assert sha == archived[0].sha256 and "text/html body" in rejected.reason
