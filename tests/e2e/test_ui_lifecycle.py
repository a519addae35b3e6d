"""`alliance ui` starts the webserver and daemon with its instance under ALLIANCE_DATA_DIR, and stops
on SIGTERM (a service manager) or SIGINT (Ctrl-C) with exit 0, no process left and its port free."""

from __future__ import annotations

import signal
import time

import pytest

from orchestration.cli.env import MANAGED_HEADER
from tests.e2e.ui_process import UiProcess, port_is_free, still_running

# `dagster dev` stops the webserver and the daemon in turn; each needs a few seconds once up.
STOP_BOUND_SECONDS = 60


@pytest.mark.parametrize(("sig", "ignore_sigint"), [(signal.SIGTERM, True), (signal.SIGINT, False)],
                         ids=["SIGTERM-to-a-background-job", "SIGINT-Ctrl-C"])
def test_ui_starts_and_stops_without_stray_processes(tmp_path, sig, ignore_sigint):
    ui = UiProcess(tmp_path / "data", tmp_path / "ui.log", ignore_sigint=ignore_sigint)
    try:
        ui.wait_ready()
        running = ui.snapshot()
        commands = "\n".join(p.cmd for p in running)
        assert "dagster_webserver" in commands and "dagster._daemon" in commands, commands

        home = tmp_path / "data" / "dagster"
        assert (home / "dagster.yaml").read_text().startswith(MANAGED_HEADER)
        assert (home / "history" / "runs.db").is_file(), sorted(p.name for p in home.rglob("*"))
        assert (home / "schedules" / "schedules.db").is_file()

        asked = time.monotonic()
        assert ui.stop(sig, timeout=STOP_BOUND_SECONDS) == 0, ui.tail()
        while still_running(running) and time.monotonic() - asked < STOP_BOUND_SECONDS:
            time.sleep(0.5)
        left = still_running(running)
        assert not left, f"still running {time.monotonic() - asked:.0f} s after {sig.name}: {left}\n{ui.tail()}"
        assert port_is_free(ui.port)
        log = ui.log.read_text(errors="replace")
        assert "Dagster services shut down." in log, "dagster dev was killed instead of shutting down:\n" + ui.tail()
        assert "Dagster UI stopped." in ui.tail(5)
    finally:
        ui.kill_everything()
