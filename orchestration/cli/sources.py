"""`alliance sources`: installed plugins and configured sources."""

from __future__ import annotations

import argparse


def cmd_sources(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from orchestration.lib.config import load_config
    from sources import registry

    console = Console()
    plugins = registry.installed_plugins()
    t = Table(title="Installed source plugins (entry point group alliance_warehouse.sources)")
    for c in ("plugin", "class", "cadence"):
        t.add_column(c)
    for name, cls in sorted(plugins.items()):
        t.add_row(name, f"{cls.__module__}.{cls.__qualname__}", cls.cadence)
    console.print(t)
    config = load_config()
    t = Table(title=f"Configured sources ({config.path})")
    for c in ("name", "plugin", "table", "location"):
        t.add_column(c, overflow="fold")
    for s in config.sources:
        try:
            table = f"raw.{registry.create(s).table}"
        except Exception as exc:  # noqa: BLE001 - a broken source is reported, not fatal for listing
            table = f"error: {exc}"
        t.add_row(s.name, s.plugin, table, s.location)
    console.print(t)
    return 0


def register(sub) -> None:
    so = sub.add_parser("sources", help="list installed plugins and configured sources")
    so.set_defaults(func=cmd_sources)
