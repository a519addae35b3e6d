"""`alliance report`: write the timeline (HTML and PNG) from the published snapshot, say where it is.

It reads the snapshot analysts query, so it never waits for (or blocks) a refresh. The dbt docs
site is built by every refresh (asset ``reports/dbt_docs``); this command says where it is.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from orchestration.cli.env import prepare_env


def cmd_report(args: argparse.Namespace) -> int:
    d = prepare_env()
    from orchestration.assets.report import docs_dir, reports_dir
    from orchestration.lib.config import load_config
    from orchestration.lib.warehouse import Warehouse
    from orchestration.reports import write_timeline

    db = Path(args.database) if args.database else Warehouse(d).published_path
    out = Path(args.out) if args.out else reports_dir(d)
    try:
        files = write_timeline(db, out, load_config().relationship.name)
    except FileNotFoundError as exc:
        print(f"alliance report: {exc}", file=sys.stderr)
        return 2
    print(f"Timeline of {files.articles} articles, {files.tariff_actions} tariff actions and agreements, "
          f"{files.trade_periods} trade periods (from {db}):")
    print(f"  {files.html}   open in a browser; hover for details")
    print(f"  {files.png}")
    docs = docs_dir(d) / "static_index.html"
    if docs.exists():
        print(f"dbt docs: {docs}   open in a browser (no server needed)")
    else:
        print("dbt docs: not built yet; `alliance refresh` builds them (asset reports/dbt_docs)")
    return 0


def register(sub) -> None:
    r = sub.add_parser("report", help="write the timeline report (HTML and PNG) and say where it is")
    r.add_argument("--database", help="read this DuckDB file instead of the published snapshot")
    r.add_argument("--out", help="folder for timeline.html and timeline.png (default ALLIANCE_DATA_DIR/reports)")
    r.set_defaults(func=cmd_report)
