"""Made-up commentary text that names real entities through the alias dictionary.

Why not lorem ipsum: the article pipeline's cost depends on what is in the text (how many aliases
match, how many sentences VADER scores, how long they are), so the synthetic articles read like
policy commentary: 500–1,500 words in 4–6-sentence paragraphs, with the aliases of
``seeds/entity_aliases.csv`` in their usual spelling and a policy vocabulary that carries tone.
"""

from __future__ import annotations

import csv
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path

ALIASES = Path(__file__).resolve().parents[1] / "seeds" / "entity_aliases.csv"

TEMPLATES = (
    "{person} met {person2} in {place} to discuss {issue}.",
    "The {agreement} remains central to how {country} and {country2} manage {issue}.",
    "Officials in {place} warned that {instrument} duties could {bad} {issue} for years.",
    "{country} has sought to {good} its ties with {country2} despite {trouble}.",
    "Forces from {country} and {country2} joined {exercise} drills near {place} this year.",
    "Critics argue that {trouble} will {bad} confidence in the {agreement}.",
    "Speaking after talks with {person}, {person2} praised the progress on {issue}.",
    "The {organization} said the decision would {good} cooperation on {issue}.",
    "Few in {place} expected {instrument} measures to last, yet they shaped {issue} for a decade.",
    "{person} described the {agreement} as a historic achievement for {country}.",
    "Tensions over {issue} have grown since {country} announced new {instrument} tariffs.",
    "The suspension of {exercise} alarmed allies who rely on {country} for deterrence.",
    "Business groups in {country} welcomed the deal but feared {trouble}.",
    "Negotiators from {country} and {country2} failed to resolve {trouble} before the summit.",
    "{organization} analysts noted that exports to {country} rose despite {trouble}.",
    "It is not clear whether {person} will {good} the partnership or {bad} it.",
    "Supporters of the {agreement} say it will {good} growth, while opponents fear {trouble}.",
    "In {place}, the mood was cautious: {issue} now depends on decisions made in {place2}.",
    "The alliance between {country} and {country2} has weathered {trouble} before.",
    "A senior official said {exercise} would resume once {trouble} eased.",
)
FILLERS = (
    "Supply chains for semiconductors and critical minerals remain a concern for both governments.",
    "The outcome will depend on domestic politics as much as on diplomacy.",
    "Markets reacted calmly, although investors remain wary of further escalation.",
    "Many observers see this as a turning point, but history suggests caution.",
    "The costs of delay are rising, and the window for a negotiated settlement is narrowing.",
    "Public opinion polls show strong support for the alliance, even as trade frictions persist.",
    "Farmers and carmakers have the most to lose from a prolonged dispute.",
    "This is a welcome step, but it is only a first step.",
    "Such disputes are rarely settled quickly, and rarely settled for good.",
    "The security environment in the region has deteriorated sharply over the past decade.",
)
WORDS = {
    "issue": ("market access for agricultural goods", "the bilateral trade deficit", "automobile tariffs",
              "regional security", "missile defence", "steel and aluminum overcapacity",
              "digital trade rules", "energy cooperation", "the costs of hosting troops", "supply chain resilience"),
    "good": ("strengthen", "deepen", "improve", "support", "reinforce", "revitalise"),
    "bad": ("undermine", "damage", "weaken", "threaten", "disrupt", "erode"),
    "trouble": ("rising tariffs", "a bitter trade dispute", "uncertainty over the troop presence",
                "missile launches", "currency friction", "a crisis of confidence", "protectionist pressure"),
}
FIRST_NAMES = ("Aiko", "Daniel", "Emily", "Hiroshi", "Kenji", "Laura", "Mariko", "Michael", "Sarah", "Takeshi")
LAST_NAMES = ("Abe", "Brown", "Carter", "Fujita", "Ito", "Klein", "Mori", "Nakamura", "Reyes", "Walsh")
TITLES = ("{country} and {country2}: {issue_t} after the summit", "Why {agreement} still matters",
          "{person} and the future of {issue}", "The alliance faces {trouble}",
          "What {exercise} tells us about deterrence", "{instrument} tariffs and {issue}")


@dataclass(frozen=True)
class Article:
    title: str
    author: str
    published: date
    paragraphs: list[str]


def load_aliases(path: Path = ALIASES) -> dict[str, list[str]]:
    """English aliases by entity type, in dictionary order."""
    by_type: dict[str, list[str]] = defaultdict(list)
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["language"] == "en":
                by_type[row["entity_type"]].append(row["alias"])
    return dict(by_type)


class ArticleWriter:
    """Article ``i`` is a pure function of ``(seed, i)``."""

    def __init__(self, seed: int, aliases: dict[str, list[str]] | None = None):
        self.seed = seed
        a = aliases or load_aliases()
        self.slots = {
            "person": a["person"], "country": a["country"], "place": a["place"], "agreement": a["agreement"],
            "instrument": [s for s in a["instrument"] if s[:1].isupper()] or a["instrument"],
            "exercise": a["exercise_series"], "organization": a["organization"], **WORDS,
        }

    def _fill(self, template: str, rng: random.Random) -> str:
        values = {}
        for slot in ("person", "country", "place"):
            first, second = rng.sample(self.slots[slot], 2)
            values[slot], values[f"{slot}2"] = first, second
        for slot in ("agreement", "instrument", "exercise", "organization", *WORDS):
            values[slot] = rng.choice(self.slots[slot])
        values["issue_t"] = values["issue"].capitalize()
        text = template.format(**values)
        return text[0].upper() + text[1:]

    def article(self, i: int, published: date) -> Article:
        rng = random.Random(f"{self.seed}:{i}")
        words_wanted = rng.randint(500, 1500)
        paragraphs, words = [], 0
        while words < words_wanted:
            sentences = [self._fill(rng.choice(TEMPLATES), rng) if rng.random() < 0.45 else rng.choice(FILLERS)
                         for _ in range(rng.randint(4, 6))]
            paragraph = " ".join(sentences)
            paragraphs.append(paragraph)
            words += paragraph.count(" ") + 1
        author = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        title = self._fill(rng.choice(TITLES), rng)
        return Article(title=f"{title} (no. {i})", author=author, published=published, paragraphs=paragraphs)
