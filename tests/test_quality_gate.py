"""A regression suite for rule behaviour: the extractor on our own gold articles stays above eval/floors.json.

These articles were written by us and the rules were tuned on them, so their figures say nothing about
quality on real news: the quality gate is the annotated dev split (tests/test_corpus_gate.py).  This
suite only catches a change that breaks what the rules did on text we know.  Lowering a floor here is
still a deliberate, reviewed change (see eval/floors.json)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from backchannel.evaluation.scoring import check_floors, evaluate, format_report
from backchannel.jobs.extractor import Extractor
from backchannel.read import read_path
from package_modules import the_definition

ROOT = Path(__file__).resolve().parent.parent


def test_gold_set_meets_floors(rules_extractor):
    report = evaluate(ROOT / "eval" / "gold", lambda p: rules_extractor.extract(read_path(p)).to_dict())
    floors = json.loads((ROOT / "eval" / "floors.json").read_text(encoding="utf-8"))
    problems = check_floors(report, floors)
    assert not problems, "\n".join(problems) + "\n\n" + format_report(report)


def test_gold_set_meets_floors_when_every_article_is_parsed(rules_extractor):
    """--all-articles: the attribution rules keep their own floor on the negatives the scan skips."""
    everything = Extractor(nlp=rules_extractor.nlp, all_articles=True, signal_model="rules")
    report = evaluate(ROOT / "eval" / "gold", lambda p: everything.extract(read_path(p)).to_dict())
    floors = json.loads((ROOT / "eval" / "floors.json").read_text(encoding="utf-8"))
    problems = check_floors(report, floors, all_articles=True)
    assert not problems, "\n".join(problems) + "\n\n" + format_report(report)
    skipped = evaluate(ROOT / "eval" / "gold", lambda p: rules_extractor.extract(read_path(p)).to_dict())
    assert report.signals == skipped.signals  # the scan never costs a signal
    assert report.attributions.recall > skipped.attributions.recall


def test_gold_set_is_broad_enough():
    """At least 12 articles, 6 conflicts and 3 negatives (articles with no signal).

    An article's conflict is the one the conflict data places it in (its strongest match), so six
    conflicts means six different wars, not six articles about one."""
    golds = [json.loads(p.read_text(encoding="utf-8")) for p in (ROOT / "eval" / "gold").glob("*/gold.json")]
    assert len(golds) >= 12
    assert sum(1 for g in golds if not g["signals"]) >= 3
    conflicts = the_definition("ConflictRegistry").default()
    placed: dict[str, str] = {}
    for gold in sorted((ROOT / "eval" / "gold").glob("*/gold.json")):
        meta = json.loads(gold.read_text(encoding="utf-8"))
        if not meta["signals"]:
            continue
        article = read_path(gold.parent / meta["article"].get("file", "article.json"))
        published = date.fromisoformat(article.published) if len(article.published) == 10 else None
        matches = conflicts.resolve(article.text, published)
        assert matches, f"{gold.parent.name}: a gold article with signals that is about no known conflict"
        placed[gold.parent.name] = matches[0].conflict.id
    assert len(set(placed.values())) >= 6, placed
