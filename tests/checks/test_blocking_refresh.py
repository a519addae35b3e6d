"""A full materialisation where one source carries a planted bad row.

The config extends alliance.yml and points ``exercises_curated`` at a copy of its CSV with one
exercise whose status is 'unknown'. The raw.exercises suite must fail and show why; the dbt models
downstream of raw/exercises must not run; every other source, model and mart must complete; and
``alliance check`` must report the same failure from the command line.
"""

from __future__ import annotations

import csv
import json
import os

import pytest
from dagster import DagsterEventType, DagsterInstance

from orchestration.checks.gate import descendants
from orchestration.cli import main
from orchestration.lib.config import PROJECT_ROOT, load_config

pytestmark = pytest.mark.integration

PLANTED = ["BAD_PLANTED_2020", "Planted bad row", "Keen Sword", "USA;JPN", "Japan", "2020-10-26", "2020-11-05",
           "unknown", "", "planted by tests/checks/test_blocking_refresh.py", "https://example.org/planted"]


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    """(result, definitions, data dir) of one refresh with the planted row, on a persistent instance."""
    from orchestration.definitions import build_definitions

    tmp = tmp_path_factory.mktemp("planted")
    sample = PROJECT_ROOT / "samples" / "reference" / "exercises" / "exercises_2011_onward.csv"
    with open(sample, newline="", encoding="utf-8") as src, open(tmp / "exercises.csv", "w", newline="",
                                                                 encoding="utf-8") as out:
        rows = list(csv.reader(src))
        assert rows[0][7] == "status"
        csv.writer(out).writerows([*rows, PLANTED])
    config = tmp / "planted.yml"
    config.write_text(f"extends: {PROJECT_ROOT / 'alliance.yml'}\nsources:\n"
                      f"  - name: exercises_curated\n    plugin: csv_table\n    path: {tmp / 'exercises.csv'}\n"
                      "    options: {table: exercises, cadence: monthly}\n")
    data = tmp / "data"
    saved = {k: os.environ.get(k) for k in ("ALLIANCE_DATA_DIR", "ALLIANCE_CONFIG", "DAGSTER_HOME")}
    os.environ.update(ALLIANCE_DATA_DIR=str(data), ALLIANCE_CONFIG=str(config), DAGSTER_HOME=str(data / "dagster"))
    try:
        from orchestration.cli.env import prepare_env

        prepare_env()
        defs = build_definitions(load_config(config))
        with DagsterInstance.get() as instance:
            result = defs.resolve_job_def("refresh_all").execute_in_process(instance=instance, raise_on_error=False)
        yield result, defs, data
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def evaluations(result) -> dict[str, object]:
    return {f"{e.event_specific_data.asset_key.to_user_string()}:{e.event_specific_data.check_name}":
            e.event_specific_data for e in result.all_events if e.event_type == DagsterEventType.ASSET_CHECK_EVALUATION}


def materialized(result) -> set[str]:
    return {e.asset_key.to_user_string() for e in result.all_events
            if e.event_type == DagsterEventType.ASSET_MATERIALIZATION}


def test_the_raw_suite_fails_and_shows_why(planted):
    result, _, _ = planted
    ev = evaluations(result)["raw/exercises:gx_raw_exercises"]
    assert not ev.passed and ev.severity.value == "ERROR"
    [status] = [e for e in ev.metadata["failed_expectations"].value
                if e["expectation"] == "expect_column_values_to_be_in_set" and e["column"] == "status"]
    assert status["unexpected_count"] == 1 and status["unexpected_examples"] == ["unknown"]
    assert "| status | ❌ |" in ev.metadata["expectations"].value
    assert "expect_column_values_to_be_in_set(status): 1 unexpected, e.g. ['unknown']" in ev.description
    assert all(ev.passed for key, ev in evaluations(result).items()
               if key.startswith("raw/") and key != "raw/exercises:gx_raw_exercises")


def test_only_the_models_downstream_of_the_bad_table_do_not_run(planted):
    result, defs, _ = planted
    graph = defs.resolve_asset_graph()
    dbt_keys = {k for k in graph.get_all_asset_keys() if k.path[0] in ("staging", "intermediate", "marts")}
    blocked = {k.to_user_string() for k in descendants(graph, [next(k for k in graph.get_all_asset_keys()
                                                                    if k.to_user_string() == "raw/exercises")])}
    done = materialized(result)
    for key in dbt_keys:
        name = key.to_user_string()
        assert (name in done) is (name not in blocked), name
    # the example the issue names, and the marts that depend on everything
    assert {"staging/stg_raw__exercises", "marts/exercise_calendar", "marts/article_context"} <= blocked
    assert {"staging/stg_raw__tariff_actions", "intermediate/int_tariffs_in_force", "marts/trade_monthly",
            "marts/topic_trends"} <= done
    # every source and raw table still loaded, and the enrichment ran
    assert {f"ingest/{s.name}" for s in load_config(PROJECT_ROOT / "alliance.yml").sources} <= done
    assert {"raw/exercises", "raw/tariff_actions", "enrich/article_mentions"} <= done
    # the marts that were built are still checked; the snapshot is not published from partial marts
    ev = evaluations(result)
    assert ev["marts/trade_monthly:gx_marts_trade_monthly"].passed
    assert "marts/exercise_calendar:gx_marts_exercise_calendar" not in ev
    assert "published/warehouse" not in done


def test_data_docs_show_the_failure(planted):
    _, _, data = planted
    index = data / "docs" / "gx" / "index.html"
    assert index.is_file() and "raw.exercises" in index.read_text()
    pages = list((data / "docs" / "gx" / "validations" / "raw" / "exercises").rglob("*.html"))
    assert len(pages) == 1 and "unknown" in pages[0].read_text()


def test_alliance_check_reports_the_failure(planted, capsys, monkeypatch):
    _, _, data = planted
    for k, v in (("ALLIANCE_DATA_DIR", data), ("ALLIANCE_CONFIG", data.parent / "planted.yml"),
                 ("DAGSTER_HOME", data / "dagster")):
        monkeypatch.setenv(k, str(v))
    assert main(["check", "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    suites = {s["suite"]: s for s in report["suites"]}
    assert any("['unknown']" in line for line in suites["raw.exercises"]["failures"])
    # the marts that were never built in this warehouse are reported missing, not silently passed
    never_built = {"marts.article_context", "marts.article_links", "marts.exercise_calendar", "marts.tariff_timeline"}
    assert {name for name, s in suites.items() if not s["passed"]} == {"raw.exercises", *never_built}
    assert all("does not exist" in suites[name]["failures"][0] for name in never_built)
    assert all(f["fresh"] for f in report["freshness"]) and all(v["passed"] for v in report["volume"])
    assert report["failures"] == 5
    assert main(["check", "--suite", "raw.tariff_actions"]) == 0
    out = capsys.readouterr().out
    assert "raw.tariff_actions" in out and "passed" in out and "Data Docs" in out


def test_alliance_check_flags_a_stale_source(planted, capsys, monkeypatch):
    """A load of the commentary whose data was last updated three days ago (what an ingest reports in
    ``dagster/last_updated_timestamp``) makes it stale (daily cadence), as in the Dagster check."""
    import time

    from dagster import AssetKey, AssetMaterialization, MetadataValue

    _, _, data = planted
    for k, v in (("ALLIANCE_DATA_DIR", data), ("ALLIANCE_CONFIG", data.parent / "planted.yml"),
                 ("DAGSTER_HOME", data / "dagster")):
        monkeypatch.setenv(k, str(v))
    with DagsterInstance.get() as instance:
        instance.report_runless_asset_event(AssetMaterialization(AssetKey(["ingest", "commentary"]), metadata={
            "rows_loaded": 21, "dagster/last_updated_timestamp": MetadataValue.timestamp(time.time() - 3 * 86400)}))
    assert main(["check", "--suite", "raw.tariff_actions", "--format", "json"]) == 1
    fresh = {f["source"]: f for f in json.loads(capsys.readouterr().out)["freshness"]}
    assert not fresh["commentary"]["fresh"] and "STALE" in fresh["commentary"]["detail"]
    assert all(f["fresh"] for name, f in fresh.items() if name != "commentary")
