"""Pure parsing of the MME v7 CSV (one wide row per exercise) into ``raw.exercises`` rows.

Kept apart from the plugin class so it can be tested and replayed on archived bytes without any
I/O beyond reading the country-code dictionary (a versioned file in this repository).

MME conventions handled here (see samples/reference/exercises/MME_README.md):

* ``-9`` means "unknown": in ``Ex_Name``/``Location``/``FocusDescription`` it becomes ``None``; in
  a ``State*`` column it is an unidentified participant, counted in the note, not a country.
* A day of ``xx`` means the day is unknown: the start becomes the first of the month and the end
  the last of the month, so the [start, end] range still covers the real one (using the first of
  the month for the end too would put ~320 end dates before their start dates).
* States are country *names* (CLDR-style, e.g. "Congo - Kinshasa"); they are mapped to ISO3 codes
  through ``seeds/country_codes.csv``. A name the dictionary does not know rejects the row: a
  guessed code would silently link the exercise to the wrong country.
"""

from __future__ import annotations

import calendar
import csv
import io
import re
from collections.abc import Mapping
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

MME_DOI_URL = "https://doi.org/10.7910/DVN/KHFODX"
#: seeds/country_codes.csv at the repository root (this file is sources/mme_exercises/parse.py).
COUNTRY_CODES_PATH = Path(__file__).resolve().parents[2] / "seeds" / "country_codes.csv"
REQUIRED_COLUMNS = ("MMEID", "Ex_Name", "s.year", "s.month", "s.day", "e.year", "e.month", "e.day")
_STATE_COLUMN = re.compile(r"^State[A-Z]{1,2}$")
_PRECISION_RANK = {"day": 0, "month": 1, "year": 2}
UNKNOWN = "-9"


def normalise_alias(name: str) -> str:
    """Lookup form of a country name: case and inner whitespace do not matter (MME has 'st. christopher')."""
    return " ".join(name.split()).casefold()


@cache
def load_country_codes(path: Path = COUNTRY_CODES_PATH) -> dict[str, tuple[str, ...]]:
    """alias (normalised) -> ISO3 codes, in file order. Most aliases have one code; a group name
    such as "Baltic States" has one row per member state, so it maps to several."""
    out: dict[str, tuple[str, ...]] = {}
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            key = normalise_alias(row["alias"])
            if row["iso3"] not in out.get(key, ()):
                out[key] = out.get(key, ()) + (row["iso3"],)
    return out


def state_columns(header: list[str]) -> list[str]:
    """StateA … StateZ, StateAA … StateAM, in the file's column order."""
    return [c for c in header if _STATE_COLUMN.match(c)]


def _text(value: str | None) -> str | None:
    value = (value or "").strip()
    return None if value in ("", UNKNOWN) else value


def _part_date(year: str, month: str, day: str, *, end: bool) -> tuple[date, str]:
    """Date from MME's year/month/day parts and how precise it is; unknown parts widen the range."""
    y = int(year)
    if month.strip().lower() in ("", "xx", UNKNOWN):
        return (date(y, 12, 31) if end else date(y, 1, 1)), "year"
    m = int(month)
    if day.strip().lower() in ("", "xx", UNKNOWN):
        return date(y, m, calendar.monthrange(y, m)[1] if end else 1), "month"
    return date(y, m, int(day)), "day"


def parse_mme_csv(content: bytes, codes: Mapping[str, tuple[str, ...]]) -> tuple[list[dict[str, Any]], list[tuple[dict[str, str], str]]]:
    """Rows in the EXERCISES shape, and (raw record, reason) for rows that cannot be loaded.

    Raises ``ValueError`` if the bytes are not an MME CSV at all (not UTF-8, not valid CSV, or
    columns missing); the plugin turns that into a SourceError so the whole payload is quarantined.
    """
    text = content.decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        return _read_rows(reader, codes)
    except csv.Error as exc:  # e.g. a field over csv.field_size_limit(), or a NUL byte
        raise ValueError(f"not valid CSV at line {reader.line_num}: {exc}") from None


def _read_rows(reader: csv.DictReader, codes: Mapping[str, tuple[str, ...]]) -> tuple[list[dict[str, Any]], list[tuple[dict[str, str], str]]]:
    header = list(reader.fieldnames or [])
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    states = state_columns(header)
    if missing or not states:
        raise ValueError(f"not an MME CSV: missing column(s) {', '.join(missing) or 'State*'}")

    rows: list[dict[str, Any]] = []
    rejected: list[tuple[dict[str, str], str]] = []
    for raw in reader:
        raw = {k: (v or "") for k, v in raw.items() if k is not None}
        row, reason = _normalise(raw, states, codes)
        if reason:
            rejected.append((raw, reason))
        else:
            rows.append(row)
    return rows, rejected


def _normalise(raw: Mapping[str, str], states: list[str], codes: Mapping[str, tuple[str, ...]]) -> tuple[dict[str, Any], str | None]:
    mme_id = raw["MMEID"].strip()
    participants: list[str] = []
    unknown_names: list[str] = []
    unidentified = 0
    for col in states:
        name = raw.get(col, "").strip()
        if not name:
            continue
        if name == UNKNOWN:
            unidentified += 1
            continue
        found = codes.get(normalise_alias(name))
        if found is None:
            unknown_names.append(f"{name!r} ({col})")
            continue
        participants.extend(c for c in found if c not in participants)
    if unknown_names:
        return {}, (f"{mme_id}: state name(s) {', '.join(unknown_names)} not in seeds/country_codes.csv; "
                    "add the name as an alias there (no code is guessed)")

    try:
        start, start_prec = _part_date(raw["s.year"], raw["s.month"], raw["s.day"], end=False)
        end, end_prec = _part_date(raw["e.year"], raw["e.month"], raw["e.day"], end=True)
    except ValueError as exc:
        return {}, (f"{mme_id}: date parts s={raw['s.year']}-{raw['s.month']}-{raw['s.day']} "
                    f"e={raw['e.year']}-{raw['e.month']}-{raw['e.day']} are not a valid date ({exc})")
    if end < start:
        return {}, (f"{mme_id}: end date {end} is before start date {start} "
                    f"(StartDate {raw.get('StartDate', '')!r}, EndDate {raw.get('EndDate', '')!r} in the source)")

    note_parts = [p for p in (_text(raw.get("FocusDescription")),) if p]
    if extra := _text(raw.get("AdditionalParticipantInfo")):
        note_parts.append(f"additional participants: {extra}")
    if unidentified:
        note_parts.append(f"{unidentified} unidentified participant(s) coded -9 in MME")
    row = {
        "exercise_id": mme_id,
        "name": _text(raw.get("Ex_Name")),
        "series": _text(raw.get("Series_Name")),
        "participants": ";".join(participants) or None,
        "location": _text(raw.get("Location")),
        "start_date": start,
        "end_date": end,
        # One precision for the pair: the coarser of the two, so it never overstates either date.
        "date_precision": max(start_prec, end_prec, key=_PRECISION_RANK.__getitem__),
        "status": "held",          # MME records exercises that took place
        "announced_on": None,
        "note": "; ".join(note_parts) or None,
        "source_url": MME_DOI_URL,
    }
    return row, None
