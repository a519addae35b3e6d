"""Build the bundled `rss` sample: an RSS 2.0 feed plus one HTML article page per item.

Why a script: the sample must be in the real wire format (a feed that links to article pages whose
main text has to be extracted from site boilerplate), yet its texts must stay byte-for-byte the
shared, licence-checked ones. Regenerating from ``<repo>/../shared`` keeps the two in step.

Run from anywhere: ``.venv/bin/python samples/commentary/build_sample.py``. Output is
deterministic (no clocks, sorted input), so rerunning it on unchanged input changes no file.

Layout written next to this script::

    feed.xml              RSS 2.0; item links are relative ("pages/<slug>.html")
    pages/<slug>.html     one article page per item

Every page's ``<link rel="canonical">`` is the article's original public URL where one is known,
else ``LOCAL_BASE + "pages/<slug>.html"``: a reserved ``.localhost`` name, clearly not a real site,
and the same on every checkout (the warehouse derives ``article_id`` from the canonical URL).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from email.utils import format_datetime
from html import escape
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SHARED = REPO.parent / "shared"
ARTICLES_DIR = SHARED / "data" / "articles"
SEED_FILE = SHARED / "seed" / "eastwest_2018-07-26_us-japan-relations.txt"

LOCAL_BASE = "http://alliance-warehouse.localhost/samples/commentary/"
FEED_TITLE = "Alliance Warehouse sample commentary: US–Japan relations"


@dataclass(frozen=True)
class Article:
    slug: str
    title: str
    published_on: date
    publisher: str
    author: str  # "" when the source names no author
    url: str  # original public URL, "" when unknown
    text: str

    @property
    def local_url(self) -> str:
        return f"{LOCAL_BASE}pages/{self.slug}.html"

    @property
    def canonical(self) -> str:
        return self.url or self.local_url


def load_articles() -> list[Article]:
    """The seed article plus the 20 shared documents, newest first (as a feed lists them)."""
    seed = Article(
        slug=SEED_FILE.stem,
        title="U.S.-Japan Relations in the Coming Year: Alliance Management and Risk Management",
        published_on=date(2018, 7, 26),
        publisher="EastWest Institute",
        author="J. Berkshire Miller",
        url="",  # not recorded anywhere: do not invent one
        text=SEED_FILE.read_text(encoding="utf-8"),
    )
    out = [seed]
    with (ARTICLES_DIR / "index.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            out.append(Article(
                slug=Path(row["file"]).stem,
                title=row["title"],
                published_on=date.fromisoformat(row["published_on"]),
                publisher=row["publisher"],
                author=row["author"],
                url=row["url"],
                text=(ARTICLES_DIR / row["file"]).read_text(encoding="utf-8"),
            ))
    return sorted(out, key=lambda a: (a.published_on, a.slug), reverse=True)


def blocks(text: str) -> list[str]:
    """The text split at blank lines (lines of only spaces/tabs/NBSP count as blank)."""
    parts = re.split(r"\n(?:[ \t\u00a0]*\n)+", text)
    return [p.strip("\n") for p in parts if p.strip()]


# Words whose trailing period does not end a sentence ("Donald J. Trump", "U.S. forces").
ABBREVIATIONS = {"U.S", "D.C", "U.S.C", "Mr", "Mrs", "Dr", "Jr", "St", "No", "Vol", "Gen", "Adm", "Col",
                 "Capt", "Maj", "Sgt", "Lt", "Jan", "Feb", "Aug", "Sept", "Oct", "Nov", "Dec", "et", "seq"}


def first_sentence(article: Article, limit: int = 200) -> str:
    """A short teaser for the feed's <description>: deliberately not the article text.

    Skips the heading and short dateline blocks ("Blog | July 26, 2018"), then cuts at the first
    full stop that is not an initial or a known abbreviation, and at ``limit`` characters.
    """
    body = [b for b in blocks(article.text) if b.strip() != article.title]
    prose = [b for b in body if len(b) >= 80] or body
    flat = " ".join(prose[0].split())
    for m in re.finditer(r"[.!?][\"”’)]?(?=\s)", flat):
        word = flat[:m.start()].rsplit(" ", 1)[-1].lstrip("(“\"*")
        if len(word) > 1 and word not in ABBREVIATIONS and m.end() >= 40:
            flat = flat[:m.end()]
            break
    if len(flat) > limit:
        flat = flat[:limit].rsplit(" ", 1)[0] + "…"
    return flat


def long_date(d: date) -> str:
    return f"{d:%B} {d.day}, {d.year}"


PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} | {publisher}</title>
<link rel="canonical" href="{canonical}">
<meta name="description" content="{description}">
<meta property="og:type" content="article">
<meta property="og:title" content="{title}">
<meta property="og:site_name" content="{publisher}">
<meta property="og:url" content="{canonical}">
<meta property="article:published_time" content="{iso_date}">
{author_meta}<style>
  body {{ font-family: Georgia, serif; margin: 0 auto; max-width: 46rem; }}
  .cookie-banner {{ position: fixed; bottom: 0; background: #222; color: #fff; padding: 1rem; }}
  .main-nav ul, .site-footer ul {{ display: flex; gap: 1rem; list-style: none; }}
</style>
</head>
<body class="article-page">
<div id="cookie-banner" class="cookie-banner" role="dialog" aria-label="Cookie consent">
  <p>We use cookies to understand how visitors use this site and to improve your experience.
  By clicking “Accept all cookies” you agree to our use of cookies.</p>
  <button type="button">Accept all cookies</button> <button type="button">Manage cookie preferences</button>
</div>
<header class="site-header">
  <a class="logo" href="../index.html">{publisher}</a>
  <nav class="main-nav" aria-label="Main">
    <ul>
      <li><a href="../index.html">Home</a></li>
      <li><a href="../topics.html">Topics</a></li>
      <li><a href="../regions/asia-pacific.html">Asia-Pacific</a></li>
      <li><a href="../experts.html">Experts</a></li>
      <li><a href="../events.html">Events</a></li>
      <li><a href="../about.html">About us</a></li>
    </ul>
  </nav>
  <form class="search" action="../search.html"><input type="search" name="q" placeholder="Search this site"></form>
</header>
<nav class="breadcrumbs" aria-label="Breadcrumb"><a href="../index.html">Home</a> › <a href="../topics.html">Commentary</a> › Article</nav>
<main id="content">
<article class="post">
<header class="post-header">
<h1 class="post-title">{title}</h1>
<p class="byline">{byline}<time datetime="{iso_date}">{long_date}</time></p>
</header>
<div class="share-tools">Share this page: <a href="#">Email</a> <a href="#">Print</a> <a href="#">Copy link</a></div>
<div class="post-body">
{paragraphs}
</div>
</article>
<aside class="newsletter-signup">
  <h2>Subscribe to our newsletter</h2>
  <p>Get our latest analysis and event invitations delivered to your inbox every week. You can unsubscribe at any time.</p>
  <form action="../subscribe.html"><input type="email" name="email" placeholder="Your email address"> <button type="submit">Sign up</button></form>
</aside>
<aside class="related">
  <h2>More from this site</h2>
  <ul><li><a href="../topics.html">All commentary</a></li><li><a href="../experts.html">Our experts</a></li><li><a href="../events.html">Upcoming events</a></li></ul>
</aside>
</main>
<footer class="site-footer">
  <ul><li><a href="../privacy.html">Privacy policy</a></li><li><a href="../terms.html">Terms of use</a></li><li><a href="../accessibility.html">Accessibility</a></li><li><a href="../contact.html">Contact us</a></li></ul>
  <p>Synthetic page scaffolding built for the Alliance Warehouse offline sample. Only the article text is real.</p>
</footer>
</body>
</html>
"""


def render_page(article: Article) -> str:
    body_blocks = blocks(article.text)
    if body_blocks and body_blocks[0].strip() == article.title:
        body_blocks = body_blocks[1:]  # the text opens with its own heading: it is the <h1>
    paragraphs = "\n".join(f"<p>{escape(b, quote=False)}</p>" for b in body_blocks)
    author_meta = f'<meta name="author" content="{escape(article.author)}">\n' if article.author else ""
    byline = f"By {escape(article.author, quote=False)} · " if article.author else ""
    return PAGE.format(
        title=escape(article.title), publisher=escape(article.publisher), canonical=escape(article.canonical),
        description=escape(first_sentence(article)), iso_date=article.published_on.isoformat(),
        long_date=long_date(article.published_on), author_meta=author_meta, byline=byline,
        paragraphs=paragraphs,
    )


def render_feed(articles: list[Article]) -> str:
    def pub_date(d: date) -> str:
        return format_datetime(datetime(d.year, d.month, d.day, 12, 0, tzinfo=timezone.utc))

    items = []
    for a in articles:
        items.append(f"""    <item>
      <title>{escape(a.title, quote=False)}</title>
      <link>pages/{a.slug}.html</link>
      <pubDate>{pub_date(a.published_on)}</pubDate>
      <dc:creator>{escape(a.author, quote=False)}</dc:creator>
      <guid isPermaLink="false">urn:alliance-warehouse:sample:commentary:{a.slug}</guid>
      <source url="{escape(LOCAL_BASE)}feed.xml">{escape(a.publisher, quote=False)}</source>
      <description>{escape(escape(first_sentence(a), quote=False), quote=False)}</description>
    </item>""")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel>
    <title>{escape(FEED_TITLE, quote=False)}</title>
    <link>{LOCAL_BASE}</link>
    <description>Offline sample for the Alliance Warehouse rss plugin: the EastWest Institute seed article and 20 US-government public-domain texts, each on its own article page.</description>
    <language>en-us</language>
    <lastBuildDate>{pub_date(articles[0].published_on)}</lastBuildDate>
{chr(10).join(items)}
  </channel>
</rss>
"""


def build(out_dir: Path = HERE) -> list[Path]:
    """Write the feed and pages under ``out_dir``; return the files written."""
    articles = load_articles()
    pages = out_dir / "pages"
    pages.mkdir(parents=True, exist_ok=True)
    written = []
    for a in articles:
        written.append(pages / f"{a.slug}.html")
        written[-1].write_text(render_page(a), encoding="utf-8", newline="\n")
    written.append(out_dir / "feed.xml")
    written[-1].write_text(render_feed(articles), encoding="utf-8", newline="\n")
    return written


def main() -> None:
    written = build()
    print(f"wrote {len(written)} files under {HERE}")


if __name__ == "__main__":
    main()
