"""Manual uploads: files dropped into ``ALLIANCE_DATA_DIR/inbox/<source>/``.

An analyst drops an article page (HTML) or a CSV table into the folder of the source it belongs
to; the inbox sensor starts a refresh, and that source's ingest step reads each new file as one
more payload (archived like any other, parsed by the same plugin). A file that loaded is moved to
``inbox/<source>/done/``; one that could not be parsed stays in the landing archive and
``raw.quarantine`` with the reason, and moves to ``done/`` too, so it is not retried forever.
"""

from __future__ import annotations

import mimetypes
import os
from pathlib import Path
from typing import Iterator

from sources.contract import Payload

DONE = "done"


def inbox_dir(data_dir: Path, source: str) -> Path:
    return Path(data_dir) / "inbox" / source


def pending_files(data_dir: Path, source: str) -> list[Path]:
    """Files waiting in a source's inbox, oldest first (hidden and partial files skipped)."""
    folder = inbox_dir(data_dir, source)
    if not folder.is_dir():
        return []
    files = [p for p in folder.iterdir() if p.is_file() and not p.name.startswith((".", "~")) and not p.name.endswith(".part")]
    return sorted(files, key=lambda p: (p.stat().st_mtime, p.name))


def inbox_payloads(data_dir: Path, source: str) -> Iterator[tuple[Path, Payload]]:
    """One payload per pending file. HTML files are article pages (``meta.kind = page``)."""
    for path in pending_files(data_dir, source):
        ctype, _ = mimetypes.guess_type(path.name)
        kind = "page" if path.suffix.lower() in (".html", ".htm") else "file"
        yield path, Payload(source=source, url=path.resolve().as_uri(), content=path.read_bytes(),
                            content_type=ctype, meta={"kind": kind, "inbox_file": path.name,
                                                      "link": path.resolve().as_uri()})


def mark_done(path: Path) -> Path:
    target_dir = path.parent / DONE
    target_dir.mkdir(exist_ok=True)
    target = target_dir / path.name
    os.replace(path, target)
    return target
