"""What an analyst's correction may say, and how corrections change the signals the store returns.

Why corrections are kept beside the signals instead of editing them: ``reprocess``
deletes an article's signals and extracts them again, with new ids.  A correction
written into the signal row would vanish with it.  So each correction is its own
row, keyed on what stays the same across extractions (the article, the evidence
span and the actor as extracted), re-attached to the new signal after every
re-extraction (``Store.replace_extraction``), and applied whenever the store
returns a signal (``apply``), so the CLI, the web pages, the API, the exports and
the analyses all see the analyst's reading, marked ``corrected``.

Kinds of correction (the ``field`` column):

* ``stance``, ``topic``, ``actor``, ``channel``, ``when``: the signal's value is
  wrong; ``value`` is the right one (the latest correction of a field wins; the
  extracted value is kept in ``original``);
* ``not_a_signal``: the extractor was wrong to see a position there at all
  (``not_a_signal: true``; the row stays, marked, so the mistake is visible and
  countable, and the annotation export leaves it out);
* ``missed``: a signal the extractor did not find, added from a sentence of the
  article; ``value`` holds its fields as JSON, and it has no signal id;
* ``""`` or ``terms``, ``sources``, ``evidence``, ``other``: a note only; the
  signal is not changed and not counted as corrected.

Filters (``--actor``, ``--stance``, ``--topic``, ``--channel``, and the web's) match the corrected
values, as every reader shows them (``queries._as_corrected``); the date filters still read the
extracted ``when``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from backchannel.errors import BackchannelError
from backchannel.records import CHANNELS, STANCES, TOPICS

CHANGES: tuple[str, ...] = ("stance", "topic", "actor", "channel", "when")
NOT_A_SIGNAL = "not_a_signal"
MISSED = "missed"
NOTES: tuple[str, ...] = ("terms", "sources", "evidence", "other")
FIELDS: tuple[str, ...] = (*CHANGES, NOT_A_SIGNAL, MISSED, *NOTES)
MAX_ACTOR = 100  # a name, as the annotation files allow
MAX_AUTHOR = 100
_LABELS: dict[str, tuple[str, ...]] = {"stance": STANCES, "topic": TOPICS, "channel": CHANNELS}

COLUMNS = ("id, signal_id, article_id, evidence_start, evidence_end, actor, field, value, note, author, "
           "created_at")


class CorrectionError(BackchannelError):
    """A correction that cannot be recorded: an unknown field or a value that is not a label or a date."""


def check_value(field: str, value: str) -> str:
    """``value`` checked for ``field`` (a label of docs/SCHEMA.md, a date, a short name), stripped."""
    from backchannel.corpus.annotations import valid_when

    value = " ".join((value or "").split())
    if field in _LABELS:
        if value.lower() not in _LABELS[field]:
            raise CorrectionError(f"{field}: {value!r} is not one of {', '.join(_LABELS[field])}")
        return value.lower()
    if field == "when":
        if not value or not valid_when(value):
            raise CorrectionError(f"when: {value!r} is not a real date written YYYY, YYYY-MM or YYYY-MM-DD")
        return value
    if field == "actor":
        if not value or len(value) > MAX_ACTOR:
            raise CorrectionError(f"actor: a name of 1 to {MAX_ACTOR} characters")
        return value
    if field not in FIELDS and field:
        raise CorrectionError(f"field: {field!r} is not one of {', '.join(FIELDS)}")
    return value


def check_missed(fields: Mapping[str, Any]) -> dict[str, str]:
    """The fields of an added signal (actor, stance, topic; channel and when optional), each checked."""
    out: dict[str, str] = {}
    for name in ("actor", "stance", "topic"):
        out[name] = check_value(name, str(fields.get(name) or ""))
    out["channel"] = check_value("channel", str(fields.get("channel") or "unknown"))
    when = str(fields.get("when") or "").strip()
    out["when"] = check_value("when", when) if when else ""
    return out


def check_author(author: str) -> str:
    author = " ".join((author or "").split())
    if len(author) > MAX_AUTHOR:
        raise CorrectionError(f"by: at most {MAX_AUTHOR} characters")
    return author


def missed_signal(row: Mapping[str, Any]) -> dict[str, Any]:
    """A ``missed`` correction row as a signal of its article: the added fields, the span, who and when."""
    fields = json.loads(row["value"] or "{}")
    return {"correction_id": int(row["id"]), "article_id": row["article_id"], **fields,
            "evidence_span": [row["evidence_start"], row["evidence_end"]], "author": row["author"],
            "note": row["note"], "created_at": row["created_at"]}


def apply(signal: dict[str, Any], corrections: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """``signal`` (a ``signal_dict``) with its corrections applied, oldest first; adds ``corrected``,
    ``not_a_signal`` and ``original`` (the extracted value of each changed field)."""
    original: dict[str, Any] = {}
    rejected = False
    for c in corrections:
        field = c["field"]
        if field in CHANGES:
            original.setdefault(field, signal[field])
            signal[field] = c["value"]
        elif field == NOT_A_SIGNAL:
            rejected = True
    if "when" in original:
        signal["date"] = signal["when"] or signal.get("published") or ""
    signal["corrected"] = bool(original) or rejected
    signal["not_a_signal"] = rejected
    signal["original"] = original
    return signal


def uncorrected(signal: dict[str, Any]) -> dict[str, Any]:
    """The marks ``apply`` adds, for a signal with no correction."""
    signal.update(corrected=False, not_a_signal=False, original={})
    return signal


def reattach(corrections: Iterable[Mapping[str, Any]], signals: Iterable[Mapping[str, Any]]) -> dict[int, int | None]:
    """Each correction's signal among an article's freshly extracted ``signals``: the one with the same actor
    (as extracted) and evidence span, else the same actor with the most overlapping span, else none."""
    signals = list(signals)
    found: dict[int, int | None] = {}
    for c in corrections:
        same_actor = [s for s in signals if s["actor"] == c["actor"]]
        exact = [s for s in same_actor if (s["evidence_start"], s["evidence_end"]) == (c["evidence_start"],
                                                                                         c["evidence_end"])]
        if exact:
            found[int(c["id"])] = int(exact[0]["id"])
            continue
        best, best_overlap = None, 0
        for s in same_actor:
            if None in (s["evidence_start"], c["evidence_start"]):
                continue
            overlap = min(s["evidence_end"], c["evidence_end"]) - max(s["evidence_start"], c["evidence_start"])
            if overlap > best_overlap:
                best, best_overlap = int(s["id"]), overlap
        found[int(c["id"])] = best
    return found
