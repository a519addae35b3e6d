"""`alliance replay <source>`: parse the landing archive into the raw table again, offline.

Why: a parser fix, a schema change or a wiped table should not need the network (or the source to
still publish what it published then). Every payload was archived with its URL, time, status,
content type and sha256 before it was parsed, so the same rows can be rebuilt from the same bytes.

By default each URL's latest successfully fetched payload is replayed (a URL whose every fetch
failed replays its latest failure, which is quarantined again); ``--all`` replays every archived
version in the order it was fetched. Cursors are left alone: replay adds nothing new.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from orchestration.cli.env import prepare_env
from sources.contract import FETCH_ERROR_TYPE, Payload, Rejected, SourcePlugin


def archived_payloads(warehouse: Any, source: str, *, all_versions: bool = False) -> list[dict[str, Any]]:
    """The landing rows of ``source`` to replay, oldest first."""
    with warehouse.connect(read_only=True) as con:
        rows = con.execute(
            """select payload_sha256, url, fetched_at, http_status, content_type, meta::varchar, archive_path
               from landing.payloads where source = ? order by fetched_at, url""", [source]).fetchall()
    entries = [dict(zip(("sha256", "url", "fetched_at", "status", "content_type", "meta", "path"), r)) for r in rows]
    if all_versions:
        return entries
    latest: dict[str, dict[str, Any]] = {}
    for e in entries:  # oldest first: later rows win, but a failure never hides a success
        failed = e["content_type"] == FETCH_ERROR_TYPE
        previous = latest.get(e["url"])
        if not failed or previous is None or previous["content_type"] == FETCH_ERROR_TYPE:
            latest[e["url"]] = e
    return sorted(latest.values(), key=lambda e: (e["fetched_at"], e["url"]))


def replay_source(plugin: SourcePlugin, warehouse: Any, *, all_versions: bool = False) -> dict[str, Any]:
    """Parse the archived payloads of ``plugin``'s source and merge them into its raw table."""
    from sources.runner import collect

    entries = archived_payloads(warehouse, plugin.name, all_versions=all_versions)
    unreadable: list[tuple[str | None, Rejected]] = []

    def payloads() -> Iterator[Payload]:
        for e in entries:
            content = _read(Path(e["path"]))
            if content is None or hashlib.sha256(content).hexdigest() != e["sha256"]:
                problem = "is missing" if content is None else "does not match its sha256"
                unreadable.append((e["sha256"], Rejected({"url": e["url"], "archive_path": e["path"]},
                                                         f"replay: the archived payload {problem}")))
                continue
            yield Payload(source=plugin.name, url=e["url"], content=content, content_type=e["content_type"],
                          status=e["status"] or 0, fetched_at=e["fetched_at"], meta=json.loads(e["meta"] or "{}"))

    batch = collect(plugin, payloads())
    rejected = batch.rejected + unreadable
    stats = warehouse.load(table=plugin.table, key=plugin.key, schema=plugin.schema, source=plugin.name,
                           frame=batch.frame, rejected=rejected)
    return {"archived": len(entries), "replayed": batch.payloads, "unreadable": len(unreadable),
            "payloads_failed": batch.payloads_failed, "rows_loaded": stats.rows_in, "rows_new": stats.rows_inserted,
            "rows_replaced": stats.rows_replaced, "records_rejected": len(rejected),
            "rows_quarantined": stats.quarantined, "rows_in_table": stats.rows_in_table}


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def cmd_replay(args: argparse.Namespace) -> int:
    d = prepare_env()
    from orchestration.lib.config import load_config
    from orchestration.lib.warehouse import Warehouse
    from sources import registry
    from sources.contract import SourceError

    wh = Warehouse(d)
    if not wh.path.exists():
        print(f"alliance replay: no warehouse at {wh.path}: run `alliance refresh` first", file=sys.stderr)
        return 2
    try:
        plugin = registry.create(load_config().source(args.source))
        result = replay_source(plugin, wh, all_versions=args.all)
    except SourceError as exc:
        print(f"alliance replay: {exc}", file=sys.stderr)
        return 2
    if result["archived"] == 0:
        print(f"alliance replay: nothing archived for source '{args.source}' in {wh.landing_dir}; "
              "run `alliance refresh` first", file=sys.stderr)
        return 1
    print(f"Replayed {result['replayed']} of {result['archived']} archived payloads of '{args.source}' into "
          f"raw.{plugin.table}: {result['rows_loaded']} rows ({result['rows_new']} new, {result['rows_replaced']} "
          f"replaced), {result['records_rejected']} records quarantined, {result['unreadable']} unreadable. "
          "Run `alliance refresh --select 'group:raw+'` to rebuild the models and publish.")
    return 0 if result["rows_loaded"] or not result["records_rejected"] else 1


def register(sub) -> None:
    r = sub.add_parser("replay", help="parse a source's landing archive into its raw table again, without the network")
    r.add_argument("source", help="the configured source name (see `alliance sources`)")
    r.add_argument("--all", action="store_true", help="replay every archived version, not only each URL's latest")
    r.set_defaults(func=cmd_replay)
