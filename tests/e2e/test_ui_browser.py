"""The Dagster UI as a data engineer uses it: `alliance ui` in a real headless Chromium.

Every configured source, dbt model and check must be in the code location the UI serves and every
asset must be listed in the asset graph's sidebar; a run of the refresh job launched through the
UI's GraphQL API (the mutation its Materialize button sends) must be dequeued by the daemon and
succeed. The graph is saved to test-artifacts/ (git-ignored) for review.
"""

from __future__ import annotations

import json
import os
import time
import urllib.error
from pathlib import Path

import duckdb
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.e2e.ui_process import UiProcess, graphql

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")  # Debian's, installed by `make install-dev`
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update"]
VIEWPORT = {"width": 2000, "height": 3200}  # the expanded graph is tall: room for legible labels
UI_TIMEOUT_MS = 180_000
RUN_TIMEOUT = 900  # the full refresh takes 1.5-3 min here; generous for a busy CI machine
TERMINAL = {"SUCCESS", "FAILURE", "CANCELED"}
# The graph is the page's tallest SVG; it is in view when none of it lies outside the window.
GRAPH_IN_VIEW = """() => {
    const svg = [...document.querySelectorAll('svg')].reduce((a, b) =>
        a && a.getBoundingClientRect().height >= b.getBoundingClientRect().height ? a : b, null);
    const r = svg.getBoundingClientRect();
    return r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth;
}"""

ASSETS_QUERY = """
{ assetNodes { assetKey { path } groupName
    assetChecksOrError { __typename ... on AssetChecks { checks { name } } } } }
"""
REPOSITORIES_QUERY = """
{ repositoriesOrError { __typename ... on RepositoryConnection {
    nodes { name location { name } jobs { name } } } } }
"""
LAUNCH = """
mutation Launch($params: ExecutionParams!) { launchRun(executionParams: $params) {
    __typename
    ... on LaunchRunSuccess { run { runId status } }
    ... on PythonError { message stack }
    ... on Error { message }
} }
"""
BACKFILL = """
mutation Backfill($params: LaunchBackfillParams!) { launchPartitionBackfill(backfillParams: $params) {
    __typename
    ... on LaunchBackfillSuccess { backfillId }
    ... on PythonError { message stack }
    ... on Error { message }
} }
"""
BACKFILL_QUERY = """
query Backfill($id: String!) { partitionBackfillOrError(backfillId: $id) { __typename
    ... on PartitionBackfill { status runs(limit: 10) { runId status } } } }
"""
BACKFILL_DONE = {"COMPLETED", "COMPLETED_SUCCESS", "COMPLETED_FAILED", "FAILED", "CANCELED"}
RUN_QUERY = """
query Run($id: ID!) { runOrError(runId: $id) { __typename ... on Run { status } } }
"""
EVENTS_QUERY = """
query Events($id: ID!) { logsForRun(runId: $id, limit: 5000) { __typename
    ... on EventConnection { events { __typename
        ... on MessageEvent { message stepKey level }
        ... on ExecutionStepFailureEvent { error { message } }
        ... on RunFailureEvent { error { message } }
    } } } }
"""


@pytest.fixture(scope="module")
def expected(tmp_path_factory):
    """(group, asset name) pairs and check keys of the code location, built in process."""
    from orchestration.definitions import build_definitions
    from orchestration.lib.config import load_config
    from orchestration.lib.dbt_project import ensure_manifest

    old = os.environ.get("ALLIANCE_DATA_DIR")
    os.environ["ALLIANCE_DATA_DIR"] = str(tmp_path_factory.mktemp("expected-data"))
    try:
        graph = build_definitions().resolve_asset_graph()
    finally:
        if old is None:
            os.environ.pop("ALLIANCE_DATA_DIR")
        else:
            os.environ["ALLIANCE_DATA_DIR"] = old
    keys = graph.get_all_asset_keys()
    assets = {"/".join(k.path) for k in keys}
    sources = {f"ingest/{s.name}" for s in load_config().sources}
    manifest = json.loads(ensure_manifest().read_text())
    models = {n["name"] for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    checks = {("/".join(c.asset_key.path), c.name) for c in graph.asset_check_keys}
    # The in-process view must itself be complete, or comparing the UI with it proves little.
    assert sources <= assets, sources - assets
    assert models <= {key.rsplit("/", 1)[-1] for key in assets}, models
    assert any(name.startswith("gx_") for _, name in checks) and len(checks) > len(models)
    return {"assets": assets, "checks": checks, "sources": sources, "models": models,
            "sidebar": {(graph.get(k).group_name, k.path[-1]) for k in keys}}


@pytest.fixture(scope="module")
def ui(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("ui")
    proc = UiProcess(tmp / "data", tmp / "ui.log")
    try:
        proc.wait_ready()
        yield proc
        proc.stop()
    finally:
        proc.kill_everything()


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium; Playwright gives it a fresh, temporary user-data-dir."""
    assert CHROMIUM.is_file(), f"{CHROMIUM} is missing: `make install-dev` installs Debian's chromium"
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def screenshot_asset_graph(browser: Browser, url: str, path: Path) -> list[str]:
    """Save the global asset graph, every group expanded, to ``path``; return the sidebar's names.

    Each call is a new browser context (a first visit), so no state of an earlier visit, such as
    groups already expanded, changes what the clicks below do.
    """
    # What the first-visit "join the community" dialog's Skip button sends: no dialog over the graph.
    graphql(url, "mutation { setNuxSeen }")
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        titles = _expand_asset_graph(page, url)
        path.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(path))
        return titles
    finally:
        context.close()


def _expand_asset_graph(page: Page, url: str) -> list[str]:
    page.goto(f"{url}/asset-groups", wait_until="domcontentloaded", timeout=UI_TIMEOUT_MS)
    page.get_by_text("marts", exact=True).first.wait_for(state="visible", timeout=UI_TIMEOUT_MS)
    rows = page.locator("[class*=AssetSidebarNode_itemContainer]")
    collapsed = rows.locator("[aria-label=arrow_drop_down][style*='rotate(-90deg)']")
    for _ in range(100):  # expanding a group in the sidebar lists its assets
        if not collapsed.count():
            break
        collapsed.first.click()
    zoom_out = page.locator("button:has([aria-label=zoom_out])")
    zoom_out.click()  # puts focus on the graph, whose shortcuts the sidebar would otherwise take
    if "expanded=" not in page.url:  # ⌥E is the graph's "Expand all groups" (its context menu says so)
        page.keyboard.press("Alt+e")
        page.wait_for_function("() => location.search.includes('expanded=')", timeout=UI_TIMEOUT_MS)
    for _ in range(12):  # the expanded graph is tall: zoom out until all of it is in view
        page.wait_for_timeout(500)
        if page.evaluate(GRAPH_IN_VIEW):
            break
        zoom_out.click()
    page.get_by_text("article_context", exact=True).first.wait_for(state="visible", timeout=UI_TIMEOUT_MS)
    page.wait_for_timeout(1500)  # let the layout animation settle before a screenshot
    return rows.locator("[title]").evaluate_all("els => els.map(e => e.title)")


def sidebar_pairs(titles: list[str], groups: set[str]) -> set[tuple[str, str]]:
    pairs, group = set(), None
    for title in titles:
        if title in groups:
            group = title
        else:
            pairs.add((group, title))
    return pairs


def test_ui_serves_every_source_model_and_check(ui, expected):
    nodes = graphql(ui.url, ASSETS_QUERY)["assetNodes"]
    served = {"/".join(n["assetKey"]["path"]) for n in nodes}
    missing = expected["assets"] - served
    assert not missing, f"assets missing from the UI: {sorted(missing)}"
    served_checks = set()
    for n in nodes:
        result = n["assetChecksOrError"]
        assert result["__typename"] == "AssetChecks", result
        served_checks |= {("/".join(n["assetKey"]["path"]), c["name"]) for c in result["checks"]}
    missing_checks = expected["checks"] - served_checks
    assert not missing_checks, f"checks missing from the UI: {sorted(missing_checks)}"


def test_asset_graph_in_chromium_lists_every_asset(ui, expected, browser):
    titles = screenshot_asset_graph(browser, ui.url, ARTIFACTS / "asset-graph.png")
    groups = {group for group, _ in expected["sidebar"]}
    shown = sidebar_pairs(titles, groups)
    missing = expected["sidebar"] - shown
    assert not missing, f"not in the asset graph's sidebar: {sorted(missing)}"
    assert {("ingest", s.split("/", 1)[1]) for s in expected["sources"]} <= shown
    assert (ARTIFACTS / "asset-graph.png").stat().st_size > 50_000


@pytest.mark.timeout(RUN_TIMEOUT + 300)  # our own deadline below fails first, with the run's errors
def test_refresh_launched_from_the_ui_succeeds(ui, browser):
    repos = graphql(ui.url, REPOSITORIES_QUERY)["repositoriesOrError"]
    assert repos["__typename"] == "RepositoryConnection", repos
    repo = next(r for r in repos["nodes"] if any(j["name"] == "refresh_all" for j in r["jobs"]))
    params = {"selector": {"repositoryLocationName": repo["location"]["name"], "repositoryName": repo["name"],
                           "jobName": "refresh_all"},
              "runConfigData": {}, "executionMetadata": {"tags": [{"key": "launched_by", "value": "test_ui_browser"}]}}
    launched = graphql(ui.url, LAUNCH, {"params": params})["launchRun"]
    assert launched["__typename"] == "LaunchRunSuccess", launched
    run_id = launched["run"]["runId"]

    # `dagster dev` queues runs (QueuedRunCoordinator): only its daemon starts them.
    seen, status, deadline = [], None, time.monotonic() + RUN_TIMEOUT
    while time.monotonic() < deadline:
        try:
            status = graphql(ui.url, RUN_QUERY, {"id": run_id})["runOrError"]["status"]
        except (TimeoutError, urllib.error.URLError):  # a webserver busy with the run answers late
            time.sleep(3)
            continue
        if not seen or seen[-1] != status:
            seen.append(status)
        if status in TERMINAL:
            break
        time.sleep(3)
    assert status == "SUCCESS", f"run {run_id} went {' -> '.join(seen)}:\n{_errors(ui, run_id)}"

    with duckdb.connect(str(ui.data_dir / "published" / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from marts.article_context").fetchall()[0][0] > 0

    # The same graph, every asset now materialised.
    screenshot_asset_graph(browser, ui.url, ARTIFACTS / "asset-graph-after-refresh.png")


@pytest.mark.timeout(RUN_TIMEOUT + 300)
def test_article_days_backfilled_from_the_ui(ui):
    """The Materialize dialog's backfill: three publication days of articles, run by the daemon."""
    days = ["2018-07-25", "2018-07-26", "2018-07-27"]  # the seed article was published on the 26th
    params = {"assetSelection": [{"path": ["ingest", "commentary"]}], "partitionNames": days,
              "tags": [{"key": "launched_by", "value": "test_ui_browser"}]}
    launched = graphql(ui.url, BACKFILL, {"params": params})["launchPartitionBackfill"]
    assert launched["__typename"] == "LaunchBackfillSuccess", launched
    started = time.time()

    backfill, deadline = None, time.monotonic() + RUN_TIMEOUT
    while time.monotonic() < deadline:
        try:
            backfill = graphql(ui.url, BACKFILL_QUERY, {"id": launched["backfillId"]})["partitionBackfillOrError"]
        except (TimeoutError, urllib.error.URLError):
            time.sleep(3)
            continue
        if backfill.get("status") in BACKFILL_DONE and all(r["status"] in TERMINAL for r in backfill["runs"]):
            break
        time.sleep(3)
    assert backfill and backfill["status"] in {"COMPLETED", "COMPLETED_SUCCESS"}, backfill
    assert [r["status"] for r in backfill["runs"]] == ["SUCCESS"]  # one run for the range (single_run policy)

    with duckdb.connect(str(ui.data_dir / "warehouse.duckdb"), read_only=True) as con:
        reloaded = con.execute("select published_on::varchar from raw.articles where epoch(loaded_at) >= ?",
                               [started - 1]).fetchall()
    assert reloaded == [("2018-07-26",)]  # only the article of those days was reloaded


def _errors(ui: UiProcess, run_id: str) -> str:
    events = graphql(ui.url, EVENTS_QUERY, {"id": run_id})["logsForRun"].get("events", [])
    lines = [f"{e.get('stepKey')}: {e.get('message') or (e.get('error') or {}).get('message')}"
             for e in events if e.get("level") == "ERROR" or "Failure" in e["__typename"]]
    return "\n".join(lines[-20:]) or ui.tail()
