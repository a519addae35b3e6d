"""`alliance ui` as a user starts it: a real subprocess on a free port with its own data folder.

Shared by the lifecycle and browser tests. Processes are read from ``/proc`` (Linux, as CI is), so
a test can name every process the UI started and check that each one is gone after it stops.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ALLIANCE = Path(sys.executable).parent / "alliance"
STARTUP_TIMEOUT = 480  # ~16 s on an idle 2-core machine; minutes when other work shares it

LOCATION_QUERY = """
{ workspaceOrError { __typename ... on Workspace { locationEntries {
    name loadStatus
    locationOrLoadError { __typename ... on PythonError { message } }
} } } }
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_is_free(port: int) -> bool:
    """Nothing listens on ``port`` and a server can bind it again (as servers do, with SO_REUSEADDR,
    so connections of ours lingering in TIME_WAIT do not count)."""
    with socket.socket() as s:
        if s.connect_ex(("127.0.0.1", port)) == 0:
            return False
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def graphql(url: str, query: str, variables: dict | None = None, timeout: float = 60) -> dict:
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    req = urllib.request.Request(f"{url}/graphql", data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        doc = json.loads(resp.read())
    assert "errors" not in doc, doc["errors"]
    return doc["data"]


@dataclass(frozen=True)
class Proc:
    pid: int
    ppid: int
    pgid: int
    sid: int
    state: str
    start: int  # clock ticks after boot: tells a reused pid from the original process
    cmd: str = field(compare=False)


def processes() -> dict[int, Proc]:
    out = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:  # exited while we looked
            continue
        rest = stat[stat.rindex(")") + 2:].split()
        out[int(entry.name)] = Proc(int(entry.name), int(rest[1]), int(rest[2]), int(rest[3]), rest[0],
                                    int(rest[19]), cmd[:200])
    return out


def descendants(root: int) -> list[Proc]:
    """``root`` and every process below it, plus anything in the sessions they lead."""
    procs = processes()
    found = {root} if root in procs else set()
    changed = True
    while changed:
        changed = False
        for p in procs.values():
            if p.pid not in found and (p.ppid in found or p.sid in found):
                found.add(p.pid)
                changed = True
    return [procs[pid] for pid in sorted(found)]


def still_running(snapshot: list[Proc]) -> list[Proc]:
    """Processes of ``snapshot`` that still exist (zombies included), or anything in their sessions."""
    sessions = {p.sid for p in snapshot}
    now = processes()
    alive = [now[p.pid] for p in snapshot if p.pid in now and now[p.pid].start == p.start]
    alive += [p for p in now.values() if p.sid in sessions and p not in alive and p.pid != os.getpid()]
    return alive


class UiProcess:
    """``alliance ui --port N`` with ``ALLIANCE_DATA_DIR=data_dir``; output goes to ``log``."""

    def __init__(self, data_dir: Path, log: Path, *, ignore_sigint: bool = False):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.data_dir = data_dir
        self.log = log
        self.seen: set[tuple[int, int]] = set()
        env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}
        env.update(ALLIANCE_DATA_DIR=str(data_dir), PYTHONUNBUFFERED="1")
        # A background job of a non-interactive shell starts with SIGINT ignored (inherited across
        # exec), and `dagster dev` then ignores SIGTERM too: `ignore_sigint` starts it that way.
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if ignore_sigint else None
        try:
            with open(log, "wb") as out:
                # Its own session, as a terminal would give it, so our test process is never signalled.
                self.proc = subprocess.Popen([str(ALLIANCE), "ui", "--port", str(self.port)], env=env,
                                             stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                             start_new_session=True)
        finally:
            if ignore_sigint:
                signal.signal(signal.SIGINT, previous)

    def tail(self, n: int = 60) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])

    def wait_ready(self, timeout: float = STARTUP_TIMEOUT) -> dict:
        """Wait for /server_info and a loaded code location; return the location entry."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, f"alliance ui exited with {self.proc.returncode}:\n{self.tail()}"
            try:
                urllib.request.urlopen(f"{self.url}/server_info", timeout=5).read()
                ws = graphql(self.url, LOCATION_QUERY)["workspaceOrError"]
                entries = ws.get("locationEntries") or []
                if entries and all(e["loadStatus"] == "LOADED" for e in entries):
                    for e in entries:
                        loaded = e["locationOrLoadError"]
                        assert loaded["__typename"] == "RepositoryLocation", f"{e['name']}: {loaded}\n{self.tail()}"
                    return entries[0]
            except OSError:
                pass
            time.sleep(2)
        raise AssertionError(f"alliance ui did not serve {self.url} within {timeout} s:\n{self.tail()}")

    def snapshot(self) -> list[Proc]:
        """Every process the UI runs now (remembered, so cleanup finds them after it exits)."""
        procs = descendants(self.proc.pid)
        self.seen.update((p.pid, p.start) for p in procs)
        return procs

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 90) -> int:
        self.proc.send_signal(sig)
        return self.proc.wait(timeout=timeout)

    def kill_everything(self) -> None:
        """Last resort for a failed test: no process of ours outlives it."""
        now = processes()
        for pid, start in self.seen | {(p.pid, p.start) for p in descendants(self.proc.pid)}:
            if pid in now and now[pid].start == start:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
