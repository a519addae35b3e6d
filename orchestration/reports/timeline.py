"""Write the timeline report (``timeline.html`` and ``timeline.png``) from a warehouse file."""

from __future__ import annotations

import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

from .timeline_chart import DPI, draw_timeline
from .timeline_data import TimelineData, read_timeline_data
from .timeline_html import page, svg_with_hover

PREVIEW_DPI = 50  # the copy shown in the Dagster UI: half size, a fraction of the bytes


@dataclass(frozen=True)
class TimelineFiles:
    html: Path
    png: Path
    preview_png: bytes
    articles: int
    tariff_actions: int
    exercises: int
    trade_periods: int


def write_timeline(database: Path, out_dir: Path, relationship: str = "US–Japan") -> TimelineFiles:
    """Read ``database`` (read-only) and write the report into ``out_dir``, replacing old files atomically."""
    if not Path(database).exists():
        raise FileNotFoundError(f"no warehouse at {database}: run `alliance refresh` first")
    with duckdb.connect(str(database), read_only=True) as con:
        data = read_timeline_data(con)
    return render_timeline(data, out_dir, relationship, source=str(database))


def render_timeline(data: TimelineData, out_dir: Path, relationship: str, source: str) -> TimelineFiles:
    title = f"{relationship}: commentary, tariffs, exercises and trade"
    fig, hover = draw_timeline(data, title)
    out_dir.mkdir(parents=True, exist_ok=True)
    png = io.BytesIO()
    fig.savefig(png, format="png", dpi=DPI, metadata={"Software": None})
    preview = io.BytesIO()
    fig.savefig(preview, format="png", dpi=PREVIEW_DPI, metadata={"Software": None})
    html_text = page(title, svg_with_hover(fig, hover), data, source)
    html_path, png_path = out_dir / "timeline.html", out_dir / "timeline.png"
    _replace(png_path, png.getvalue())
    _replace(html_path, html_text.encode("utf-8"))
    return TimelineFiles(html=html_path, png=png_path, preview_png=preview.getvalue(),
                         articles=data.articles.height, tariff_actions=data.tariffs.height,
                         exercises=data.exercises.height, trade_periods=data.trade.height)


def _replace(path: Path, content: bytes) -> None:
    """Write next to the target and rename, so a reader never sees half a file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "wb") as fh:
        fh.write(content)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)
