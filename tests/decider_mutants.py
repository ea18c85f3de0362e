"""A pytest plugin that breaks the signal decision on purpose, for the mutation check (test_mutation.py).

Loaded with ``-p decider_mutants`` (this folder on ``PYTHONPATH``) and ``BACKCHANNEL_MUTANT`` set to

* ``none``: no candidate is a signal (the learned decision returns nothing, the rules find nothing);
* ``open``: every candidate is an ``open`` signal, with the topic and channel the model likes best
  (the rules: every signal they find is ``open``, whatever stance they read).

A plugin is imported before any test module or conftest, so the modules that take ``decide`` or
``extract_signals`` by name get the broken one; modules already loaded are rebound as well.  Without
``BACKCHANNEL_MUTANT`` it changes nothing.
"""

from __future__ import annotations

import dataclasses
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
    def extract_signals(ctx, attributions, lex=None) -> list:
        return [dataclasses.replace(s, stance="open") for s in original(ctx, attributions, lex)]

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
