"""`alliance ui`: the Dagster webserver and daemon."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from orchestration.cli.env import prepare_env


def cmd_ui(args: argparse.Namespace) -> int:
    """Run ``dagster dev`` (webserver + daemon, so the schedule runs) in its own process group.

    Started from a script, ``dagster dev`` ignores SIGINT/SIGTERM; we run it in a new session and
    forward the signal to the whole group, so stopping ``alliance ui`` leaves no stray processes.
    """
    import signal
    import subprocess

    prepare_env()
    from orchestration.lib.config import PROJECT_ROOT

    exe = Path(sys.executable).parent / "dagster"
    cmd = [str(exe if exe.exists() else "dagster"), "dev", "-m", "orchestration.definitions",
           "-h", args.host, "-p", str(args.port)]
    print(f"Dagster UI on http://{args.host}:{args.port} (DAGSTER_HOME={os.environ['DAGSTER_HOME']}); Ctrl-C stops it.",
          flush=True)
    proc = subprocess.Popen(cmd, cwd=PROJECT_ROOT, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))

    def stop(signum, _frame):
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        code = proc.wait()
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
    return 0 if code in (0, -signal.SIGTERM, -signal.SIGINT) else code


def register(sub) -> None:
    u = sub.add_parser("ui", help="start the Dagster webserver and daemon")
    u.add_argument("--port", type=int, default=3000)
    u.add_argument("--host", default="127.0.0.1")
    u.set_defaults(func=cmd_ui)
