"""The timeline drawn with matplotlib: one figure for both the PNG and the page's SVG.

Three panels share the time axis: the bilateral goods balance (annual line, and the monthly
figures on their own scale), the tariff actions and agreements between the pair (announced and
effective markers, a bar while in force), and the articles placed by tone. Exercises are bands
across all three, coloured by status. Every marker and band gets an id and a hover text, which
:mod:`.timeline_html` turns into SVG ``<title>`` elements; the text itself is never drawn into the
figure, so nothing from an article can change the drawing.
"""

from __future__ import annotations

from datetime import date, timedelta

from matplotlib.colors import TwoSlopeNorm
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from .timeline_data import TimelineData

WIDTH_IN, HEIGHT_IN, DPI = 14, 9, 100  # the PNG is 1400 x 900 pixels
STATUS_COLOURS = {"held": "#4c72b0", "scaled_down": "#dd8452", "postponed": "#8172b3",
                  "suspended": "#c44e52", "cancelled": "#937860"}
MIN_BAND_DAYS = 7  # so an exercise known only by one date is still visible
TONE = TwoSlopeNorm(vmin=-1, vcenter=0, vmax=1)
TONE_CMAP = "RdYlBu"


def draw_timeline(data: TimelineData, title: str) -> tuple[Figure, dict[str, str]]:
    """The figure and, for each artist id, the text shown when hovering over it."""
    fig = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI)
    # fixed margins, not a layout engine: the three time axes must line up exactly
    fig.subplots_adjust(left=0.13, right=0.91, top=0.93, bottom=0.05, hspace=0.22)
    trade_ax, tariff_ax, article_ax = fig.subplots(3, 1, sharex=True, height_ratios=[3, 3, 2])
    fig.suptitle(title, fontsize=13)
    hover: dict[str, str] = {}
    start, end = _time_range(data)
    _draw_exercises(data, (trade_ax, tariff_ax, article_ax), start, end, hover)
    _draw_trade(data, trade_ax, hover)
    _draw_tariffs(data, tariff_ax, end, hover)
    _draw_articles(data, article_ax, fig, hover)
    article_ax.set_xlim(start, end)
    return fig, hover


def _time_range(data: TimelineData) -> tuple[date, date]:
    days = [d for col, frame in (("published_on", data.articles), ("timeline_start", data.tariffs))
            for d in frame[col].drop_nulls().to_list()]
    if data.trade.height:
        days += data.trade.filter(data.trade["period_type"] == "month")["period_end"].to_list()
    if not days:
        today = date.today()
        return today - timedelta(days=365), today
    return min(days) - timedelta(days=180), max(days) + timedelta(days=120)


def _draw_exercises(data, axes, start, end, hover) -> None:
    for i, row in enumerate(data.exercises.iter_rows(named=True)):
        first = row["start_date"] or row["reference_date"]
        last = max(row["end_date"] or first, first + timedelta(days=MIN_BAND_DAYS))
        if last < start or first > end:
            continue
        text = (f"{row['name']} ({row['exercise_id']})\nstatus: {row['status']}\n"
                f"{_span(row['start_date'], row['end_date'], row['reference_date'])}\n"
                f"participants: {', '.join(row['participants'] or [])}")
        for j, ax in enumerate(axes):
            band = ax.axvspan(first, last, color=STATUS_COLOURS.get(row["status"], "#999999"), alpha=0.25,
                              linewidth=0, hatch=None if row["start_date"] else "//")
            band.set_gid(f"exercise-{i}-{j}")
            hover[f"exercise-{i}-{j}"] = text


def _span(start, end, reference) -> str:
    if start is None:
        return f"no dates held; announced {reference}"
    return f"{start} to {end}" if end else f"from {start}"


def _draw_trade(data, ax, hover) -> None:
    ax.set_ylabel("annual balance, bn USD")
    ax.axhline(0, color="#888888", linewidth=0.6)
    annual = data.trade.filter(data.trade["period_type"] == "year")
    mids = [s + (e - s) / 2 for s, e in zip(annual["period_start"], annual["period_end"])]
    values = [v / 1e9 for v in annual["balance_usd"]]
    ax.plot(mids, values, color="#333333", linewidth=1.8, label="annual goods balance (left)")
    for i, (x, v, row) in enumerate(zip(mids, values, annual.iter_rows(named=True))):
        point, = ax.plot([x], [v], "o", color="#333333", markersize=5)
        point.set_gid(f"trade-year-{i}")
        hover[point.get_gid()] = f"{row['period']}: balance {v:+.1f} bn USD ({row['balance_basis']})"
    monthly = data.trade.filter(data.trade["period_type"] == "month")
    handles = [Line2D([], [], color="#333333", marker="o", label="annual goods balance (left axis)")]
    if monthly.height:
        month_ax = ax.twinx()
        month_ax.set_ylabel("monthly balance, bn USD")
        mids = [s + (e - s) / 2 for s, e in zip(monthly["period_start"], monthly["period_end"])]
        values = [v / 1e9 for v in monthly["balance_usd"]]
        month_ax.plot(mids, values, color="#2a9d8f", linewidth=1.2, linestyle="--")
        for i, (x, v, row) in enumerate(zip(mids, values, monthly.iter_rows(named=True))):
            point, = month_ax.plot([x], [v], ".", color="#2a9d8f", markersize=5)
            point.set_gid(f"trade-month-{i}")
            hover[point.get_gid()] = f"{row['period']}: balance {v:+.2f} bn USD ({row['balance_basis']})"
        handles.append(Line2D([], [], color="#2a9d8f", linestyle="--", marker=".",
                              label="monthly goods balance (right axis)"))
    handles += [Patch(color=c, alpha=0.35, label=f"exercise: {s}") for s, c in STATUS_COLOURS.items()]
    ax.legend(handles=handles, loc="upper left", fontsize=7, ncol=4, framealpha=0.8)
    ax.set_title("US goods trade balance with the partner; exercises as bands", fontsize=9, loc="left")


def _draw_tariffs(data, ax, end, hover) -> None:
    ax.set_title("Tariff actions and agreements: ○ announced, ◆ effective, bar while in force", fontsize=9,
                 loc="left")
    rows = list(data.tariffs.iter_rows(named=True))
    for y, row in enumerate(rows):
        colour = "#6a4c93" if row["entity_type"] == "agreement" else "#b5179e"
        announced, effective = row["announced_on"], row["effective_on"]
        if effective:
            ax.plot([effective, row["in_force_end"] or end], [y, y], color=colour, linewidth=3, alpha=0.35)
        if announced and effective and effective > announced:
            ax.plot([announced, effective], [y, y], color=colour, linewidth=1, linestyle=":")
        base = (f"{row['action_id']}: {row['title']}\ninstrument: {row['instrument']}"
                + (f", rate {row['rate_pct']:g}%" if row["rate_pct"] is not None else "")
                + (f"\nreplaced by {row['superseded_by']}" if row["superseded_by"] else ""))
        for kind, day, marker, face in (("announced", announced, "o", "white"), ("effective", effective, "D", colour)):
            if day is None:
                continue
            point, = ax.plot([day], [y], marker, markersize=7, markeredgecolor=colour, markerfacecolor=face)
            point.set_gid(f"tariff-{y}-{kind}")
            hover[point.get_gid()] = f"{base}\n{kind} {day}"
    ax.set_yticks(range(len(rows)), [r["action_id"] for r in rows], fontsize=6)
    ax.set_ylim(len(rows) - 0.5, -0.5)


def _draw_articles(data, ax, fig, hover) -> None:
    ax.set_title("Articles by tone (VADER, approximate)", fontsize=9, loc="left")
    ax.set_ylabel("tone")
    ax.set_ylim(-1.05, 1.05)
    ax.axhline(0, color="#888888", linewidth=0.6)
    scatter = None
    for i, row in enumerate(data.articles.iter_rows(named=True)):
        tone = row["tone"]
        if tone is None:  # not scored (not English): a hollow point on the zero line
            point = ax.scatter([row["published_on"]], [0.0], s=60, facecolors="none", edgecolors="#333333")
        else:
            point = scatter = ax.scatter([row["published_on"]], [tone], c=[tone], cmap=TONE_CMAP, norm=TONE, s=60,
                                         edgecolors="#333333", linewidths=0.6)
        point.set_gid(f"article-{i}")
        in_force = ", ".join(row["tariff_actions_in_force"] or []) or "none"
        exercises = ", ".join(row["exercises_in_window"] or []) or "none"
        tone_text = f"{tone:+.2f} ({row['tone_label']})" if tone is not None else "not scored (not English)"
        hover[point.get_gid()] = (f"{row['published_on']}: {row['title']}\nsource: {row['source']}; tone {tone_text}\n"
                                  f"tariffs in force: {in_force}\nexercises in window: {exercises}")
    if scatter is not None:
        bottom, height = ax.get_position().y0, ax.get_position().height
        fig.colorbar(scatter, cax=fig.add_axes((0.955, bottom, 0.01, height)), label="tone")
