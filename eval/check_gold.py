#!/usr/bin/env python3
"""Check the hand-written gold files under eval/gold/ before anyone scores against them.

    python eval/check_gold.py [GOLD_DIR ...]

Each GOLD_DIR is either one article folder (holding gold.json) or a folder of them;
the default is the `gold` folder next to this script. One line is printed per problem
and the exit status is 1 if there is any, 0 otherwise.

Why: the scorer matches predictions on evidence words and actor aliases, so a gold
evidence that is not really in the text, a misspelt stance or a malformed date does
not fail loudly -- it silently lowers every score. Catching those here keeps the CI
floors honest. Standard library only, so it runs in a fresh clone without the venv.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import sys
from pathlib import Path

STANCES = {"open", "refuses", "proposes", "agrees", "urges", "opposes"}
TOPICS = {"ceasefire", "talks", "deal"}
CHANNELS = {"public", "private", "both", "unknown"}
SPEAKER_KINDS = {"named", "anonymous", "outlet", "institution", "document"}
ATT_KINDS = {"direct", "indirect", "mixed"}
ARTICLE_FIELDS = ("title", "outlet", "author", "published", "url", "text")
SIGNAL_FIELDS = ("id", "actor", "aliases", "stance", "topic", "channel", "terms", "when", "sources", "evidence",
                 "evidence_alt")
ATT_FIELDS = ("id", "speaker", "aliases", "speaker_kind", "cue", "content", "kind", "via")
WORD = re.compile(r"\w+", re.UNICODE)
MAX_EVIDENCE_WORDS = 60  # "a sentence or clause": longer evidence would let a paragraph-sized prediction match


def parse_partial_date(value: str) -> tuple[int, ...] | None:
    """YYYY, YYYY-MM or YYYY-MM-DD as a tuple (a real calendar date), else None."""
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value):
        return None
    parts = tuple(int(p) for p in value.split("-"))
    try:
        dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError:
        return None
    return parts


def words(text: str) -> list[str]:
    return WORD.findall(text.casefold())


def is_str_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)


def check_article(art: object, where: str) -> list[str]:
    problems = []
    if not isinstance(art, dict):
        return [f"{where}: article.json is not a JSON object"]
    for field in ARTICLE_FIELDS:
        if field not in art:
            problems.append(f"{where}: article.json lacks field {field!r}")
        elif not isinstance(art[field], str):
            problems.append(f"{where}: article.json field {field!r} is not a string")
    for field in ("title", "outlet", "text"):
        if isinstance(art.get(field), str) and not art[field].strip():
            problems.append(f"{where}: article.json field {field!r} is empty")
    published = art.get("published")
    if isinstance(published, str) and (parse_partial_date(published) is None or len(published) < 7):
        problems.append(f"{where}: published {published!r} is not YYYY-MM-DD or YYYY-MM")
    return problems


def check_signal(sig: dict, text: str, published: tuple[int, ...] | None, where: str) -> list[str]:
    problems = []
    for field in SIGNAL_FIELDS:
        if field not in sig:
            problems.append(f"{where}: missing field {field!r}")
    if problems:
        return problems
    if not isinstance(sig["actor"], str) or not sig["actor"].strip():
        problems.append(f"{where}: empty actor")
    if not is_str_list(sig["aliases"]) or not sig["aliases"]:
        problems.append(f"{where}: aliases must be a non-empty list of names")
    elif sig["actor"] not in sig["aliases"]:
        problems.append(f"{where}: actor {sig['actor']!r} is not among its aliases")
    if sig["stance"] not in STANCES:
        problems.append(f"{where}: stance {sig['stance']!r} not one of {sorted(STANCES)}")
    if sig["topic"] not in TOPICS:
        problems.append(f"{where}: topic {sig['topic']!r} not one of {sorted(TOPICS)}")
    if sig["channel"] not in CHANNELS:
        problems.append(f"{where}: channel {sig['channel']!r} not one of {sorted(CHANNELS)}")
    for field in ("terms", "sources", "evidence_alt"):
        if not isinstance(sig[field], list) or not all(isinstance(v, str) and v.strip() for v in sig[field]):
            problems.append(f"{where}: {field} must be a list of non-empty strings")
    when = sig["when"]
    if when != "":
        parsed = parse_partial_date(when)
        if parsed is None:
            problems.append(f"{where}: when {when!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
        elif published is not None and parsed[: len(published)] > published[: len(parsed)]:
            problems.append(f"{where}: when {when!r} is after the article's publication date")
    evidence = sig["evidence"]
    if not isinstance(evidence, str) or not evidence.strip():
        problems.append(f"{where}: empty evidence")
    else:
        if evidence not in text:
            problems.append(f"{where}: evidence is not an exact substring of the text: {evidence!r}")
        if len(words(evidence)) > MAX_EVIDENCE_WORDS:
            problems.append(f"{where}: evidence has {len(words(evidence))} words (max {MAX_EVIDENCE_WORDS})")
    for alt in sig["evidence_alt"] if isinstance(sig["evidence_alt"], list) else []:
        if isinstance(alt, str) and alt not in text:
            problems.append(f"{where}: evidence_alt is not an exact substring of the text: {alt!r}")
    return problems


def check_attribution(att: dict, text: str, where: str) -> list[str]:
    problems = []
    for field in ATT_FIELDS:
        if field not in att:
            problems.append(f"{where}: missing field {field!r}")
    if problems:
        return problems
    for field in ("speaker", "cue", "content"):
        if not isinstance(att[field], str) or not att[field].strip():
            problems.append(f"{where}: empty {field}")
    if not is_str_list(att["aliases"]) or not att["aliases"]:
        problems.append(f"{where}: aliases must be a non-empty list of names")
    if att["speaker_kind"] not in SPEAKER_KINDS:
        problems.append(f"{where}: speaker_kind {att['speaker_kind']!r} not one of {sorted(SPEAKER_KINDS)}")
    if att["kind"] not in ATT_KINDS:
        problems.append(f"{where}: kind {att['kind']!r} not one of {sorted(ATT_KINDS)}")
    if not isinstance(att["via"], list) or not all(isinstance(v, str) and v.strip() for v in att["via"]):
        problems.append(f"{where}: via must be a list of non-empty strings")
    content = att["content"]
    if isinstance(content, str) and content not in text:
        # A quote split by its cue cannot be one substring; every word must still come from the text.
        text_words = set(words(text))
        missing = [w for w in words(content) if w not in text_words]
        if missing:
            problems.append(f"{where}: content words not in the text: {missing[:5]}")
    return problems


def check_gold(gold_path: Path) -> list[str]:
    folder = gold_path.parent
    where = str(gold_path)
    try:
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return [f"{where}: cannot read gold: {exc}"]
    if not isinstance(gold, dict):
        return [f"{where}: gold is not a JSON object"]
    problems = []
    for key in ("article", "signals", "attributions"):
        if key not in gold:
            problems.append(f"{where}: missing top-level key {key!r}")
    if problems:
        return problems
    meta = gold["article"]
    art_path = folder / "article.json"
    try:
        art = json.loads(art_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return problems + [f"{where}: cannot read {art_path}: {exc}"]
    problems += check_article(art, where)
    if not isinstance(art, dict):
        return problems
    if isinstance(meta, dict):
        for field in ARTICLE_FIELDS[:-1]:
            if meta.get(field) != art.get(field):
                problems.append(f"{where}: article.{field} differs from article.json")
    text = art.get("text") if isinstance(art.get("text"), str) else ""
    # A gold file may point at a plain-text copy of the article; its offsets are what the evidence was cut from.
    named = meta.get("file", "article.json") if isinstance(meta, dict) else "article.json"
    if named != "article.json":
        try:
            text = (folder / named).read_text(encoding="utf-8")
        except OSError as exc:
            problems.append(f"{where}: cannot read {folder / named}: {exc}")
    published = parse_partial_date(art.get("published", "")) if isinstance(art.get("published"), str) else None
    for key, checker in (("signals", check_signal), ("attributions", check_attribution)):
        items = gold[key]
        if not isinstance(items, list):
            problems.append(f"{where}: {key} is not a list")
            continue
        seen = set()
        for n, item in enumerate(items):
            if not isinstance(item, dict):
                problems.append(f"{where}: {key}[{n}] is not an object")
                continue
            ident = item.get("id", f"#{n}")
            if ident in seen:
                problems.append(f"{where}: duplicate id {ident!r}")
            seen.add(ident)
            item_where = f"{where} {ident}"
            if key == "signals":
                problems += checker(item, text, published, item_where)
            else:
                problems += checker(item, text, item_where)
    return problems


def gold_files(roots: list[Path]) -> list[Path]:
    found = []
    for root in roots:
        if (root / "gold.json").is_file():
            found.append(root / "gold.json")
        else:
            found.extend(sorted(root.glob("*/gold.json")))
    return found


def main(argv: list[str]) -> int:
    roots = [Path(a) for a in argv[1:]] or [Path(__file__).resolve().parent / "gold"]
    files = gold_files(roots)
    if not files:
        print(f"no gold.json found under {', '.join(map(str, roots))}")
        return 1
    problems = [p for f in files for p in check_gold(f)]
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
