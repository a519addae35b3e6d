"""P6: peak resident memory of a 2-million-row trade ingest vs the size of its payload.

The ingest is P1's plugin path (:func:`orchestration.assets.ingest.run_source` on a
``census_trade`` source). It runs in a child process that first imports everything and ingests the
bundled sample once, so the figure is the growth of the peak (``VmHWM``) over the resident memory
of a warmed-up process: what the rows cost, not what the libraries cost. The payload is the two
response files' bytes.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from benchmarks.common import ROOT, SIZES, Figure, emit, fresh, rss_bytes
from benchmarks.generate import write_census


def child(census_dir: Path, data_dir: Path) -> None:
    """Runs in its own process: warm up, then ingest, then report memory as JSON."""
    from benchmarks.p1_trade import ingest_with_plugin

    ingest_with_plugin(ROOT / "samples" / "census_trade", data_dir / "warm")
    base = rss_bytes()
    rows = ingest_with_plugin(census_dir, data_dir / "run")
    print(json.dumps({"rows": rows, "base": base, "peak": rss_bytes("VmHWM")}))


def measure(work: Path, rows: int) -> list[Figure]:
    census = fresh(work / "census")
    payload = write_census(census, rows)
    proc = subprocess.run([sys.executable, "-m", "benchmarks.p6_memory", "--child", str(census), str(work / "data")],
                          cwd=ROOT, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"P6 child failed:\n{proc.stderr[-3000:]}")
    m = json.loads(proc.stdout.strip().splitlines()[-1])
    growth = m["peak"] - m["base"]
    ratio = growth / payload
    return [Figure(
        id="P6", figure="P6", name=f"peak memory of a {rows:,}-row trade ingest vs payload size",
        value=growth / 1e6, unit="MB", baseline=payload / 1e6, baseline_name="payload, MB", ratio=ratio,
        goal="<= 2x", met=ratio <= 2,
        notes=f"peak RSS growth over a warmed-up process ({m['base'] / 1e6:,.0f} MB before the ingest)",
        details={"rows": m["rows"], "peak_bytes": m["peak"], "base_bytes": m["base"], "payload_bytes": payload})]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--work", type=Path)
    p.add_argument("--size", choices=SIZES, default="tiny")
    p.add_argument("--child", nargs=2, type=Path, metavar=("CENSUS_DIR", "DATA_DIR"), help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        child(*args.child)
    else:
        emit(measure(args.work / "p6", SIZES[args.size].memory_rows))


if __name__ == "__main__":
    main()
