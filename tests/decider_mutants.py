"""A pytest plugin that breaks the signal decision on purpose, for the mutation check (test_mutation.py).

Loaded with ``-p decider_mutants`` (this folder on ``PYTHONPATH``) and ``BACKCHANNEL_MUTANT`` set to

* ``none``: no candidate is a signal (the learned decision returns nothing, the rules find nothing);
* ``open``: every candidate is an ``open`` signal, with the topic and channel the model likes best
  (the rules: every candidate pair of ``find_candidates`` is ``open``, with the rules' topic and channel
  where they found a signal there, else ``talks`` and ``unknown``).

A plugin is imported before any test module or conftest, so the modules that take ``decide`` or
``extract_signals`` by name get the broken one; modules already loaded are rebound as well.  Without
``BACKCHANNEL_MUTANT`` it changes nothing.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

import backchannel.nlp.decision as decision
import backchannel.nlp.signals as signals

MUTANT = os.environ.get("BACKCHANNEL_MUTANT", "")


def _decide_none(candidates, scores, threshold) -> list:
    return []


def _decide_open(candidates, scores, threshold) -> list:
    out = [decision.Decision(c, "open", max(sc.stance.values()), max(sc.topic, key=sc.topic.get),
                             max(sc.channel, key=sc.channel.get), sc)
           for c, sc in zip(candidates, scores, strict=True)]
    return sorted(out, key=lambda d: d.candidate.sent.start_char)


def _rules_none(ctx, attributions, lex=None) -> list:
    return []


def _rules_open(original: Callable[..., list]) -> Callable[..., list]:
    """Every candidate pair of the learned decision's candidate rules becomes an ``open`` signal; the
    topic and channel are the rules' own where they found a signal for that holder in that sentence."""
    candidates = sys.modules[decision.Candidate.__module__]  # wherever the candidate rules live

    def extract_signals(ctx, attributions, lex=None) -> list:
        if not signals.is_about_war(ctx.doc):
            return []
        found = {(s.actor, (s.evidence_span or (0, 0))[0]): s for s in original(ctx, attributions, lex)}
        decisions = []
        for c in candidates.find_candidates(ctx, attributions):
            rule = next((s for (actor, start), s in found.items()
                         if actor == c.holder.name and c.sent.start_char <= start < c.sent.end_char), None)
            decisions.append(decision.Decision(c, "open", 1.0, rule.topic if rule else "talks",
                                               rule.channel if rule else "unknown"))
        return decision.to_signals(ctx, attributions, decisions)

    return extract_signals


def _swap(module: Any, name: str, mutant: Callable[..., Any]) -> None:
    """Replace ``module.name`` and every binding of the original in the package's loaded modules."""
    original = getattr(module, name)
    for loaded in list(sys.modules.values()):
        if getattr(loaded, "__name__", "").startswith("backchannel") and getattr(loaded, name, None) is original:
            setattr(loaded, name, mutant)


if MUTANT == "none":
    _swap(decision, "decide", _decide_none)
    _swap(signals, "extract_signals", _rules_none)
elif MUTANT == "open":
    _swap(decision, "decide", _decide_open)
    _swap(signals, "extract_signals", _rules_open(signals.extract_signals))
elif MUTANT:
    raise SystemExit(f"BACKCHANNEL_MUTANT must be 'none' or 'open', not {MUTANT!r}")
