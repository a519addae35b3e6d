"""Rebuild ``documents_p1.json`` and ``documents_p2.json``: a Federal Register API search response,
in the API's format, for real documents whose facts are cited below.

These are NOT recorded responses (the project was built offline). Every value comes from the cited
reference: document numbers, citations, signing dates and proclamation/order numbers from
``samples/reference/tariffs/tariff_actions.csv`` (``legal_citation`` and ``source_url``) and
``../shared/data/articles/index.csv``; publication dates from the govinfo/Justia/federalregister.gov
URLs cited there (they carry the date); titles from the same index or from federalregister.gov URLs
cited in public repositories (see README.md). Nothing is estimated. Run with ``--check`` to verify
the committed files match.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from urllib.parse import quote, urlencode

HERE = Path(__file__).resolve().parent
API = "https://www.federalregister.gov/api/v1/documents.json"
FIELDS = ("document_number", "title", "type", "subtype", "presidential_document_number", "proclamation_number",
          "executive_order_number", "signing_date", "publication_date", "citation", "start_page", "agencies",
          "abstract", "html_url", "pdf_url")
PER_PAGE = 6
EOP = {"raw_name": "EXECUTIVE OFFICE OF THE PRESIDENT", "name": "Executive Office of the President",
       "id": 538, "url": "https://www.federalregister.gov/agencies/executive-office-of-the-president",
       "json_url": "https://www.federalregister.gov/api/v1/agencies/538", "parent_id": None,
       "slug": "executive-office-of-the-president"}

# (document_number, subtype, number, title, signing_date, publication_date, volume, start_page, html slug)
DOCS = [
    ("2018-05477", "Proclamation", "9704", "Adjusting Imports of Aluminum Into the United States",
     "2018-03-08", "2018-03-15", 83, 11619, "adjusting-imports-of-aluminum-into-the-united-states"),
    ("2018-05478", "Proclamation", "9705", "Adjusting Imports of Steel Into the United States",
     "2018-03-08", "2018-03-15", 83, 11625, "adjusting-imports-of-steel-into-the-united-states"),
    ("2019-10774", "Proclamation", "9888", "Adjusting Imports of Automobiles and Automobile Parts Into the United States",
     "2019-05-17", "2019-05-21", 84, 23433, None),
    ("2019-28285", "Proclamation", "9974",
     "To Take Certain Actions Under the African Growth and Opportunity Act and for Other Purposes",
     "2019-12-26", "2019-12-30", 84, 72187, None),
    ("2025-02832", "Proclamation", "10895", "Adjusting Imports of Aluminum Into the United States",
     "2025-02-10", "2025-02-18", 90, 9807, "adjusting-imports-of-aluminum-into-the-united-states"),
    ("2025-02833", "Proclamation", "10896", "Adjusting Imports of Steel Into the United States",
     "2025-02-10", "2025-02-18", 90, 9817, "adjusting-imports-of-steel-into-the-united-states"),
    ("2025-05930", "Proclamation", "10908", "Adjusting Imports of Automobiles and Automobile Parts Into the United States",
     "2025-03-26", "2025-04-03", 90, 14705, "adjusting-imports-of-automobiles-and-automobile-parts-into-the-united-states"),
    ("2025-06063", "Executive Order", "14257",
     "Regulating Imports With a Reciprocal Tariff To Rectify Trade Practices That Contribute to Large and "
     "Persistent Annual United States Goods Trade Deficits",
     "2025-04-02", "2025-04-07", 90, 15041,
     "regulating-imports-with-a-reciprocal-tariff-to-rectify-trade-practices-that-contribute-to-large-and"),
    ("2025-10524", "Proclamation", "10947", "Adjusting Imports of Aluminum and Steel Into the United States",
     "2025-06-03", "2025-06-09", 90, 24199, "adjusting-imports-of-aluminum-and-steel-into-the-united-states"),
    ("2025-17389", "Executive Order", "14345", "Implementing the United States-Japan Agreement",
     "2025-09-04", "2025-09-09", 90, 43535, None),
]


def result(doc: tuple) -> dict:
    number, subtype, num, title, signed, published, volume, page, slug = doc
    y, m, d = published.split("-")
    html = (f"https://www.federalregister.gov/documents/{y}/{m}/{d}/{number}/{slug}" if slug
            else f"https://www.federalregister.gov/d/{number}")
    return {
        "document_number": number, "title": title, "type": "Presidential Document", "subtype": subtype,
        "presidential_document_number": num,
        "proclamation_number": num if subtype == "Proclamation" else None,
        "executive_order_number": int(num) if subtype == "Executive Order" else None,
        "signing_date": signed, "publication_date": published, "citation": f"{volume} FR {page}",
        "start_page": page, "agencies": [EOP], "abstract": None, "html_url": html,
        "pdf_url": f"https://www.govinfo.gov/content/pkg/FR-{published}/pdf/{number}.pdf",
    }


def query(page: int | None = None) -> str:
    params = [("conditions[type][]", "PRESDOCU"), ("conditions[term]", "tariff"),
              ("conditions[publication_date][gte]", "2017-01-01"),
              ("conditions[presidential_document_type][]", "proclamation"),
              ("conditions[presidential_document_type][]", "executive_order")]
    params += [("fields[]", f) for f in FIELDS] + [("order", "oldest")]
    params += ([("page", str(page))] if page else []) + [("per_page", str(PER_PAGE))]
    return f"{API}?" + urlencode(params, quote_via=quote, safe="[]")


def pages() -> dict[str, bytes]:
    results = [result(d) for d in sorted(DOCS, key=lambda d: (d[5], d[0]))]
    chunks = [results[i:i + PER_PAGE] for i in range(0, len(results), PER_PAGE)]
    out = {}
    for n, chunk in enumerate(chunks, start=1):
        body = {"count": len(results),
                "description": "Documents matching 'tariff' and of type Presidential Document, of presidential "
                               "document type Proclamation or Executive Order, and published on or after 01/01/2017",
                "total_pages": len(chunks)}
        if n < len(chunks):
            body["next_page_url"] = query(n + 1)
        body["results"] = chunk
        out[f"documents_p{n}.json"] = (json.dumps(body, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    return out


def main(argv: list[str]) -> int:
    built = pages()
    if "--check" in argv:
        stale = [n for n, b in built.items() if not (HERE / n).exists() or (HERE / n).read_bytes() != b]
        if stale:
            print(f"stale: {', '.join(stale)}; run python samples/federal_register/build_sample.py", file=sys.stderr)
        return 1 if stale else 0
    for name, body in built.items():
        (HERE / name).write_bytes(body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
