"""The real-news quality gate: floors for a split, pinned to the data they were measured on.

In the spirit of trafilatura's evaluation gate, a floors file holds:

* ``digest``: the annotations and corpus the figures come from (``gold.split_digest``).  When the
  data changes the gate fails until the floors are measured again on the new data (``--pin-floors``);
  a figure is never compared with a floor set on other data.
* ``floors``: the minimum signal figures, and the maximum false signals per article of the negative
  kinds (``decoy``, ``war_no_talks``) and of the news stream's articles (``stream``), those the split has.
* ``best``: the best figures measured so far.  A floor more than ``noise_margin`` below the best is a
  regression, allowed only when ``lowered`` records it: ``--pin-floors --allow-regression REASON``
  writes that record, so lowering a floor is a visible, explained change.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from backchannel.corpus.evaluate import CorpusReport
from backchannel.corpus.texts import CorpusError

SIGNAL_METRICS: tuple[str, ...] = ("f1", "precision", "recall", "channel_acc", "when_acc")
FALSE_SIGNAL_KINDS: tuple[str, ...] = ("decoy", "war_no_talks", "stream")
DEFAULT_MARGIN = 0.01


def measured(result: CorpusReport) -> dict[str, float]:
    """The gated figures of a report, flat: ``signals.f1`` ... ``false_signals.decoy``."""
    s = result.report.signals.to_dict()
    false = result.false_signals()
    return {**{f"signals.{m}": float(s[m]) for m in SIGNAL_METRICS},
            **{f"false_signals.{k}": float(false[k]["per_article"]) for k in FALSE_SIGNAL_KINDS
               if false.get(k, {}).get("articles")}}


def _higher_is_better(metric: str) -> bool:
    return not metric.startswith("false_signals.")


def _flat(section: dict[str, Any]) -> dict[str, float]:
    return {f"{group}.{m}": float(v) for group, metrics in section.items() if not group.startswith("_")
            for m, v in metrics.items()}


def _nested(flat: dict[str, float]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for key, value in flat.items():
        group, metric = key.split(".", 1)
        out.setdefault(group, {})[metric] = round(value, 3)
    return out


def read_floors(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CorpusError(f"{path}: cannot read floors ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("floors"), dict):
        raise CorpusError(f"{path}: expected an object with 'floors', 'best' and 'digest'")
    return data


def check(result: CorpusReport, data: dict[str, Any]) -> list[str]:
    """One line per failure: a changed digest, a figure below its floor, an unrecorded lowered floor."""
    failures: list[str] = []
    pinned = data.get("digest") or {}
    for key in sorted(set(pinned) | set(result.digest)):  # the stream file's too, when the split reads it
        if pinned.get(key) != result.digest.get(key):
            failures.append(f"digest: {key} is {result.digest.get(key)!r}, floors were pinned on {pinned.get(key)!r} "
                            "(measure again with `backchannel eval --corpus ... --floors FILE --pin-floors`)")
    figures = measured(result)
    floors, best = _flat(data["floors"]), _flat(data.get("best") or {})
    margin = float(data.get("noise_margin", DEFAULT_MARGIN))
    lowered = {(e.get("metric"), e.get("to")) for e in data.get("lowered") or []}
    for metric, floor in floors.items():
        if metric not in figures:
            failures.append(f"floors: unknown metric {metric}")
            continue
        value, up = figures[metric], _higher_is_better(metric)
        if (value < floor) if up else (value > floor):
            failures.append(f"{metric} {value:.3f} {'<' if up else '>'} floor {floor:.3f}")
        if metric in best:
            slack = best[metric] - floor if up else floor - best[metric]
            if slack > margin + 1e-9 and (metric, round(floor, 3)) not in lowered:
                failures.append(f"{metric}: floor {floor:.3f} is {slack:.3f} from the best {best[metric]:.3f} "
                                "with no 'lowered' record (use --allow-regression REASON)")
    return failures


def pin(result: CorpusReport, data: dict[str, Any] | None, allow_regression: str = "",
        margin: float = DEFAULT_MARGIN) -> tuple[dict[str, Any], list[str]]:
    """New floors from ``result``: each floor moves to the figure less the margin, never down unless allowed.

    Returns the new file content and the refusals (floors that would have to go down without
    ``allow_regression``).  With refusals the content must not be written.
    """
    data = dict(data or {})
    figures = measured(result)
    old_floors, old_best = _flat(data.get("floors") or {}), _flat(data.get("best") or {})
    margin = float(data.get("noise_margin", margin))
    floors, best, refusals, lowered = {}, {}, [], list(data.get("lowered") or [])
    today = date.today().isoformat()
    for metric, value in figures.items():
        up = _higher_is_better(metric)
        target = round(max(value - margin, 0.0) if up else value + margin, 3)
        old = old_floors.get(metric)
        if old is not None and ((target < old) if up else (target > old)):
            if not allow_regression:
                refusals.append(f"{metric}: measured {value:.3f} would lower the floor {old:.3f} to {target:.3f}")
                target = old
            else:
                lowered.append({"metric": metric, "from": old, "to": target, "date": today,
                                "reason": allow_regression})
        elif old is not None:
            target = max(target, old) if up else min(target, old)
        floors[metric] = target
        prior = old_best.get(metric)
        best[metric] = value if prior is None or allow_regression else (
            max(value, prior) if up else min(value, prior))
    data.update({"split": result.split, "digest": dict(result.digest), "noise_margin": margin,
                 "floors": _nested(floors), "best": _nested(best), "lowered": lowered})
    return data, refusals
