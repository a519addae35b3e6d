"""P4: ``alliance refresh`` on the bundled sample, wall time, as a user runs it.

A fresh data folder, the default config (``alliance.yml`` on ``samples/``), the installed console
script in a subprocess: Dagster start-up, every source, enrichment, dbt, Great Expectations checks
and the published snapshot are all inside the figure.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from benchmarks.common import ROOT, Figure, figure_main, fresh, timed


def measure(work: Path) -> list[Figure]:
    data = fresh(work / "data")
    env = {k: v for k, v in os.environ.items() if k not in ("ALLIANCE_CONFIG", "DAGSTER_HOME")}
    env["ALLIANCE_DATA_DIR"] = str(data)
    alliance = Path(sys.executable).parent / "alliance"
    seconds, proc = timed(lambda: subprocess.run([str(alliance), "refresh"], cwd=ROOT, env=env, check=False,
                                                 capture_output=True, text=True))
    (work / "refresh.log").write_text(proc.stdout + proc.stderr, encoding="utf-8")
    tail = [line for line in proc.stdout.splitlines() if "Checks passed" in line]
    return [Figure(
        id="P4", figure="P4", name="alliance refresh on the bundled sample (wall time)", value=seconds,
        unit="s", goal="<= 30 s", met=seconds <= 30,
        notes=(tail[0].strip() if tail else "no summary line") + f"; exit code {proc.returncode}",
        details={"exit_code": proc.returncode, "log": str(work / "refresh.log")})]


def main() -> None:
    figure_main(__doc__, "p4", lambda work, s: measure(work))


if __name__ == "__main__":
    main()
