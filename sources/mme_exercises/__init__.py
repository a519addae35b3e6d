"""Multinational Military Exercises (MME v7, 1980–2010; D'Orazio & Galambos, Harvard Dataverse).

Gives the exercise calendar its pre-2011 history (the curated ``csv_table`` exercises start in
2011). The dataset is finished, so the plugin is ``static``: one payload, the whole CSV.
"""

from __future__ import annotations

from typing import Any, Iterator, Mapping

from sources.contract import Fetcher, ParseResult, Payload, Rejected, SourceError, SourcePlugin
from sources.mme_exercises.parse import COUNTRY_CODES_PATH, load_country_codes, parse_mme_csv
from sources.tables import EXERCISES


class MmeExercisesPlugin(SourcePlugin):
    """Multinational Military Exercises dataset (MME v7 CSV) into raw.exercises."""

    plugin_name = "mme_exercises"
    cadence = "static"
    table = EXERCISES.name
    key = EXERCISES.key
    schema = EXERCISES.schema

    def extract(self, fetcher: Fetcher, cursor: Mapping[str, Any] | None = None) -> Iterator[Payload]:
        """The whole file as one payload; there is nothing incremental about a finished dataset."""
        yield fetcher.get(self.config.location, source=self.name)

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
        result = self.conform(rows, payload)
        # Repeated MMEIDs (mme3457, mme3458, mme3460 in v7) are rejected by conform: first row wins.
        result.rejected[:0] = [Rejected(record, reason) for record, reason in bad]
        return result
