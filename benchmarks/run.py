"""The one command: run P1…P6 and G1, print the table, write the JSON results and BENCHMARKS.md.

    .venv/bin/python -m benchmarks                      # tiny sizes (what CI runs), a few minutes
    nice -n 10 .venv/bin/python -m benchmarks --size full   # the figures in BENCHMARKS.md

Each figure runs in its own process (see common.py), one after the other: they would compete for
the two cores otherwise. A figure that fails is reported as failed and the others still run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.common import ROOT, SIZES, machine
from benchmarks.report import markdown, table

MODULES = ("p1_trade", "p2_articles", "p3_incremental", "p4_refresh", "p5_query", "p6_memory", "g1_gx_scale")
FIGURE_OF = {m: m.split("_")[0].upper() for m in MODULES}  # p1_trade -> P1, g1_gx_scale -> G1


def run_module(module: str, size: str, work: Path) -> tuple[list[dict], str | None]:
    """(figures, error) of one figure module run in its own process."""
    proc = subprocess.run([sys.executable, "-m", f"benchmarks.{module}", "--work", str(work), "--size", size],
                          cwd=ROOT, capture_output=True, text=True, check=False)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("FIGURES ")]
    if proc.returncode != 0 or not lines:
        return [], f"{module} failed (exit {proc.returncode}): {proc.stderr.strip()[-1500:]}"
    return json.loads(lines[-1][len("FIGURES "):]), None


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description="Run the benchmarks P1…P6.")
    p.add_argument("--size", choices=SIZES, default="tiny", help="tiny (CI), small, or full (the published figures)")
    p.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results.json", help="JSON results file")
    p.add_argument("--markdown", type=Path, default=ROOT / "BENCHMARKS.md", help="the report to regenerate")
    p.add_argument("--work", type=Path, help="scratch folder for generated data (default: a temporary one)")
    p.add_argument("--only", help="comma-separated modules, e.g. p1_trade,p6_memory")
    p.add_argument("--update", action="store_true",
                   help="keep the other modules' figures already in --out; replace only those run now")
    args = p.parse_args(argv)
    modules = args.only.split(",") if args.only else MODULES
    unknown = sorted(set(modules) - set(MODULES))
    if unknown:
        p.error(f"unknown module(s) {', '.join(unknown)}; choose from {', '.join(MODULES)}")
    started, load_at_start = time.monotonic(), round(os.getloadavg()[0], 1)
    figures, errors = [], []
    with tempfile.TemporaryDirectory(prefix="alliance-bench-") as tmp:
        work = args.work or Path(tmp)
        for module in modules:
            print(f"running {module} ({args.size}) ...", flush=True)
            stamp = {"ran_at": datetime.now(UTC).isoformat(timespec="seconds"),
                     "load_average_at_start": round(os.getloadavg()[0], 1)}
            got, error = run_module(module, args.size, work)
            figures.extend({**f, **stamp} for f in got)  # with --update, figures come from several runs
            if error:
                errors.append(error)
                print(error, file=sys.stderr)
    if args.update and args.out.exists():
        ran = {FIGURE_OF[m] for m in modules}
        kept = [f for f in json.loads(args.out.read_text(encoding="utf-8"))["figures"] if f["figure"] not in ran]
        figures = sorted(kept + figures, key=lambda f: (not f["id"].startswith("P"), f["id"]))
    results = {"size": args.size, "ran_at": datetime.now(UTC).isoformat(timespec="seconds"),
               "seconds": round(time.monotonic() - started, 1), "load_average_at_start": load_at_start,
               "machine": machine(),
               "figures": figures, "errors": errors}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    args.markdown.write_text(markdown(results), encoding="utf-8")
    print(table(figures))
    print(f"results: {args.out}   report: {args.markdown}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
