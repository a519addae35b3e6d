"""How entity matching scales with the dictionary (a plain script, not a timed test).

Times matching over the seed article with the real alias dictionary and with the same dictionary
padded to 10,000 SYNTHETIC aliases (made-up words, entity_key ``synthetic_*``; they never occur in
the text). Aho–Corasick cost depends on the text, not the number of aliases, so the ratio should
stay near 1: analysts can grow the dictionary without slowing the nightly run.

    .venv/bin/python benchmarks/entity_matching.py [ARTICLE.txt]
"""

from __future__ import annotations

import csv
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from orchestration.enrich import build_dictionary, find_mentions  # noqa: E402

SEED = ROOT.parent / "shared" / "seed" / "eastwest_2018-07-26_us-japan-relations.txt"
PADDED_SIZE = 10_000


def synthetic_rows(n: int, rng: random.Random) -> list[dict]:
    """Made-up aliases ("Qorvak Telmi 17"): label synthetic, shaped like real multi-word names."""
    def word() -> str:
        return "".join(rng.choice("bcdfghklmnpqrstvz") + rng.choice("aeiou") for _ in range(rng.randint(2, 4))).title()
    return [dict(entity_type="organization", entity_key=f"synthetic_{i:05d}", alias=f"{word()} {word()} {i}",
                 language="en", record_table="", record_match="", topic="diplomacy") for i in range(n)]


def best_ms(fn, repeat: int = 5, number: int = 200) -> float:
    """Best of ``repeat`` runs, in milliseconds per call (the minimum is the least noisy estimate)."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - t0) / number)
    return best * 1000


def main() -> None:
    article = Path(sys.argv[1]) if len(sys.argv) > 1 else SEED
    text = article.read_text(encoding="utf-8")
    with open(ROOT / "seeds" / "entity_aliases.csv", encoding="utf-8", newline="") as f:
        real_rows = list(csv.DictReader(f))
    padded_rows = real_rows + synthetic_rows(PADDED_SIZE - len(real_rows), random.Random(42))

    t0 = time.perf_counter()
    real = build_dictionary(real_rows)
    t1 = time.perf_counter()
    padded = build_dictionary(padded_rows)
    t2 = time.perf_counter()
    assert [m.start for m in real.match(text)] == [m.start for m in padded.match(text)]

    print(f"article: {article.name} ({len(text):,} chars, {len(real.match(text))} mentions)")
    print(f"build:   real {len(real):>6,} aliases {1000 * (t1 - t0):7.1f} ms | "
          f"padded {len(padded):>6,} aliases (synthetic) {1000 * (t2 - t1):7.1f} ms")
    for label, call in (("match only", lambda d: d.match(text)),
                        ("find_mentions (+ sentences, VADER)", lambda d: find_mentions("seed", text, d))):
        number = 200 if label == "match only" else 20
        r = best_ms(lambda: call(real), number=number)
        p = best_ms(lambda: call(padded), number=number)
        print(f"{label:<36} real {r:8.3f} ms | padded {p:8.3f} ms | ratio {p / r:5.2f}")


if __name__ == "__main__":
    main()
