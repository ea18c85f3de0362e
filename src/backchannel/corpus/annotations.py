"""Annotation files: one JSON file per corpus article, holding labels and spans, never text.

A file ``<id>.json`` looks like this (spans are ``[start, end]`` character
offsets into the corpus text; docs/SCHEMA.md defines every label)::

    {"id": "abp-…", "sha256": "<sha256 of the text>", "annotators": ["r3"],
     "attributions_annotated": true,
     "signals": [{"id": "s1", "actor": "Hamas", "aliases": ["Hamas"], "stance": "agrees",
                  "topic": "ceasefire", "channel": "public", "terms": [[10, 42]],
                  "when": "2014-08", "sources": [], "evidence": [0, 120], "evidence_alt": []}],
     "attributions": [{"id": "a1", "speaker": "Khaled Meshaal", "aliases": ["Meshaal"],
                       "speaker_kind": "named", "cue": "said", "content": [130, 190],
                       "kind": "indirect", "via": []}]}

Names (actor, aliases, sources, speaker, cue, via) are short strings; anything
longer than ``MAX_NAME_CHARS`` is refused, so no passage of an outlet's text can
slip into the repository.  ``materialize`` joins a file with its text into the
gold format of docs/SCHEMA.md that the scorer reads.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from backchannel.corpus.texts import CorpusArticle, text_sha256
from backchannel.records import ATTRIBUTION_KINDS, CHANNELS, SPEAKER_KINDS, STANCES, TOPICS

#: A name, alias, source or cue longer than this is text, not a name.
MAX_NAME_CHARS = 100
#: An evidence span longer than this is a paragraph, not a sentence.
MAX_EVIDENCE_CHARS = 600

FILE_KEYS = {"id", "sha256", "annotators", "attributions_annotated", "signals", "attributions", "adjudicated"}
SIGNAL_KEYS = {"id", "actor", "aliases", "stance", "topic", "channel", "terms", "when", "sources",
               "evidence", "evidence_alt"}
ATTRIBUTION_KEYS = {"id", "speaker", "aliases", "speaker_kind", "cue", "content", "kind", "via"}
_WHEN = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one annotation file, printed as one line."""

    path: Path
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.where + ': ' if self.where else ''}{self.message}"


def read_annotation(path: Path) -> dict[str, Any]:
    """The parsed file; a ValueError or OSError names what went wrong."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    return data


def dump_annotation(data: dict[str, Any]) -> str:
    """The file's JSON, one field a line but each span ``[start, end]`` on one line, for readable diffs."""
    text = json.dumps(data, ensure_ascii=False, indent=1)
    return re.sub(r"\[\s*(\d+),\s*(\d+)\s*\]", r"[\1, \2]", text) + "\n"


def annotation_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.json") if p.is_file())


def valid_when(value: Any) -> bool:
    if value == "":
        return True
    m = _WHEN.match(value) if isinstance(value, str) else None
    if not m:
        return False
    year, month, day = int(m[1]), int(m[2] or 1), int(m[3] or 1)
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


class _Checker:
    """Collects the problems of one file; each check appends one line and never raises."""

    def __init__(self, path: Path, text_len: int | None) -> None:
        self.path = path
        self.text_len = text_len
        self.problems: list[Problem] = []

    def add(self, where: str, message: str) -> None:
        self.problems.append(Problem(self.path, where, message))

    def name(self, where: str, value: Any, *, empty_ok: bool = False) -> None:
        if not isinstance(value, str) or (not value.strip() and not empty_ok):
            self.add(where, "must be a non-empty string")
        elif len(value) > MAX_NAME_CHARS:
            self.add(where, f"longer than {MAX_NAME_CHARS} characters: a name, not a passage")

    def names(self, where: str, value: Any, *, empty_ok: bool = True) -> None:
        if not isinstance(value, list) or (not value and not empty_ok):
            self.add(where, "must be a list of strings" + ("" if empty_ok else " (at least one)"))
            return
        for i, item in enumerate(value):
            self.name(f"{where}[{i}]", item)

    def label(self, where: str, value: Any, allowed: tuple[str, ...]) -> None:
        if value not in allowed:
            self.add(where, f"{value!r} is not one of {', '.join(allowed)}")

    def span(self, where: str, value: Any, max_chars: int | None = None) -> tuple[int, int] | None:
        if (not isinstance(value, list) or len(value) != 2
                or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)):
            self.add(where, "must be a span [start, end] of two integers")
            return None
        start, end = value
        if not 0 <= start < end:
            self.add(where, f"span [{start}, {end}] is empty or negative")
            return None
        if self.text_len is not None and end > self.text_len:
            self.add(where, f"span [{start}, {end}] ends after the text ({self.text_len} characters)")
            return None
        if max_chars is not None and end - start > max_chars:
            self.add(where, f"span [{start}, {end}] is {end - start} characters: a sentence, not a paragraph")
        return start, end

    def spans(self, where: str, value: Any, max_chars: int | None = None) -> None:
        if not isinstance(value, list):
            self.add(where, "must be a list of spans")
            return
        for i, item in enumerate(value):
            self.span(f"{where}[{i}]", item, max_chars)

    def record(self, kind: str, index: int, record: Any, allowed: set[str], seen_ids: set[Any]) -> str | None:
        """Check a signal's or attribution's shape and id; its name for messages, or None if unusable."""
        if not isinstance(record, dict):
            self.add(f"{kind}s[{index}]", "must be an object")
            return None
        rid = record.get("id")
        where = f"{kind} {rid}" if isinstance(rid, str) else f"{kind}s[{index}]"
        self.keys(where, record, allowed)
        self.name(f"{where}.id", rid)
        if rid in seen_ids:
            self.add(where, "duplicate id")
        seen_ids.add(rid)
        return where

    def keys(self, where: str, record: dict[str, Any], allowed: set[str]) -> None:
        unknown = sorted(set(record) - allowed)
        missing = sorted(allowed - set(record) - {"adjudicated"})
        if unknown:
            self.add(where, f"unknown field(s) {', '.join(unknown)}")
        if missing:
            self.add(where, f"missing field(s) {', '.join(missing)}")


def check_annotation(path: Path, data: dict[str, Any], article: CorpusArticle | None) -> list[Problem]:
    """Every problem of one parsed annotation file against its corpus article (None: not in the corpus)."""
    c = _Checker(path, len(article.text) if article else None)
    c.keys("", data, FILE_KEYS)
    art_id = data.get("id")
    if art_id != path.stem:
        c.add("id", f"{art_id!r} does not match the file name {path.stem!r}")
    if article is None:
        c.add("id", f"{art_id!r} is not an article of the corpus")
    elif data.get("sha256") != text_sha256(article.text):
        c.add("sha256", "does not match the corpus text (the text changed, or the file is for another article)")
    c.names("annotators", data.get("annotators"), empty_ok=False)
    if not isinstance(data.get("attributions_annotated"), bool):
        c.add("attributions_annotated", "must be true or false")
    signals = data.get("signals")
    if not isinstance(signals, list):
        c.add("signals", "must be a list")
        signals = []
    seen_ids: set[str] = set()
    seen_signals: dict[tuple[str, str, tuple[int, ...]], str] = {}
    for i, sig in enumerate(signals):
        where = c.record("signal", i, sig, SIGNAL_KEYS, seen_ids)
        if where is None:
            continue
        sid = sig.get("id")
        c.name(f"{where}.actor", sig.get("actor"))
        c.names(f"{where}.aliases", sig.get("aliases"), empty_ok=False)
        c.label(f"{where}.stance", sig.get("stance"), STANCES)
        c.label(f"{where}.topic", sig.get("topic"), TOPICS)
        c.label(f"{where}.channel", sig.get("channel"), CHANNELS)
        if not valid_when(sig.get("when")):
            c.add(f"{where}.when", f"{sig.get('when')!r} is not empty, YYYY, YYYY-MM or YYYY-MM-DD")
        c.names(f"{where}.sources", sig.get("sources"))
        evidence = c.span(f"{where}.evidence", sig.get("evidence"), MAX_EVIDENCE_CHARS)
        c.spans(f"{where}.evidence_alt", sig.get("evidence_alt"), MAX_EVIDENCE_CHARS)
        c.spans(f"{where}.terms", sig.get("terms"))
        if evidence is not None:
            key = (str(sig.get("actor", "")).casefold(), str(sig.get("stance")), evidence)
            if key in seen_signals:
                c.add(where, f"duplicate of signal {seen_signals[key]} (same actor, stance and evidence)")
            else:
                seen_signals[key] = str(sid)
    attributions = data.get("attributions")
    if not isinstance(attributions, list):
        c.add("attributions", "must be a list")
        attributions = []
    if data.get("attributions_annotated") is False and attributions:
        c.add("attributions", "listed although attributions_annotated is false")
    seen_ids = set()
    for i, att in enumerate(attributions):
        where = c.record("attribution", i, att, ATTRIBUTION_KEYS, seen_ids)
        if where is None:
            continue
        c.name(f"{where}.speaker", att.get("speaker"))
        c.names(f"{where}.aliases", att.get("aliases"), empty_ok=False)
        c.label(f"{where}.speaker_kind", att.get("speaker_kind"), SPEAKER_KINDS)
        c.name(f"{where}.cue", att.get("cue"))
        c.label(f"{where}.kind", att.get("kind"), ATTRIBUTION_KINDS)
        c.names(f"{where}.via", att.get("via"))
        c.span(f"{where}.content", att.get("content"))
    return c.problems


def _slice(text: str, span: list[int]) -> str:
    return text[span[0]:span[1]]


def materialize(data: dict[str, Any], article: CorpusArticle) -> dict[str, Any]:
    """The gold document of docs/SCHEMA.md (the scorer's input): spans replaced by the words they cover.

    Call only on a file that ``check_annotation`` passed.
    """
    text = article.text
    signals = []
    for sig in data["signals"]:
        signals.append({
            **{k: sig[k] for k in ("id", "actor", "aliases", "stance", "topic", "channel", "when", "sources")},
            "terms": [_slice(text, s) for s in sig["terms"]],
            "evidence": _slice(text, sig["evidence"]),
            "evidence_alt": [_slice(text, s) for s in sig["evidence_alt"]],
        })
    attributions = [
        {**{k: att[k] for k in ("id", "speaker", "aliases", "speaker_kind", "cue", "kind", "via")},
         "content": _slice(text, att["content"])}
        for att in data["attributions"]
    ]
    return {
        "article": {"id": article.id, "title": article.title, "outlet": article.outlet, "author": "",
                    "published": article.published, "url": article.url},
        "signals": signals,
        "attributions": attributions,
        "attributions_annotated": data["attributions_annotated"],
    }
