"""`alliance refresh` run exactly as a user runs it (its own process, its own process group), and
two ways to kill it with SIGKILL mid-run: at a named crash point inside the process
(``ALLIANCE_CRASH_AT``, see :mod:`orchestration.lib.crashpoints`), or from outside when its output
shows a given line (for dbt and the checks, which run where no crash point can reach).

Also the changed inputs the crash and idempotency tests refresh with: a copy of ``samples/`` in
which every source has changed a little, so "old" and "new" contents differ for every table.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
ALLIANCE = Path(sys.executable).parent / "alliance"


@dataclass
class Outcome:
    returncode: int
    output: str
    killed_on: str | None = None  # the output line that triggered an outside kill

    @property
    def killed(self) -> bool:
        return self.returncode == -signal.SIGKILL


def run_refresh(data_dir: Path, *args: str, config: Path | None = None, crash_at: str | None = None,
                kill_on: tuple[str, int, float] | None = None, timeout: float = 1200) -> Outcome:
    """Run ``alliance refresh *args`` on ``data_dir``; wait for it to end or be killed.

    ``kill_on=(regex, n, delay)`` SIGKILLs the whole process group (the dbt subprocess included)
    ``delay`` seconds after the ``n``-th output line matching ``regex``.
    """
    env = {k: v for k, v in os.environ.items()
           if k not in ("DAGSTER_HOME", "ALLIANCE_CONFIG", "ALLIANCE_CRASH_AT")}
    env.update(ALLIANCE_DATA_DIR=str(data_dir), PYTHONUNBUFFERED="1", COLUMNS="200")
    if config is not None:
        env["ALLIANCE_CONFIG"] = str(config)
    if crash_at is not None:
        env["ALLIANCE_CRASH_AT"] = crash_at
    proc = subprocess.Popen([str(ALLIANCE), "refresh", *args], cwd=REPO, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    watchdog = threading.Timer(timeout, _kill_group, [proc.pid])
    watchdog.start()
    lines: list[str] = []
    killed_on = None
    matches = 0
    try:
        for line in proc.stdout:
            lines.append(line)
            if kill_on and killed_on is None and re.search(kill_on[0], line):
                matches += 1
                if matches == kill_on[1]:
                    time.sleep(kill_on[2])
                    _kill_group(proc.pid)
                    killed_on = line.strip()
        returncode = proc.wait()
    finally:
        watchdog.cancel()
        _kill_group(proc.pid)  # nothing of a finished or killed run may outlive the test
        _wait_until_gone(proc.pid)
    return Outcome(returncode, "".join(lines), killed_on)


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _wait_until_gone(pgid: int, timeout: float = 120) -> None:
    """Wait until no process of the group is alive. A killed dbt child still holds the warehouse's
    lock while the kernel tears it down, and the checks after a kill must see the state it left."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(_in_group(stat, pgid) for stat in Path("/proc").glob("[0-9]*/stat")):
        time.sleep(0.1)


def _in_group(stat: Path, pgid: int) -> bool:
    try:
        state, _ppid, group = stat.read_text().rsplit(")", 1)[1].split()[:3]
    except (OSError, ValueError):
        return False  # the process ended while we looked
    return int(group) == pgid and state not in ("Z", "X")


# The same sources as alliance.yml, each changed a little: (file under samples/, old text, new text).
EDITS = [
    ("commentary/feed.xml", "<title>Implementing The United States–Japan Agreement</title>",
     "<title>Implementing The United States–Japan Agreement (revised)</title>"),
    ("commentary/pages/eastwest_2018-07-26_us-japan-relations.html", "As always, management", "As ever, management"),
    ("census_trade/exports_hs.json", '"5639200000"', '"5639200001"'),
    ("reference/tariffs/tariff_actions.csv", "\nSEC201_SOLAR_2018,Section 201 global safeguard",
     "\nSEC201_SOLAR_2018,Section 201 global safeguard (revised)"),
    ("reference/exercises/exercises_2011_onward.csv", "Computer-simulated command post exercise; about 17,500",
     "Computer-simulated command-post exercise; about 17,500"),
    ("reference/exercises/mme_v7.csv", "mme87,Readex 1-80,", "mme87,Readex 1-80 (revised),"),
    ("reference/trade/us_japan_goods_balance_annual.csv", "\n2016,,,-68.94,", "\n2016,,,-68.95,"),
    ("reference/trade/us_japan_goods_annual_by_sector.csv", "\n2010,us_exports,Forest products,2017,",
     "\n2010,us_exports,Forest products,2018,"),
]
# A record the tariff table must quarantine (its rate is not a number), so raw.quarantine changes too.
BAD_TARIFF_ROW = "CORPUS_BAD_RATE_2018,Bad rate,section_232,USA,JPN,steel,abc,2018-03-08,,,,,https://example.invalid/\n"


def write_changed_inputs(dest: Path) -> Path:
    """Copy ``samples/`` to ``dest`` with :data:`EDITS` applied; return a config that reads the copy."""
    samples = dest / "samples"
    shutil.copytree(REPO / "samples", samples)
    for rel, old, new in EDITS:
        path = samples / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{rel} no longer contains {old!r}: update EDITS"
        path.write_text(text.replace(old, new), encoding="utf-8")
    tariffs = samples / "reference/tariffs/tariff_actions.csv"
    tariffs.write_text(tariffs.read_text(encoding="utf-8").rstrip("\n") + "\n" + BAD_TARIFF_ROW, encoding="utf-8")
    doc = yaml.safe_load((REPO / "alliance.yml").read_text(encoding="utf-8"))
    for source in doc["sources"]:
        if str(source.get("path", "")).startswith("samples/"):
            source["path"] = str(dest / source["path"])
    config = dest / "alliance.yml"
    config.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return config
