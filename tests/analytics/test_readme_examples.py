"""The README's example questions still give the answers printed under them, on the sample.

Each ```sql block of the "For analysts" section runs read-only against the refreshed snapshot (as
`alliance sql` would) and its rows must read, word for word, as the block that follows it.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from orchestration.cli.sql import run_readonly_query
from orchestration.lib.config import PROJECT_ROOT

pytestmark = pytest.mark.integration


def _examples() -> list[tuple[str, list[str]]]:
    text = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## For analysts", 1)[1].split("\n## ", 1)[0]
    pairs = re.findall(r"```sql\n(.*?)```\s*```\n(.*?)```", section, flags=re.S)
    return [(sql, [line for line in out.splitlines() if line.strip()]) for sql, out in pairs]


def _words(values) -> list[str]:
    return " ".join("" if v is None else v.isoformat() if isinstance(v, date) else str(v) for v in values).split()


def test_the_readme_has_five_examples():
    assert len(_examples()) == 5


@pytest.mark.parametrize("index", range(5))
def test_readme_example_answers_hold(refreshed, index):
    _, wh, _ = refreshed
    sql, expected = _examples()[index]
    columns, rows = run_readonly_query(wh.published_path, sql)
    assert _words(columns) == expected[0].split()
    assert [_words(r) for r in rows] == [line.split() for line in expected[1:]]
