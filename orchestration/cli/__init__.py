"""The ``alliance`` command line. One module per command; each has a ``register(subparsers)``.

Every command works on ``ALLIANCE_DATA_DIR`` (default ``./data``) and the config in
``ALLIANCE_CONFIG`` (default ``alliance.yml``). Run ``alliance <command> --help`` for options.
"""

from __future__ import annotations

import argparse
import sys

from orchestration.cli import check, refresh, replay, report, sources, sql, ui

COMMANDS = [refresh, replay, check, sql, sources, ui, report]


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="alliance", description="Alliance Warehouse: commentary joined with its trade and security context.")
    sub = p.add_subparsers(dest="command", required=True)
    for module in COMMANDS:
        module.register(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from orchestration.lib.config import ConfigError

    try:
        return args.func(args)
    except ConfigError as exc:  # a setting the user can fix: say which, without a traceback
        print(f"alliance {args.command}: {exc}", file=sys.stderr)
        return 2
