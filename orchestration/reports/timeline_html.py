"""The timeline as one self-contained HTML page: inline SVG with native hover text, no script.

Hover text is an SVG ``<title>`` inside each marker's group, which every browser shows as a
tooltip without JavaScript, a CDN or the network. All text that comes from the data (article
titles, URLs, names) is escaped: by ElementTree inside the SVG and by :func:`html.escape` in the
table, and only http(s) URLs become links.
"""

from __future__ import annotations

import html
import io
from datetime import UTC, datetime
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

import defusedxml.ElementTree as SafeET
from matplotlib.figure import Figure

from .timeline_data import TimelineData

SVG_NS = "http://www.w3.org/2000/svg"
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")

STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 1.5rem auto; max-width: 1440px; color: #222; }
svg { width: 100%; height: auto; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { border-bottom: 1px solid #ddd; padding: 4px 6px; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.note { color: #555; font-size: 12px; }
"""


def svg_with_hover(fig: Figure, hover: dict[str, str]) -> str:
    """The figure as an SVG element string, with a <title> in every group that has hover text."""
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", metadata={"Date": None})
    root = SafeET.fromstring(buf.getvalue())
    for group in root.iter(f"{{{SVG_NS}}}g"):
        text = hover.get(group.get("id", ""))
        if text is not None:
            title = ET.Element(f"{{{SVG_NS}}}title")
            title.text = text
            group.insert(0, title)
    root.set("role", "img")
    return ET.tostring(root, encoding="unicode")


def page(title: str, svg: str, data: TimelineData, source: str) -> str:
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{html.escape(title)}</title>
<style>{STYLE}</style>
</head>
<body>
<h1>{html.escape(title)}</h1>
<p class="note">Generated {generated} from {html.escape(source)}. Hover over a point, marker or band
for details. Tone is VADER's compound score of the article's sentences: an approximate,
lexicon-based signal for English text, not a reading of the article.</p>
<figure>{svg}</figure>
<h2>Articles</h2>
{_article_table(data)}
</body>
</html>
"""


def _article_table(data: TimelineData) -> str:
    rows = []
    for a in data.articles.iter_rows(named=True):
        tone = "" if a["tone"] is None else f"{a['tone']:+.2f}"
        balance = "" if a["latest_trade_balance_usd"] is None else f"{a['latest_trade_balance_usd'] / 1e9:+.1f}"
        rows.append(
            "<tr>"
            f"<td>{a['published_on']}</td>"
            f"<td>{_link(a['url'], a['title'] or a['url'])}</td>"
            f"<td>{html.escape(a['source'] or '')}</td>"
            f"<td class=\"num\">{tone}</td>"
            f"<td>{html.escape(', '.join(a['tariff_actions_in_force'] or []))}</td>"
            f"<td>{html.escape(', '.join(a['exercises_in_window'] or []))}</td>"
            f"<td class=\"num\">{html.escape(a['latest_trade_period'] or '')} {balance}</td>"
            "</tr>"
        )
    head = ("<tr><th>published</th><th>title</th><th>source</th><th>tone</th><th>tariffs in force</th>"
            "<th>exercises in window</th><th>latest balance (period, bn USD)</th></tr>")
    return f"<table>\n<thead>{head}</thead>\n<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>"


def _link(url: str | None, text: str) -> str:
    if url and urlsplit(url).scheme in ("http", "https"):
        return f'<a href="{html.escape(url, quote=True)}">{html.escape(text)}</a>'
    return html.escape(text)
