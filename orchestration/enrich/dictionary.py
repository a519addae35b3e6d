"""The entity alias dictionary (``seeds/entity_aliases.csv``) compiled into an Aho–Corasick automaton.

Why Aho–Corasick: one pass over the text finds every alias at once, and the cost barely depends on
the dictionary's size, so analysts can keep adding aliases (benchmarks/entity_matching.py).

Matching rules, chosen so that a plain CSV row is enough to add an alias:

* Text and aliases are normalised the same way before matching: runs of whitespace (line breaks,
  non-breaking spaces) become one space, dash variants (– — ‐ −) become "-", curly apostrophes
  become "'". Offsets always refer back to the original text.
* The alias's own spelling says how case is treated:
  - all cased letters upper case ("TPP", "U.S.", "DPRK", "EU")  -> the text must match exactly,
    so "us" never becomes USA;
  - starts with a capital ("Japan", "Trump", "Economic Partnership Agreement") -> any case, but the
    match must start with a capital ("japan" lacquerware, "trump card" are not mentions);
  - starts lower case ("section 232", "tariff") -> any case.
* Word boundaries: a match may not be preceded or followed by a Latin letter or digit, so "TPP"
  does not fire inside "CPTPP", "Japan" not inside "Japanese", "U.S." not inside "U.S.C.".
  Edges that are CJK characters skip the check (Japanese has no spaces between words).
* Two-letter acronyms (US, EU, UN, UK) next to an upper-case function word ("LET US", "THE US")
  are taken to be shouted English words, not acronyms.
"""

from __future__ import annotations

import csv
import re
from bisect import bisect_right
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

import ahocorasick

COLUMNS = ("entity_type", "entity_key", "alias", "language", "record_table", "record_match", "topic")
ENTITY_TYPES = frozenset(
    {"country", "person", "agreement", "instrument", "exercise_series", "place", "organization"}
)
TOPICS = frozenset({"trade", "security", "diplomacy"})
LANGUAGES = frozenset({"en", "ja"})
RECORD_TABLES = frozenset({"tariff_actions", "exercises"})

_DASHES = re.compile("[\u2010-\u2015\u2212]")   # one char -> one char, so offsets survive
_APOSTROPHES = re.compile("[\u2018\u2019\u02bc]")  # (regex sub is much faster than str.translate)
_WS_RUN = re.compile(r"\s{2,}|[^\S ]")  # only the whitespace that normalising changes
_SHOUTED = frozenset("THE AND OF FOR TO LET WITH FROM BY ON IN AT ALL ABOUT JOIN HELP TELL GIVE SEND".split())
_WORD_BEFORE = re.compile(r"([A-Za-z]+)[^A-Za-z\n]{0,2}$")
_WORD_AFTER = re.compile(r"[^A-Za-z\n]{0,2}([A-Za-z]+)")


@dataclass(frozen=True, slots=True)
class Alias:
    """One dictionary row, plus how it must be matched."""

    entity_type: str
    entity_key: str
    alias: str
    language: str
    record_table: str | None
    record_match: str | None
    topic: str
    key: str            # normalised, lower-cased form fed to the automaton
    cased: str          # normalised form with case kept (for exact-case aliases)
    case_rule: str      # "exact" | "capitalised" | "any"

    @property
    def is_acronym(self) -> bool:
        return self.case_rule == "exact"


@dataclass(frozen=True)
class Match:
    start: int          # offsets into the original text, end exclusive
    end: int
    alias: Alias


class Dictionary:
    """Compiled aliases. Build with :func:`load_dictionary` or :func:`build_dictionary`."""

    def __init__(self, aliases: tuple[Alias, ...]):
        self.aliases = aliases
        self._automaton = ahocorasick.Automaton()
        for i, a in enumerate(aliases):
            self._automaton.add_word(a.key, i)
        if aliases:
            self._automaton.make_automaton()

    def __len__(self) -> int:
        return len(self.aliases)

    def match(self, text: str) -> list[Match]:
        """All accepted, non-overlapping alias matches in ``text``, in text order.

        Overlaps are resolved longest-first (then leftmost), so "TPP-11" beats "TPP" and
        "Comprehensive and Progressive Agreement for Trans-Pacific Partnership" beats
        "Trans-Pacific Partnership".
        """
        if not text or not self.aliases:
            return []
        cased, to_orig = _normalise(text)
        low = _lower(cased)
        found = []
        for end_idx, i in self._automaton.iter(low):
            a = self.aliases[i]
            start, end = end_idx + 1 - len(a.key), end_idx + 1
            if _accept(a, cased, low, start, end):
                found.append((start, end, i))
        found.sort(key=lambda c: (c[0] - c[1], c[0], c[2]))
        starts: list[int] = []
        ends: list[int] = []
        kept: list[tuple[int, int, int]] = []
        for s, e, i in found:
            k = bisect_right(starts, s)
            if (k and ends[k - 1] > s) or (k < len(starts) and starts[k] < e):
                continue
            starts.insert(k, s)
            ends.insert(k, e)
            kept.append((s, e, i))
        kept.sort()
        return [Match(to_orig(s), to_orig(e - 1) + 1, self.aliases[i]) for s, e, i in kept]


def normalise(s: str) -> str:
    """The normalised form used for matching (public for tests and tools)."""
    return _normalise(s)[0]


def load_dictionary(path: str | Path) -> Dictionary:
    """Read the alias CSV (UTF-8, header ``COLUMNS``) and compile it. Bad rows raise ValueError."""
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        missing = set(COLUMNS) - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{path}: missing columns {sorted(missing)}")
        return build_dictionary(list(reader), source=str(path))


def build_dictionary(rows: Iterable[Mapping[str, str]], source: str = "rows") -> Dictionary:
    """Validate rows shaped like the CSV and compile them (used by tests and the benchmark)."""
    aliases: list[Alias] = []
    seen: dict[str, int] = {}
    for n, row in enumerate(rows, start=2):  # line 1 is the CSV header
        where = f"{source}:{n}"
        v = {c: (row.get(c) or "").strip() for c in COLUMNS}
        if not v["alias"] or not v["entity_key"]:
            raise ValueError(f"{where}: empty alias or entity_key")
        if v["entity_type"] not in ENTITY_TYPES:
            raise ValueError(f"{where}: entity_type {v['entity_type']!r} not in {sorted(ENTITY_TYPES)}")
        if v["topic"] not in TOPICS:
            raise ValueError(f"{where}: topic {v['topic']!r} not in {sorted(TOPICS)}")
        if v["language"] not in LANGUAGES:
            raise ValueError(f"{where}: language {v['language']!r} not in {sorted(LANGUAGES)}")
        if v["record_table"] and v["record_table"] not in RECORD_TABLES:
            raise ValueError(f"{where}: record_table {v['record_table']!r} not in {sorted(RECORD_TABLES)}")
        if bool(v["record_table"]) != bool(v["record_match"]):
            raise ValueError(f"{where}: record_table and record_match must be both set or both empty")
        cased = normalise(v["alias"])
        key = _lower(cased)
        if key in seen:
            raise ValueError(f"{where}: alias {v['alias']!r} duplicates line {seen[key]} after normalising")
        seen[key] = n
        aliases.append(Alias(
            entity_type=v["entity_type"], entity_key=v["entity_key"], alias=v["alias"],
            language=v["language"], record_table=v["record_table"] or None,
            record_match=v["record_match"] or None, topic=v["topic"],
            key=key, cased=cased, case_rule=_case_rule(cased),
        ))
    return Dictionary(tuple(aliases))


def _case_rule(alias: str) -> str:
    cased = [c for c in alias if c.lower() != c.upper()]
    if cased and all(c.isupper() for c in cased):
        return "exact"
    if alias[0].isupper():
        return "capitalised"
    return "any"


def _normalise(text: str):
    """(normalised text, function mapping a normalised index back to an original index)."""
    s = _APOSTROPHES.sub("'", _DASHES.sub("-", text))
    runs = list(_WS_RUN.finditer(s))
    if not runs:
        return s, lambda i: i
    parts: list[str] = []
    keys: list[int] = []    # first normalised index after each collapsed run
    shifts: list[int] = []  # original - normalised for indices at or after keys[k]
    last = shift = 0
    for m in runs:
        a, b = m.span()
        parts.append(s[last:a])
        parts.append(" ")
        last = b
        keys.append(a - shift + 1)
        shift += b - a - 1
        shifts.append(shift)
    parts.append(s[last:])

    def to_orig(i: int) -> int:
        k = bisect_right(keys, i) - 1
        return i + shifts[k] if k >= 0 else i

    return "".join(parts), to_orig


def _lower(s: str) -> str:
    """Lower case without changing the length (so offsets stay valid), e.g. 'İ' is left as is."""
    low = s.lower()
    if len(low) == len(s):
        return low
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in s)


def _is_word(c: str) -> bool:
    return (c.isalnum() or c == "_") and c < "\u2e80"  # CJK, kana, hangul, fullwidth are not "words" here


def _accept(a: Alias, cased: str, low: str, start: int, end: int) -> bool:
    # Word boundaries, except at CJK edges (no spaces between Japanese words).
    if a.key[0] < "\u2e80" and start > 0 and _is_word(low[start - 1]):
        return False
    if a.key[-1] < "\u2e80" and end < len(low) and _is_word(low[end]):
        return False
    if a.case_rule == "exact":
        if cased[start:end] != a.cased:
            return False
        if len(a.cased) == 2 and _shouted(cased, start, end):
            return False
    elif a.case_rule == "capitalised" and not cased[start].isupper():
        return False
    return True


def _shouted(cased: str, start: int, end: int) -> bool:
    before = _WORD_BEFORE.search(cased[max(0, start - 20):start])
    after = _WORD_AFTER.match(cased, end, min(len(cased), end + 20))
    return any(m is not None and m.group(1) in _SHOUTED for m in (before, after))
