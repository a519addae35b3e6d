"""Multinational Military Exercises (MME v7, 1980–2010; D'Orazio & Galambos, Harvard Dataverse).

Gives the exercise calendar its pre-2011 history (the curated ``csv_table`` exercises start in
2011). The dataset is finished, so the plugin is ``static``: one payload, the whole CSV.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import polars as pl

from sources import drift
from sources.contract import (
    Fetcher,
    ParseResult,
    Payload,
    PayloadInfo,
    Rejected,
    SourceError,
    SourcePlugin,
)
from sources.cursors import file_validators, remember_files
from sources.mme_exercises.parse import (
    COUNTRY_CODES_PATH,
    REQUIRED_COLUMNS,
    load_country_codes,
    parse_mme_csv,
)
from sources.tables import EXERCISES

#: MME v7's columns (see samples/reference/exercises/MME_README.md) and what each holds.
EXPECTED = drift.Expected(
    required={c: ("integer" if c.endswith(".year") else "text") for c in REQUIRED_COLUMNS},
    optional={"Series_Name": "text", "Location": "text", "lat": "number", "lon": "number", "StartDate": "text",
              "EndDate": "text", "FocusDescription": "text", "AdditionalParticipantInfo": "text",
              **{c: "text" for c in ("CPX", "Air", "Land", "Sea", "Amphibious", "Cyber", "Warfighting",
                                     "Peacekeeping", "Humanitarian")},
              **{f"State{a}": "text" for a in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"},
              **{f"StateA{a}": "text" for a in "ABCDEFGHIJKLM"}},
    tolerate=frozenset({"-9", "xx"}),
)


class MmeExercisesPlugin(SourcePlugin):
    """Multinational Military Exercises dataset (MME v7 CSV) into raw.exercises."""

    plugin_name = "mme_exercises"
    cadence = "static"
    table = EXERCISES.name
    key = EXERCISES.key
    schema = EXERCISES.schema

    def extract(self, fetcher: Fetcher, cursor: Mapping[str, Any] | None = None) -> Iterator[Payload]:
        """The whole file as one payload, fetched conditionally: a finished dataset rarely changes,
        so after the first run an unchanged file is neither archived nor parsed again."""
        location = self.config.location
        yield fetcher.get(location, source=self.name, validators=file_validators(cursor, location))

    def next_cursor(self, cursor: Mapping[str, Any] | None, frame: pl.DataFrame,
                    fetched: Sequence[PayloadInfo]) -> dict[str, Any]:
        return remember_files(cursor, fetched)

    def parse(self, payload: Payload) -> ParseResult:
        """Wide MME rows -> EXERCISES rows; unmapped names, bad dates and repeated MMEIDs are rejected."""
        try:
            codes = load_country_codes()
        except FileNotFoundError:
            raise SourceError(self.name, str(COUNTRY_CODES_PATH), "the country-code dictionary is missing",
                              "restore seeds/country_codes.csv (git checkout seeds/)") from None
        try:
            rows, bad = parse_mme_csv(payload.content, codes)
        except (UnicodeDecodeError, ValueError) as exc:
            raise SourceError(self.name, payload.url, f"the payload is not an MME v7 CSV ({exc})",
                              "point the source at the MME CSV (samples/reference/exercises/mme_v7.csv)") from None
        drifted = self._check_drift(payload)  # after parse_mme_csv has said whether this is MME at all
        result = self.conform(rows, payload)
        # Repeated MMEIDs (mme3457, mme3458, mme3460 in v7) are rejected by conform: first row wins.
        result.rejected[:0] = drifted + [Rejected(record, reason) for record, reason in bad]
        return result

    def _check_drift(self, payload: Payload) -> list[Rejected]:
        """A retyped or new MME column, named, before any row of the payload is loaded."""
        try:
            reader = csv.DictReader(io.StringIO(payload.content.decode("utf-8-sig"), newline=""))
            header = list(reader.fieldnames or [])
        except UnicodeDecodeError:
            return []  # parse_mme_csv reports the encoding
        return drift.check(header, reader, EXPECTED, source=self.name, where=payload.url,
                           fix="check the file is MME v7 (samples/reference/exercises/MME_README.md); a newer "
                               "release needs its new columns added to sources/mme_exercises EXPECTED")
