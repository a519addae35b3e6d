"""Property tests of the as-of rule, run against the dbt models' own compiled SQL.

Hypothesis draws small synthetic warehouses (articles, tariff actions with any combination of
announced / effective / ended dates and "raised ... by Proc. N" notes, exercises with any dates
and statuses, "section 232" mentions naming products); the models run on each one and the links
must obey the rule: nothing announced after an article is in force for it or what it mentions, a
replaced action is not in force once its replacement was announced and effective, and an exercise
outside the window is never in it. Every value here is synthetic.
"""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orchestration.enrich import MENTION_SCHEMA
from tests.analytics.dbt_sql import insert

WINDOW = 30  # exercise_window_days, the default of dbt_project.yml the compiled SQL carries
EPOCH = date(2016, 1, 1)
PRODUCTS = ["steel", "aluminum", "automobiles"]

days = st.integers(min_value=0, max_value=2 * 365).map(lambda n: EPOCH + timedelta(days=n))
maybe_day = st.one_of(st.none(), days)


@st.composite
def action_dates(draw):
    """Mostly realistic (effective a few weeks after the announcement), sometimes anything at all."""
    announced = draw(maybe_day)
    if announced is not None and draw(st.booleans()):
        effective = announced + timedelta(days=draw(st.integers(min_value=0, max_value=60)))
    else:
        effective = draw(maybe_day)
    return announced, effective, draw(st.one_of(st.none(), st.none(), days))


@st.composite
def tariff_actions(draw):
    n = draw(st.integers(min_value=1, max_value=6))
    rows = []
    for i in range(n):
        products = draw(st.lists(st.sampled_from(PRODUCTS), min_size=1, max_size=2, unique=True))
        raised_by = draw(st.one_of(st.none(), st.integers(min_value=0, max_value=n - 1)))
        announced, effective, ended = draw(action_dates())
        rows.append({
            "action_id": f"ACT_{i}",
            "title": f"Section 232 tariff on {' and '.join(products)}",
            "instrument": "section_232",
            "imposing": "USA",
            "affected": draw(st.sampled_from(["JPN", "ALL", "KOR", "JPN;KOR"])),
            "rate_pct": 25.0,
            "announced_on": announced,
            "effective_on": effective,
            "ended_on": ended,
            "legal_citation": f"Proc. {9000 + i} of 2018",
            "status_note": None if raised_by is None else f"Raised to 50% by Proc. {9000 + raised_by}.",
            "source_url": f"https://example.org/synthetic/{i}",
            "source": "synthetic",
        })
    return rows


@st.composite
def exercises(draw):
    rows = []
    for i in range(draw(st.integers(min_value=0, max_value=5))):
        start = draw(maybe_day)
        length = draw(st.one_of(st.none(), st.integers(min_value=0, max_value=40)))
        rows.append({
            "exercise_id": f"EX_{i}",
            "name": f"Keen Sword {i}",
            "series": "Keen Sword",
            "participants": draw(st.sampled_from(["USA;JPN", "USA;KOR", "JPN;USA;AUS"])),
            "start_date": start,
            "end_date": None if start is None or length is None else start + timedelta(days=length),
            "status": draw(st.sampled_from(["held", "suspended", "cancelled", "postponed", "scaled_down"])),
            "announced_on": draw(maybe_day),
            "source_url": f"https://example.org/synthetic/ex{i}",
            "source": "synthetic",
        })
    return rows


@st.composite
def articles_with_mentions(draw):
    articles, mentions = [], []
    for i in range(draw(st.integers(min_value=1, max_value=4))):
        article_id = f"art{i}"
        articles.append({"article_id": article_id, "source": "synthetic", "url": f"https://example.org/a/{i}",
                         "title": f"Synthetic article {i}", "published_on": draw(days), "language": "en"})
        words = draw(st.lists(st.sampled_from(PRODUCTS + ["Keen Sword"]), max_size=3))
        for j, word in enumerate(words):
            series = word == "Keen Sword"
            mentions.append({
                "article_id": article_id, "mention_id": f"{article_id}:{j}",
                "entity_type": "exercise_series" if series else "instrument",
                "entity_key": "Keen Sword" if series else "section_232",
                "record_table": "exercises" if series else "tariff_actions",
                "record_match": "Keen Sword" if series else "section_232",
                "topic": "security" if series else "trade",
                "alias": "Keen Sword" if series else "section 232",
                "matched_text": "Keen Sword" if series else "section 232",
                "start_char": 100 * j, "end_char": 100 * j + 10,
                "context": "Keen Sword was held." if series else f"The section 232 tariffs on {word} rose.",
                "tone": 0.0,
            })
    return articles, mentions


def _load(con, articles, mentions, actions, exs):
    insert(con, "raw.articles", pl.DataFrame(articles))
    if actions:
        insert(con, "raw.tariff_actions", pl.DataFrame(actions, schema_overrides={
            "announced_on": pl.Date, "effective_on": pl.Date, "ended_on": pl.Date, "status_note": pl.String}))
    if exs:
        insert(con, "raw.exercises", pl.DataFrame(exs, schema_overrides={
            "start_date": pl.Date, "end_date": pl.Date, "announced_on": pl.Date}))
    if mentions:
        insert(con, "enrich.article_mentions", pl.DataFrame(mentions, schema=MENTION_SCHEMA))


def _superseded(action, actions, day):
    """A later action whose citation the note says raised this one, announced and effective by `day`."""
    note = action["status_note"]
    if not note:
        return False
    start = action["announced_on"] or action["effective_on"]
    for later in actions:
        later_start = later["announced_on"] or later["effective_on"]
        if (later is not action and note == f"Raised to 50% by {later['legal_citation'].split(' of ')[0]}."
                and later["effective_on"] is not None and start is not None and later_start >= start
                and later["effective_on"] <= day and later_start <= day):
            return True
    return False


def _links(con):
    return con.execute("""
        select article_id, entity_type, entity_id, reason, published_on from marts.article_links
        where entity_type in ('tariff_action', 'exercise')
    """).fetchall()


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(articles_with_mentions(), tariff_actions(), exercises())
def test_links_obey_the_as_of_rule(compiled, drawn, actions, exs):
    articles, mentions = drawn
    with compiled.connect() as con:
        _load(con, articles, mentions, actions, exs)
        compiled.build(con, ["article_links"])
        links = _links(con)
    published = {a["article_id"]: a["published_on"] for a in articles}
    by_action = {a["action_id"]: a for a in actions}
    by_exercise = {e["exercise_id"]: e for e in exs}

    for article_id, etype, entity_id, reason, day in links:
        assert day == published[article_id]
        if etype == "tariff_action":
            a = by_action[entity_id]
            start = a["announced_on"] or a["effective_on"]
            # never linked, in force or mentioned, to an action announced after the article
            assert start is not None and start <= day, (reason, a, day)
            if reason == "in_force":
                assert a["effective_on"] is not None and a["effective_on"] <= day
                assert a["ended_on"] is None or a["ended_on"] > day
                assert "JPN" in a["affected"] or "ALL" in a["affected"]
                assert not _superseded(a, actions, day), (a, day)
        elif reason == "in_window":
            e = by_exercise[entity_id]
            assert e["start_date"] is not None, e
            last = e["end_date"] or e["start_date"]
            assert e["start_date"] <= day + timedelta(days=WINDOW) and last >= day - timedelta(days=WINDOW)
            assert {"USA", "JPN"} <= set(e["participants"].split(";"))

    # and the rule is complete: what it admits is linked
    linked = {(a, e, r) for a, _, e, r, _ in links}
    for article_id, day in published.items():
        for a in actions:
            start = a["announced_on"] or a["effective_on"]
            in_force = (start is not None and start <= day and a["effective_on"] is not None
                        and a["effective_on"] <= day and (a["ended_on"] is None or a["ended_on"] > day)
                        and ("JPN" in a["affected"] or "ALL" in a["affected"]) and not _superseded(a, actions, day))
            assert ((article_id, a["action_id"], "in_force") in linked) == in_force, (a, day)
        for e in exs:
            last = (e["end_date"] or e["start_date"])
            in_window = (e["start_date"] is not None and {"USA", "JPN"} <= set(e["participants"].split(";"))
                         and e["start_date"] <= day + timedelta(days=WINDOW) and last >= day - timedelta(days=WINDOW))
            assert ((article_id, e["exercise_id"], "in_window") in linked) == in_window, (e, day)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(days, st.lists(days, min_size=1, max_size=4, unique=True))
def test_a_series_mention_resolves_to_the_nearest_exercise(compiled, published_on, starts):
    """Which Keen Sword? The one nearest the publication date, whatever the order of the records."""
    exs = [{"exercise_id": f"KS_{i}", "name": f"Keen Sword {i}", "series": "Keen Sword", "participants": "USA;JPN",
            "start_date": s, "status": "held", "source": "synthetic"} for i, s in enumerate(starts)]
    mention = {"article_id": "a", "mention_id": "a:0", "entity_type": "exercise_series", "entity_key": "Keen Sword",
               "record_table": "exercises", "record_match": "Keen Sword", "topic": "security", "alias": "Keen Sword",
               "matched_text": "Keen Sword", "start_char": 0, "end_char": 10, "context": "Keen Sword.", "tone": 0.0}
    with compiled.connect() as con:
        _load(con, [{"article_id": "a", "source": "synthetic", "url": "https://example.org/a", "title": "t",
                     "published_on": published_on, "language": "en"}], [mention], [], exs)
        compiled.build(con, ["int_mentions_resolved"])
        (resolved,), = con.execute("select resolved_record_id from intermediate.int_mentions_resolved").fetchall()
    nearest = min(abs((s - published_on).days) for s in starts)
    assert abs((starts[int(resolved.split("_")[1])] - published_on).days) == nearest
