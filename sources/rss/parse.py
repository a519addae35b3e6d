"""Pure functions of the `rss` plugin: feed bytes -> items, page bytes -> one article row.

Nothing here does I/O, so an archived feed or page can be parsed again offline, and every real-feed
quirk the plugin handles is a small function with its own test.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from functools import cache
from typing import Any
from urllib.parse import urldefrag, urljoin, urlparse

from sources.contract import SourceError

# --------------------------------------------------------------------------------------------
# Feed


@dataclass(frozen=True)
class FeedItem:
    """One feed entry, with its link already resolved to an absolute URL."""

    link: str
    title: str | None
    author: str | None
    published: date | None
    guid: str | None
    publisher: str | None
    language: str | None


@dataclass(frozen=True)
class Feed:
    items: list[FeedItem]
    title: str | None
    skipped: list[str]  # why some entries were not turned into items


def check_feed_xml(content: bytes, *, source: str, url: str) -> None:
    """Refuse bytes that are not a well-formed RSS/Atom document, before feedparser sees them.

    feedparser is lenient by design, and its XML path would expand an internal DTD: a "billion
    laughs" feed could eat the machine. defusedxml refuses any DOCTYPE/ENTITY declaration at the
    first token, so a hostile feed fails in microseconds with a clear message.
    """
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    if not content.strip():
        raise SourceError(source, url, "the feed is empty (no XML at all)",
                          "check that the URL or path points at the RSS/Atom feed itself")
    head = content[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html")):
        raise SourceError(source, url, "this is an HTML page, not an RSS/Atom feed",
                          "point the source at the feed URL (look for <link rel=\"alternate\" "
                          "type=\"application/rss+xml\"> in the page)")
    try:
        root = fromstring(content, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise SourceError(source, url, f"the feed declares a DOCTYPE or ENTITY, refused for safety ({type(exc).__name__})",
                          "use a feed without DTD declarations (RSS and Atom need none); "
                          "if the publisher adds one, report it to them") from None
    except ParseError as exc:
        raise SourceError(source, url, f"the feed is not well-formed XML ({exc})",
                          "point the source at the RSS/Atom feed URL (not the site's home page), "
                          "or repair the file") from None
    tag = root.tag.rsplit("}", 1)[-1].lower()
    if tag not in ("rss", "rdf", "feed"):
        raise SourceError(source, url, f"the XML is not an RSS or Atom feed (root element <{tag}>)",
                          "point the source at the RSS/Atom feed URL")


def parse_feed(content: bytes, *, source: str, url: str) -> Feed:
    """Items of an RSS 0.9x/1.0/2.0 or Atom feed, links resolved against the feed's own URL."""
    import feedparser

    check_feed_xml(content, source=source, url=url)
    # Bytes, never str: feedparser.parse(str) would treat the text as a URL or file name.
    parsed = feedparser.parse(content)
    channel = parsed.get("feed", {})
    feed_title = _clean(channel.get("title"))
    feed_lang = _clean(channel.get("language"))
    items: list[FeedItem] = []
    skipped: list[str] = []
    for n, entry in enumerate(parsed.get("entries", []), start=1):
        raw_link = entry.get("feedburner_origlink") or entry.get("link")
        link = resolve_link(url, raw_link)
        if link is None:
            skipped.append(f"item {n} ({entry.get('title', 'untitled')!r}): no usable link ({raw_link!r})")
            continue
        src = entry.get("source") or {}
        items.append(FeedItem(
            link=link,
            title=clean_feed_text(entry.get("title")),
            author=clean_feed_text(entry.get("author")),
            published=entry_date(entry),
            guid=_clean(entry.get("id")),
            publisher=_clean(src.get("title")) or feed_title,
            language=feed_lang,
        ))
    return Feed(items=items, title=feed_title, skipped=skipped)


def resolve_link(feed_url: str, link: str | None) -> str | None:
    """The item's absolute URL, or None if it has none we may fetch.

    Relative links are common in real feeds: they are resolved against the feed's URL. A feed read
    over http(s) may only send us to http(s) pages; ``file:`` links are honoured only in a local
    feed, so a remote feed cannot make the warehouse read files from this machine.
    """
    if not link or not link.strip():
        return None
    absolute, _ = urldefrag(urljoin(feed_url, link.strip()))
    scheme = urlparse(absolute).scheme
    allowed = ("http", "https", "file") if urlparse(feed_url).scheme == "file" else ("http", "https")
    return absolute if scheme in allowed else None


def entry_date(entry: Any) -> date | None:
    """The item's publication date as written by the publisher (its own time zone).

    feedparser's ``*_parsed`` values are converted to UTC, which moves a Tokyo article published
    at 08:00 +0900 to the previous day. The raw string keeps the publisher's offset, so it wins.
    """
    for key in ("published", "updated", "created"):
        d = parse_date(entry.get(key))
        if d:
            return d
    for key in ("published_parsed", "updated_parsed"):
        st = entry.get(key)
        if st:
            return date(st.tm_year, st.tm_mon, st.tm_mday)
    return None


def parse_date(value: Any) -> date | None:
    """RFC 822 (RSS), ISO 8601 (Atom, HTML meta) or a bare YYYY-MM-DD; None if unreadable."""
    if not value or not isinstance(value, str):
        return None
    value = value.strip()
    try:
        return parsedate_to_datetime(value).date()
    except (TypeError, ValueError, IndexError):
        pass
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})", value)
    if m:
        try:
            return date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return None
    return _loose_date(value)


#: Dates as real feeds write them when they ignore RFC 822: "Aug 5, 2024", "5 August 2024", ...
_LOOSE_FORMATS = ("%b %d, %Y", "%B %d, %Y", "%b %d %Y", "%B %d %Y", "%d %b %Y", "%d %B %Y", "%Y/%m/%d",
                  "%a, %b %d, %Y", "%A, %B %d, %Y", "%b. %d, %Y")


def _loose_date(value: str) -> date | None:
    """A date in one of :data:`_LOOSE_FORMATS`, ignoring a trailing time; None otherwise.

    Day-first and month-first numeric forms (05/08/2024) are left alone on purpose: they are
    ambiguous, and a wrong date is worse than none (the page's own date is used instead).
    """
    text = re.sub(r"\s+", " ", value.replace("Sept", "Sep")).strip()
    text = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", text)
    text = re.split(r"\s+\d{1,2}:\d{2}", text)[0].strip().rstrip(",")
    for fmt in _LOOSE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


# --------------------------------------------------------------------------------------------
# Page

# WHATWG maps these labels to supersets; Python's strict codecs would fail on common characters.
_ENCODING_ALIASES = {
    "shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932", "x-sjis": "cp932", "ms_kanji": "cp932",
    "csshiftjis": "cp932", "windows-31j": "cp932", "iso-8859-1": "cp1252", "latin1": "cp1252",
    "latin-1": "cp1252", "us-ascii": "cp1252", "ascii": "cp1252", "gb2312": "gbk", "euc-kr": "cp949",
}
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_CHARSET_IN_TYPE = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)
_CHARSET_IN_META = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w.:-]+)", re.I)


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().lower()
    label = _ENCODING_ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def decode_html(content: bytes, content_type: str | None) -> tuple[str, str]:
    """Page text and the encoding used: BOM, then HTTP charset, then <meta>, else UTF-8.

    Undecodable bytes become U+FFFD rather than failing the whole article.
    """
    encoding = next((enc for bom, enc in _BOMS if content.startswith(bom)), None)
    if encoding is None and content_type:
        m = _CHARSET_IN_TYPE.search(content_type)
        encoding = _codec(m[1]) if m else None
    if encoding is None:
        m = _CHARSET_IN_META.search(content[:4096])
        encoding = _codec(m[1].decode("ascii", "replace")) if m else None
        if encoding and encoding.startswith("utf-16"):
            encoding = "utf-8"  # a meta tag readable as ASCII cannot be UTF-16 (HTML spec)
    encoding = encoding or sniff_encoding(content)
    return content.decode(encoding, errors="replace"), encoding


#: Encodings a page without a declaration is judged against: the legacy encodings commentary on
#: the relationship is actually published in. A short or odd text is left as UTF-8 (with U+FFFD)
#: rather than guessed into an exotic code page.
_SNIFF_CANDIDATES = ["utf_8", "cp1252", "euc_jp", "cp932", "iso2022_jp", "euc_kr", "gb18030", "big5"]
_SNIFF_MIN_BYTES = 200


def sniff_encoding(content: bytes) -> str:
    """The encoding of a page that declares none: UTF-8 if it decodes as such, else the best guess
    of charset-normalizer among :data:`_SNIFF_CANDIDATES` (EUC-JP and Shift_JIS pages without a
    meta tag exist), else UTF-8."""
    try:
        content.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    if len(content) < _SNIFF_MIN_BYTES:
        return "utf-8"
    from charset_normalizer import from_bytes

    best = from_bytes(content[:65536], cp_isolation=_SNIFF_CANDIDATES).best()
    return (_codec(best.encoding) or "utf-8") if best is not None else "utf-8"


@dataclass(frozen=True)
class PageMeta:
    title: str | None = None  # og:title, else <title>
    html_title: str | None = None  # <title> as written, often "Title | Site"
    canonical: str | None = None
    published: date | None = None
    author: str | None = None
    site_name: str | None = None
    language: str | None = None


_DATE_META = ("article:published_time", "og:published_time", "datepublished", "date", "dc.date",
              "dc.date.issued", "dcterms.date", "dcterms.issued", "pubdate", "publish-date", "publication_date")


def page_meta(html: str, page_url: str) -> PageMeta:
    """What the page's <head> says about itself (Open Graph, article:*, Dublin Core, <title>)."""
    import lxml.html
    from lxml.etree import ParserError

    try:
        doc = lxml.html.document_fromstring(html.encode("utf-8"), parser=lxml.html.HTMLParser(encoding="utf-8"))
    except (ParserError, ValueError):
        return PageMeta()
    metas: dict[str, str] = {}
    for m in doc.iter("meta"):
        name = (m.get("property") or m.get("name") or m.get("itemprop") or "").strip().lower()
        if name and name not in metas and (m.get("content") or "").strip():
            metas[name] = m.get("content").strip()
    canonical = None
    for link in doc.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split() and (link.get("href") or "").strip():
            candidate = urljoin(page_url, link.get("href").strip())
            if urlparse(candidate).scheme in ("http", "https", "file"):
                canonical = candidate
                break
    title_el = doc.find(".//title")
    html_title = _clean(title_el.text_content() if title_el is not None else None)
    return PageMeta(
        title=_clean(metas.get("og:title")) or html_title,
        html_title=html_title,
        canonical=canonical,
        published=next((d for d in (parse_date(metas.get(k)) for k in _DATE_META) if d), None),
        author=_clean(metas.get("author") or metas.get("article:author") or metas.get("dc.creator")),
        site_name=_clean(metas.get("og:site_name")),
        language=language_code(doc.get("lang") or doc.get("{http://www.w3.org/XML/1998/namespace}lang")),
    )


# Containers that are never article text but that trafilatura keeps when a page has little else:
# consent banners and sign-up boxes. Matched on class or id, case-insensitively.
_PRUNE_WORDS = ("cookie", "consent", "gdpr", "newsletter", "subscribe")
_LOWER = "translate({attr}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
PRUNE_XPATH = ["//*[" + " or ".join(f"contains({_LOWER.format(attr=a)}, '{w}')" for w in _PRUNE_WORDS
                                    for a in ("@class", "@id")) + "]"]


def extract_body(html: str, min_chars: int = 100, titles: tuple[str | None, ...] = ()) -> str | None:
    """The article's main text, paragraphs separated by blank lines; None if there is none.

    trafilatura with ``favor_precision`` drops nav, sign-up boxes and footers; comments are
    excluded. On a page without an article it falls back to whatever text is left (a cookie
    notice), so consent and sign-up containers are pruned first and a text shorter than
    ``min_chars`` counts as none. A leading heading that repeats one of ``titles`` (or starts the
    page's "Title | Site" <title>) is the title, not body text. trafilatura's own plain-text output
    separates blocks by one newline only, so the paragraphs are rebuilt from the extracted tree.
    """
    import trafilatura

    doc = trafilatura.bare_extraction(html, favor_precision=True, include_comments=False,
                                      include_tables=True, with_metadata=False, prune_xpath=PRUNE_XPATH)
    if doc is None or doc.body is None:
        return None
    known = [" ".join(t.split()).casefold() for t in titles if t]
    paragraphs = []
    for block in doc.body:
        lines = (" ".join(line.split()) for line in _flatten(block).split("\n"))
        text = "\n".join(line for line in lines if line)
        if not text:
            continue
        if not paragraphs and block.tag == "head" and any(k == text.casefold() or k.startswith(text.casefold() + " ")
                                                           for k in known):
            continue
        paragraphs.append(text)
    body = "\n\n".join(paragraphs)
    return body if len(body) >= min_chars else None


def _flatten(el: Any) -> str:
    """Text of one extracted block; line breaks, list items and table rows on their own lines."""
    out = [el.text or ""]
    for child in el:
        if child.tag == "lb":
            out.append("\n")
        elif child.tag in ("item", "row"):
            out.append("\n" + _flatten(child))
        elif child.tag == "cell":
            out.append(" " + _flatten(child))
        else:
            out.append(_flatten(child))
        out.append(child.tail or "")
    return "".join(out)


_EN_WORDS = frozenset("the of and to in a is that for on with as by are was it be at this from have has an "
                      "will not which its their our we or".split())


def language_code(tag: str | None) -> str | None:
    """ISO 639-1 from a language tag: 'en-US' -> 'en'; None for empty or odd values."""
    if not tag:
        return None
    primary = tag.strip().replace("_", "-").split("-")[0].lower()
    return primary if re.fullmatch(r"[a-z]{2}", primary) else None


def guess_language(text: str) -> str | None:
    """A cheap fallback when neither page nor feed names a language: Japanese script or English."""
    sample = text[:5000]
    if not sample:
        return None
    cjk = sum(1 for ch in sample if "\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff")
    if cjk / len(sample) > 0.2:
        return "ja"
    words = re.findall(r"[a-z]+", sample.lower())
    if words and sum(w in _EN_WORDS for w in words) / len(words) > 0.15:
        return "en"
    return None


@cache
def _language_identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str, min_confidence: float = 0.9, min_chars: int = 200) -> str | None:
    """ISO 639-1 code of the text's language by py3langid, or None when the text is too short or
    the model is unsure (then the page's or feed's declared language is used instead)."""
    if len(text) < min_chars:
        return None
    lang, prob = _language_identifier().classify(text[:20000])
    return lang if prob >= min_confidence and re.fullmatch(r"[a-z]{2}", lang) else None


def clean_feed_text(value: Any) -> str | None:
    """Feed titles and names as plain text. feedparser hands back what the publisher escaped, so a
    title may still hold markup or entities ('AT&amp;T &#8217;s <em>deal</em>' -> 'AT&T ’s deal')."""
    text = _clean(value)
    if text is None or not re.search(r"[<&]", text):
        return text
    import lxml.html
    from lxml.etree import ParserError

    try:
        return _clean(lxml.html.fragment_fromstring(text, create_parent="div").text_content())
    except (ParserError, ValueError):
        return text


def article_id(canonical_url: str) -> str:
    """Stable row key: the first 16 hex characters of sha256 over the canonical URL (no fragment)."""
    url, _ = urldefrag(canonical_url.strip())
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]


def _clean(value: Any) -> str | None:
    """Collapse whitespace; empty -> None (an empty <dc:creator/> means 'no author')."""
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None
