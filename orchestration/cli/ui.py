"""`alliance ui`: the Dagster webserver and daemon, stopped without leaving a process behind."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from orchestration.cli.env import prepare_env

# `dagster dev` gives the webserver and the daemon 60 s each to stop; they need a few seconds here.
GRACE_SECONDS = 45
KILL_AFTER_SECONDS = 10


def cmd_ui(args: argparse.Namespace) -> int:
    """Run ``dagster dev`` (webserver + daemon, so the schedule runs) in a session of its own.

    Started from a script, ``dagster dev`` inherits an ignored SIGINT and then ignores SIGTERM too
    (it maps SIGTERM onto SIGINT's handler). Our handlers are installed before it starts, and exec
    resets handled signals to their defaults, so it starts with SIGINT live whatever our parent
    ignored. Its own session keeps a terminal's Ctrl-C from reaching its children directly: we
    forward one SIGINT to ``dagster dev``, which shuts the webserver, daemon and code servers down
    in order, then make sure nothing of the session is left (SIGTERM, then SIGKILL, after bounds).
    """
    prepare_env()
    from orchestration.lib.config import PROJECT_ROOT

    bin_dir = Path(sys.executable).parent
    exe = bin_dir / "dagster"
    cmd = [str(exe if exe.exists() else "dagster"), "dev", "-m", "orchestration.definitions",
           "-h", args.host, "-p", str(args.port)]
    # Under `dagster dev`, dagster-dbt parses the project with the `dbt` found on PATH: make it
    # this environment's, even when the virtualenv is not activated.
    env = {**os.environ, "PATH": os.pathsep.join([str(bin_dir), os.environ.get("PATH", "")])}
    print(f"Dagster UI on http://{args.host}:{args.port} (DAGSTER_HOME={os.environ['DAGSTER_HOME']}); "
          "Ctrl-C stops it.", flush=True)
    stopping: list[int] = []
    started: list[subprocess.Popen] = []

    def forward(signum, _frame):
        if not stopping:
            stopping.append(signum)
            for proc in started:
                _signal_leader(proc, signal.SIGINT)

    previous = {s: signal.signal(s, forward) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    try:
        proc = subprocess.Popen(cmd, cwd=PROJECT_ROOT, env=env, start_new_session=True)
        started.append(proc)
        if stopping:  # asked to stop while it was starting
            _signal_leader(proc, signal.SIGINT)
        code = proc.wait()
    finally:
        for proc in started:
            _signal_leader(proc, signal.SIGINT)  # no-op once it has exited; covers an exception above
            _stop_session(proc)
        for s, handler in previous.items():
            signal.signal(s, handler)
    if stopping:
        print("Dagster UI stopped.", flush=True)
        return 0
    return code


def _signal_leader(proc: subprocess.Popen, sig: int) -> None:
    if proc.poll() is None:
        proc.send_signal(sig)


def _stop_session(proc: subprocess.Popen) -> None:
    """Wait for ``dagster dev`` and everything in its process group, escalating after each bound."""
    try:
        proc.wait(timeout=GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        pass
    for sig, bound in ((None, KILL_AFTER_SECONDS), (signal.SIGTERM, KILL_AFTER_SECONDS), (signal.SIGKILL, 5)):
        if sig is not None:
            _killpg(proc.pid, sig)
        if _wait_group_empty(proc, bound):
            return
    print(f"alliance ui: processes of group {proc.pid} survived SIGKILL; check `ps -g {proc.pid}`",
          file=sys.stderr)


def _wait_group_empty(proc: subprocess.Popen, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while True:
        proc.poll()  # reap the leader so it does not linger as a zombie in the group
        if not _killpg(proc.pid, 0):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.2)


def _killpg(pgid: int, sig: int) -> bool:
    """Send ``sig`` to the group; False once the group has no process left."""
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        return False
    return True


def register(sub) -> None:
    u = sub.add_parser("ui", help="start the Dagster webserver and daemon")
    u.add_argument("--port", type=int, default=3000)
    u.add_argument("--host", default="127.0.0.1")
    u.set_defaults(func=cmd_ui)
