"""What every figure shares: the size presets, a figure record, timers, peak memory, the machine.

Each figure module (``p1_trade`` … ``p6_memory``) is run by the harness in its own process, so a
10-million-row run cannot leave memory behind that slows the next figure, and so peak resident
memory (P6) belongs to one measurement only.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Size:
    """How big each figure's data is. ``tiny`` keeps the harness working in CI; ``full`` is the claim."""

    name: str
    trade_rows: int          # P1 vs DuckDB read_json (Census JSON rows)
    dlt_rows: int            # P1 vs dlt (same file for both sides)
    articles: int            # P2 pipeline throughput
    link_articles: int       # P2 linking cost, 100 vs 10,000 aliases
    incremental_articles: int  # P3 feed size before the 1% arrives
    query_articles: int      # P5 rows in marts.article_context
    queries: int             # P5 timed queries
    memory_rows: int         # P6 ingest
    gx_rows: int             # G1 Great Expectations validation of raw.trade_flows


SIZES = {
    "tiny": Size("tiny", 2_000, 2_000, 40, 20, 200, 2_000, 30, 20_000, 20_000),
    "small": Size("small", 200_000, 50_000, 1_000, 200, 1_000, 100_000, 100, 200_000, 1_000_000),
    "full": Size("full", 10_000_000, 1_000_000, 2_000, 200, 1_000, 1_000_000, 200, 2_000_000, 10_000_000),
}


@dataclass
class Figure:
    """One row of the results table. ``ratio`` is value/baseline, measured in the same run."""

    id: str                   # P1a, P1b, ...
    figure: str               # P1 … P6
    name: str
    value: float
    unit: str
    goal: str                 # human form, e.g. ">= 0.5x"
    met: bool | None
    baseline: float | None = None
    baseline_name: str | None = None
    ratio: float | None = None
    notes: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """(seconds, result) of one call."""
    t0 = time.perf_counter()
    result = fn()
    return time.perf_counter() - t0, result


def rss_bytes(field_name: str = "VmRSS") -> int:
    """Resident memory of this process now (VmRSS) or at its peak so far (VmHWM), from /proc."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith(field_name + ":"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"/proc/self/status has no {field_name}: peak memory needs Linux")


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            cpu = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), cpu)
    except OSError:
        pass
    mem = 0
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            mem = int(next(line.split()[1] for line in fh if line.startswith("MemTotal"))) * 1024
    except (OSError, StopIteration):
        pass
    import duckdb
    import polars

    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(mem / 2**30, 1),
            "load_average_1m": round(os.getloadavg()[0], 1),  # the machine is shared: was it busy?
            "os": platform.platform(), "python": sys.version.split()[0],
            "duckdb": duckdb.__version__, "polars": polars.__version__}


def emit(figures: list[Figure]) -> None:
    """A figure module's output: its figures as one JSON line on stdout, read by the harness."""
    print("FIGURES " + json.dumps([f.as_dict() for f in figures]), flush=True)


def figure_main(doc: str, name: str, measure: Callable[[Path, Size], list[Figure]]) -> None:
    """The command line every figure module shares: ``--work DIR --size {tiny,small,full}``."""
    import argparse

    p = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    p.add_argument("--work", type=Path, required=True)
    p.add_argument("--size", choices=SIZES, default="tiny")
    args = p.parse_args()
    emit(measure(args.work / name, SIZES[args.size]))


def fresh(folder: Path) -> Path:
    """An empty folder (removed first if a previous run left it)."""
    import shutil

    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    return folder
