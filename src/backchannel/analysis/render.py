"""The analyses in the terminal (aligned text tables) and a timeline chart as a PNG or an SVG.

Pure formatting: each function takes what the analysis functions return and
gives back a string (or writes one file), so the CLI decides where output
goes and tests need no terminal.  The chart is drawn with matplotlib's Agg
canvas directly (no pyplot, no display, no global backend switch), so it
works on a headless server and never touches the network.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from pathlib import Path

from backchannel.analysis.corroboration import Claim
from backchannel.analysis.divergence import Divergence
from backchannel.analysis.points import POLARITY, TimelinePoint, point_order
from backchannel.analysis.timeline import trend
from backchannel.chains import chain_text
from backchannel.errors import BackchannelError


def _one_line(text: object) -> str:
    return " ".join(str(text or "").split())


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], width: int = 140) -> str:
    """Columns as wide as their widest cell (capped at 40), the last one wrapped into what is left."""
    fixed = [min(40, max([len(h), *(len(r[i]) for r in rows)])) for i, h in enumerate(headers[:-1])]
    last = max(30, width - sum(w + 2 for w in fixed))
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers[:-1], fixed, strict=True)) + "  " + headers[-1]]
    lines.append("-" * min(width, sum(w + 2 for w in fixed) + last))
    for row in rows:
        head = "  ".join(_clip(c, w).ljust(w) for c, w in zip(row[:-1], fixed, strict=True))
        tail = textwrap.wrap(row[-1], last) or [""]
        lines.append((head + "  " + tail[0]).rstrip())
        lines.extend((" " * len(head) + "  " + more).rstrip() for more in tail[1:])
    return "\n".join(lines) + "\n"


def render_timeline(points: Sequence[TimelinePoint], width: int = 140) -> str:
    """The timeline as a table (oldest first) and, under it, the trend."""
    if not points:
        return "No signals.\n"
    rows = [[str(p.signal_id), p.date or "-", p.actor, p.stance, p.topic, p.channel,
             chain_text(p.chain, "-"), _one_line(p.evidence)] for p in sorted(points, key=point_order)]
    out = table(["id", "date", "actor", "stance", "topic", "channel", "source chain", "evidence"], rows, width)
    return out + f"\ntrend: {trend(points)}\n"


def render_divergences(items: Sequence[Divergence], width: int = 140) -> str:
    """Each divergence as a heading and its public and private evidence, side by side in one table."""
    if not items:
        return "No divergences.\n"
    blocks = []
    for d in items:
        topic = f" [{d.topic}]" if d.topic else ""
        heading = f"{d.actor} — {d.period}{topic}: {d.kind}"
        rows = [[side, str(p.signal_id), p.date or "-", p.stance, p.topic, chain_text(p.chain, "-"),
                 _one_line(p.evidence)]
                for side, points in (("public", d.public), ("private", d.private)) for p in points]
        blocks.append(heading + "\n" + table(["side", "id", "date", "stance", "topic", "source chain",
                                              "evidence"], rows, width))
    return "\n".join(blocks)


def render_claims(claims: Sequence[Claim], width: int = 140) -> str:
    """Claims as a table: who, what, when, how many signals and outlets, and the independent origins."""
    if not claims:
        return "No claims.\n"
    rows = []
    for c in claims:
        dates = c.first_date if c.first_date == c.last_date else f"{c.first_date}..{c.last_date}"
        rows.append([c.actor, c.stance, c.topic, dates, str(len(c.signal_ids)), str(len(c.outlets)),
                     str(c.origin_count), c.verdict,
                     "; ".join(c.origin_names) + " — " + _one_line(c.evidence)])
    return table(["actor", "stance", "topic", "dates", "signals", "outlets", "origins", "verdict",
                  "origins — evidence"], rows, width)


_STANCE_COLOURS = {"open": "#2b8a3e", "proposes": "#37b24d", "agrees": "#1864ab", "urges": "#868e96",
                   "refuses": "#c92a2a", "opposes": "#e8590c"}
_CHANNEL_MARKERS = {"public": "o", "private": "s", "both": "D", "unknown": "x"}
#: The chart formats ``--plot`` writes, by file extension (matplotlib's own format names).
PLOT_FORMATS: dict[str, str] = {".png": "png", ".svg": "svg"}
#: Points labelled with their id and stance; past this many only the latest are, so labels stay legible.
MAX_POINT_LABELS = 40


def plot_format(path: str | Path) -> str:
    """The chart format for ``path`` (``PLOT_FORMATS``), or ``BackchannelError`` for any other extension or
    for a place no file can be written: checked before any work, so a typo costs one line, not a run."""
    target = Path(path)
    fmt = PLOT_FORMATS.get(target.suffix.lower())
    if fmt is None:
        raise BackchannelError(f"{target}: cannot draw a chart as {target.suffix or 'a file without extension'!r}; "
                               f"use {' or '.join(PLOT_FORMATS)}")
    try:
        if target.is_dir():
            raise BackchannelError(f"{target}: is a folder; give a chart file name")
        if target.parent.exists() and not target.parent.is_dir():
            raise BackchannelError(f"{target}: cannot write the chart there: {target.parent} is not a folder")
        if not target.parent.is_dir():
            raise BackchannelError(f"{target}: cannot write the chart there: the folder {target.parent} does not exist")
    except OSError as exc:  # a name too long, a folder we may not look into
        raise BackchannelError(f"{target}: cannot write the chart: {exc.strerror or exc}") from None
    return fmt


def lanes() -> list[tuple[int, str]]:
    """The chart's lanes, top to bottom: each polarity (``POLARITY``) with the stances it holds."""
    by_score: dict[int, list[str]] = {}
    for stance, score in POLARITY.items():
        by_score.setdefault(score, []).append(stance)
    return [(score, " / ".join(by_score[score])) for score in sorted(by_score, reverse=True)]


def plot_timeline(points: Sequence[TimelinePoint], path: str | Path, title: str = "") -> Path:
    """Write a chart (PNG or SVG, by ``path``'s extension): each dated signal in its stance's lane (toward
    talks above, against below), shaped by channel and labelled with its id and stance (the id is what
    ``backchannel show`` takes), with the running mean of the last five as a line.

    Undated signals cannot be placed and are left out; with none dated there is nothing to draw, and that
    is a ``BackchannelError`` (one line) rather than an empty chart.  Returns the path.
    """
    fmt = plot_format(path)
    dated = [p for p in sorted(points, key=point_order) if p.span is not None and p.score is not None]
    if not dated:
        raise BackchannelError(f"{path}: nothing to plot: none of the {len(points)} signals has a date")
    from matplotlib import rc_context
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    fig = Figure(figsize=(10, 4.5), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    xs = [p.span.start for p in dated]  # type: ignore[union-attr]
    for channel, marker in _CHANNEL_MARKERS.items():
        chosen = [(x, p) for x, p in zip(xs, dated, strict=True) if (p.channel or "unknown") == channel]
        if chosen:
            ax.scatter([x for x, _ in chosen], [p.score for _, p in chosen], marker=marker, s=46,
                       c=[_STANCE_COLOURS.get(p.stance, "#495057") for _, p in chosen], zorder=3)
    labelled = list(zip(xs, dated, strict=True))[-MAX_POINT_LABELS:]
    for i, (x, p) in enumerate(labelled):
        ax.annotate(f"#{p.signal_id} {p.stance}", (x, p.score), xytext=(4, 7 if i % 2 else -11),
                    textcoords="offset points", fontsize="x-small", color="#343a40", zorder=4)
    scores = [p.score for p in dated]
    running = [sum(scores[max(0, i - 4): i + 1]) / len(scores[max(0, i - 4): i + 1]) for i in range(len(scores))]
    ax.plot(xs, running, color="#495057", linewidth=1.2, zorder=2)
    lane_list = lanes()
    ax.set_yticks([score for score, _ in lane_list], labels=[label for _, label in lane_list])
    ax.set_ylim(-1.5, 1.5)
    for score, _ in lane_list:
        ax.axhline(score, color="#dee2e6", linewidth=0.8, zorder=1)
    note = "" if len(dated) <= MAX_POINT_LABELS else f" (labels on the latest {MAX_POINT_LABELS})"
    ax.set_title(title or f"{dated[0].actor}: {trend(points)}{note}")
    ax.set_ylabel("stance")
    handles = [Line2D([], [], linestyle="", marker=m, color="#495057", label=c) for c, m in _CHANNEL_MARKERS.items()]
    handles.append(Line2D([], [], color="#495057", linewidth=1.2, label="mean of\nthe last five"))
    ax.legend(handles=handles, title="channel", loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small",
              title_fontsize="small", frameon=False)  # beside the plot, never over a lane
    ax.margins(x=0.12)  # room for the last point's label
    fig.autofmt_xdate()
    fig.tight_layout()
    target = Path(path)
    try:
        with rc_context({"svg.fonttype": "none"}):  # SVG labels as <text>, searchable and selectable, not glyphs
            fig.savefig(target, format=fmt)
    except OSError as exc:
        raise BackchannelError(f"{target}: cannot write the chart: {exc.strerror or exc}") from None
    return target
