"""The analyst's view over the store: timelines, public-vs-private divergence, corroboration by origins.

- ``timeline``      an actor's signals over time, and ``trend`` (moving toward talks, hardening, ...)
- ``divergence``    public and private stances of one actor pointing opposite ways in one period
- ``corroboration`` signals grouped into claims, counted by independent origin
- ``claims``        a list of signals shown one row per claim ("reported by N outlets, M independent origins")
- ``render``        the same as terminal tables, and ``plot_timeline`` (PNG or SVG)

Supporting modules: ``points`` (the signal record and stance polarity),
``dates`` (date intervals and periods), ``actors`` (actor and state grouping,
streamed reads), ``origins`` (a signal's stored origin as a key), ``similarity``
(word overlap and near-duplicate texts).  Each module's docstring states its
rules.  All functions read through the store's public query methods, streamed,
so they work on SQLite and PostgreSQL alike.
"""

from backchannel.analysis.corroboration import (
    Claim,
    Origin,
    SketchCache,
    claim_for,
    corroboration,
    iter_claims,
)
from backchannel.analysis.divergence import BACK_CHANNEL, REVERSE, Divergence, divergence, iter_divergences
from backchannel.analysis.origins import origin_of
from backchannel.analysis.points import POLARITY, TimelinePoint
from backchannel.analysis.render import plot_timeline, render_claims, render_divergences, render_timeline
from backchannel.analysis.timeline import HARDENING, MIXED, STEADY, TOWARD_TALKS, TRENDS, timeline, trend

__all__ = [
    "BACK_CHANNEL",
    "HARDENING",
    "MIXED",
    "POLARITY",
    "REVERSE",
    "STEADY",
    "TOWARD_TALKS",
    "TRENDS",
    "Claim",
    "Divergence",
    "Origin",
    "SketchCache",
    "TimelinePoint",
    "claim_for",
    "corroboration",
    "divergence",
    "iter_claims",
    "iter_divergences",
    "origin_of",
    "plot_timeline",
    "render_claims",
    "render_divergences",
    "render_timeline",
    "timeline",
    "trend",
]
