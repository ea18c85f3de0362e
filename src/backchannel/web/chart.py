"""The actor timeline chart, drawn on the server as plain SVG geometry (no script, nothing fetched).

Layout: time runs left to right; each stance has a lane, ordered by
polarity (agrees, proposes, open above; urges in the middle; opposes,
refuses below), so a move toward talks reads as dots climbing.  Colour is
the channel (public, private, both, unknown).  Points that share a day (the
first day of a coarse date), a stance and a channel are drawn as one dot
whose area grows with the count; when that gives more than ``MAX_DOTS``
dots, points are merged by week, then by month, so an actor with a hundred
thousand signals still gives a chart of bounded size.  Undated signals cannot be placed and are
counted below the chart instead.

This module only computes numbers and labels; the template writes the SVG
elements, so every label goes through Jinja's escaping.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from backchannel.analysis import TimelinePoint

LANES = ("agrees", "proposes", "open", "urges", "opposes", "refuses")
CHANNEL_COLOURS = {"public": "#1f6fb2", "private": "#c2410c", "both": "#7c3aed", "unknown": "#6b7280"}
# Public dots sit a little above the lane's middle and private ones below, so the two never hide each other.
CHANNEL_OFFSETS = {"public": -7.0, "private": 7.0, "both": 0.0, "unknown": 0.0}

WIDTH, HEIGHT = 880, 300
LEFT, RIGHT, TOP, BOTTOM = 92, 20, 16, 42
MAX_DOTS = 600  # dots are merged by week, then by month, to stay under this; beyond it the oldest are dropped


@dataclass
class Dot:
    x: float
    y: float
    r: float
    colour: str
    stance: str
    channel: str
    day: str
    count: int
    signal_id: int  # the latest signal in the dot: what a click opens
    label: str


@dataclass
class Chart:
    width: int = WIDTH
    height: int = HEIGHT
    dots: list[Dot] = field(default_factory=list)
    lanes: list[tuple[str, float]] = field(default_factory=list)  # (stance, y)
    ticks: list[tuple[str, float]] = field(default_factory=list)  # (label, x)
    positive_band: tuple[float, float] = (0.0, 0.0)  # y and height of the "toward talks" lanes
    negative_band: tuple[float, float] = (0.0, 0.0)
    plot: tuple[float, float, float, float] = (LEFT, TOP, WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM)
    undated: int = 0
    other: int = 0  # signals with a stance outside the lanes
    dropped: int = 0  # dots not drawn beyond MAX_DOTS
    unit: str = "day"  # what one dot covers: "day", "week" or "month"
    legend: list[tuple[str, str]] = field(default_factory=lambda: list(CHANNEL_COLOURS.items()))

    @property
    def empty(self) -> bool:
        return not self.dots


def _bucket(day: date, unit: str) -> date:
    if unit == "week":
        return day - timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    return day


def _lane_y(index: int) -> float:
    step = (HEIGHT - TOP - BOTTOM) / len(LANES)
    return TOP + step * (index + 0.5)


def _ticks(first: date, last: date, x_of) -> list[tuple[str, float]]:
    """Day ticks for spans up to two months, month ticks up to two years, year ticks beyond; 12 at most."""
    days = (last - first).days
    if days <= 62:
        step = max(1, math.ceil((days + 1) / 8))
        return [((first + timedelta(days=i)).isoformat(), x_of(first + timedelta(days=i)))
                for i in range(0, days + 1, step)]
    months = (last.year - first.year) * 12 + last.month - first.month
    ticks: list[tuple[str, float]] = []
    if months <= 24:
        step = max(1, math.ceil((months + 1) / 12))
        y, m = first.year, first.month
        for i in range(months + 1):
            if i % step == 0 and (i or first.day == 1):
                ticks.append((f"{y}-{m:02d}", x_of(date(y, m, 1))))
            m += 1
            if m > 12:
                y, m = y + 1, 1
    else:
        years = last.year - first.year
        step = max(1, math.ceil((years + 1) / 12))
        for y in range(first.year, last.year + 1, step):
            if y > first.year or (first.month, first.day) == (1, 1):
                ticks.append((str(y), x_of(date(y, 1, 1))))
    return ticks


def timeline_chart(points: Sequence[TimelinePoint]) -> Chart:
    chart = Chart()
    lane_index = {stance: i for i, stance in enumerate(LANES)}
    chart.lanes = [(stance, _lane_y(i)) for i, stance in enumerate(LANES)]
    step = (HEIGHT - TOP - BOTTOM) / len(LANES)
    chart.positive_band = (TOP, step * 3)
    chart.negative_band = (TOP + step * 4, step * 2)
    placed: list[tuple[date, str, str, TimelinePoint]] = []
    for p in points:
        span = p.span
        if span is None:
            chart.undated += 1
            continue
        stance = (p.stance or "").lower()
        if stance not in lane_index:
            chart.other += 1
            continue
        channel = (p.channel or "unknown").lower()
        placed.append((span.start, stance, channel if channel in CHANNEL_COLOURS else "unknown", p))
    if not placed:
        return chart
    for unit in ("day", "week", "month"):
        groups: dict[tuple[date, str, str], list[TimelinePoint]] = {}
        for day, stance, channel, p in placed:
            groups.setdefault((_bucket(day, unit), stance, channel), []).append(p)
        if len(groups) <= MAX_DOTS:
            break
    chart.unit = unit
    keys = sorted(groups)
    if len(keys) > MAX_DOTS:
        chart.dropped = len(keys) - MAX_DOTS
        keys = keys[-MAX_DOTS:]
    first, last = keys[0][0], keys[-1][0]
    days = max(1, (last - first).days)
    left, top, width, _ = chart.plot
    pad = 12.0

    def x_of(d: date) -> float:
        if first == last:
            return left + width / 2
        return left + pad + (width - 2 * pad) * (d - first).days / days

    for key in keys:
        day, stance, channel = key
        members = groups[key]
        latest = max(members, key=lambda p: p.signal_id)
        count = len(members)
        when = {"day": day.isoformat(), "week": f"week of {day.isoformat()}", "month": day.isoformat()[:7]}[unit]
        label = f"{when} · {stance} · {channel}"
        label += f" · {count} signals" if count > 1 else f" · {latest.evidence[:100]}"
        chart.dots.append(Dot(
            x=round(x_of(day), 1), y=round(_lane_y(lane_index[stance]) + CHANNEL_OFFSETS[channel], 1), r=round(min(14.0, 4.5 * math.sqrt(count)), 1),
            colour=CHANNEL_COLOURS[channel], stance=stance, channel=channel, day=day.isoformat(), count=count,
            signal_id=latest.signal_id, label=label))
    chart.ticks = _ticks(first, last, x_of)
    return chart
