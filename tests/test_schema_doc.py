"""docs/SCHEMA.md is the contract: its field names and labels equal the code's and the output's.

The document is parsed (the first column of each table under a heading), never copied here, and the
code side is read where it is defined: the records, the store's answers, the exports' columns, the
label constants wherever they live.  A field or a label added, renamed or dropped on one side only
fails here with both lists in the message.
"""

from __future__ import annotations

import ast
import dataclasses
import json
import re
from pathlib import Path

import pytest

from backchannel import records
from backchannel.records import Article
from backchannel.store import open_store
from package_modules import definitions, modules, the_definition, tree

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "SCHEMA.md"
NAME = re.compile(r"^\|\s*`([^`]+)`\s*\|")


def sections() -> dict[str, str]:
    """'### heading' -> the text under it, up to the next heading."""
    out: dict[str, str] = {}
    current = None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            current = line.lstrip("#").strip() if line.startswith("### ") else None
            if current is not None:
                out[current] = ""
        elif current is not None:
            out[current] += line + "\n"
    return out


def names(section: str) -> list[str]:
    """The backticked first-column names of the tables under ``### section``, in order."""
    body = sections().get(section)
    assert body is not None, f"docs/SCHEMA.md has no section '### {section}'"
    found = [m.group(1) for line in body.splitlines() if (m := NAME.match(line))]
    assert found, f"docs/SCHEMA.md: no table of names under '### {section}'"
    return found


def rows(section: str) -> list[list[str]]:
    """Every row of the table under ``### section``, cells stripped of backticks."""
    return [[c.strip().strip("`") for c in line.strip().strip("|").split("|")]
            for line in sections()[section].splitlines() if NAME.match(line)]


# ---- labels -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("section", "labels"), [
    ("stance", records.STANCES),
    ("topic", records.TOPICS),
    ("channel", records.CHANNELS),
    ("speaker_kind", records.SPEAKER_KINDS),
    ("attribution kind", records.ATTRIBUTION_KINDS),
])
def test_record_labels_are_the_documented_ones_in_order(section: str, labels: tuple[str, ...]):
    assert names(section) == list(labels)


def test_the_actor_kinds_of_the_registry_are_the_documented_ones():
    assert set(names("actor kind")) == set(the_definition("KINDS", holds="armed_group"))


def test_the_corpus_article_kinds_are_the_documented_ones():
    assert names("corpus article kind") == list(the_definition("KINDS", holds="decoy"))


def test_the_decision_label_none_is_documented_and_is_no_stance():
    assert set(definitions("NONE").values()) == {"none"}
    assert "none" not in records.STANCES
    assert "`none`" in sections()["stance"]


def _string_collections():
    """(module, name, strings, is_mapping) for every top-level dict, set, tuple or list of string literals."""
    for module in modules():
        for node in tree(module).body:
            value = node.value if isinstance(node, (ast.Assign, ast.AnnAssign)) else None
            target = (node.targets[0] if isinstance(node, ast.Assign) else getattr(node, "target", None))
            if isinstance(value, ast.Call) and value.args:  # frozenset({...}), tuple([...])
                value = value.args[0]
            items = value.keys if isinstance(value, ast.Dict) else value.elts if isinstance(
                value, (ast.Set, ast.Tuple, ast.List)) else None
            if items and isinstance(target, ast.Name) and all(
                    isinstance(i, ast.Constant) and isinstance(i.value, str) for i in items):
                yield module, target.id, [i.value for i in items], isinstance(value, ast.Dict)


# A mapping keyed by this many stances is one per stance (a colour, a lane, a priority) and must have them
# all; channel mappings may rightly leave one out (``unknown`` has no side of a divergence).
@pytest.mark.parametrize(("section", "complete_from"), [("stance", 5), ("channel", None)])
def test_every_table_of_labels_in_the_code_uses_the_documented_labels(section: str, complete_from: int | None):
    """A table in the code that names several labels names no other (a label added on one side only)."""
    labels = set(names(section))
    seen = 0
    for module, name, items, is_mapping in _string_collections():
        named = set(items) & labels
        if len(named) < 3:
            continue
        seen += 1
        assert set(items) <= labels | {"none"}, f"{module}.{name}: {sorted(set(items) - labels)} not in docs/SCHEMA.md"
        if is_mapping and complete_from is not None and len(named) >= complete_from:
            assert named == labels, f"{module}.{name} has no entry for {sorted(labels - named)}"
    assert seen >= 3  # records' own tuple, and the tables of the analysis and the web


def test_every_stance_and_topic_pair_has_the_documented_cameo_code():
    cameo = the_definition("CAMEO")
    documented = {(r[0], r[1]): (r[2], r[3], r[4]) for r in rows("CAMEO codes")}
    assert documented == {k: (v.cameo, v.plover, v.mode) for k, v in cameo.items()}
    assert set(documented) == {(s, t) for s in records.STANCES for t in records.TOPICS}


# ---- records in the code -----------------------------------------------------------------------------

def test_record_dataclasses_have_the_documented_fields():
    # ``origin`` is decided by the extractor for the store (corroboration counts it), never printed with
    # the signal: it is documented with the stored signal.
    assert {f.name for f in dataclasses.fields(records.Signal)} - {"origin"} == set(names("Signal"))
    assert "origin" in names("Stored signal")
    assert [f.name for f in dataclasses.fields(records.Attribution)] == names("Attribution")
    # ``source`` is where the article was read from: kept on the record, never printed with it.
    assert {f.name for f in dataclasses.fields(Article)} - {"source"} == set(names("Article"))


def test_csv_columns_are_documented_in_order():
    assert list(the_definition("CSV_COLUMNS")) == names("CSV and Parquet columns")


def test_actor_file_fields_are_documented():
    assert set(the_definition("_ENTRY_KEYS")) == set(names("Actor file entry"))


def test_conflict_file_fields_and_roles_are_documented():
    assert set(the_definition("_KEYS", holds="sides")) == set(names("Conflict file entry"))
    assert names("conflict role") == list(the_definition("ROLES", holds="third_party"))


def test_our_gold_files_use_the_documented_fields():
    golds = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "eval" / "gold").glob("*/gold.json"))]
    assert golds
    assert {k for g in golds for s in g["signals"] for k in s} == set(names("Gold signal"))
    assert {k for g in golds for a in g["attributions"] for k in a} == set(names("Gold attribution"))
    assert {k for g in golds for k in g["article"]} == set(names("Article")) - {"text"} | {"file"}


def test_the_scoring_numbers_in_the_document_are_the_scorers():
    scoring = DOC.read_text(encoding="utf-8").split("## Scoring", 1)[1]
    for name in ("MIN_WORD_SHARE", "MAX_LENGTH_RATIO", "MAX_LENGTH_WORDS"):
        value = the_definition(name)
        assert re.search(rf"(?<![\d.]){re.escape(str(value))}(?![\d.])", scoring), f"{name} = {value} not in Scoring"


# ---- the output ---------------------------------------------------------------------------------------

TEXT = ("The war in Ukraine is in its third winter. Two people familiar with the contacts told Reuters that "
        "Vladimir Putin is willing to agree a ceasefire along the current front lines. " + "x" * 150 + " ends it.")


@pytest.fixture(scope="module")
def printed(extract) -> dict:
    """What ``extract --format json --explain`` prints for an article with a signal, a quote and an overlong
    word (so that the optional ``skipped_chars`` is there too)."""
    result = extract(TEXT, published="2025-03-14")
    out = json.loads(json.dumps(result.to_dict(explain=True)))
    assert out["signals"] and out["attributions"] and out.get("skipped_chars")
    return out


def test_the_printed_result_has_the_documented_fields(printed: dict):
    assert list(printed) == sorted(names("Extraction result"), key=list(printed).index)
    assert set(printed) == set(names("Extraction result"))
    assert list(printed["article"]) == names("Article")
    for attribution in printed["attributions"]:
        assert list(attribution) == names("Attribution")
    for signal in printed["signals"]:
        assert list(signal) == names("Signal")


def test_the_stored_records_and_their_exports_have_the_documented_fields(extract, tmp_path: Path):
    store = open_store(str(tmp_path / "schema.db"))
    try:
        store.save(extract(TEXT, published="2025-03-14"), extractor_version="schema-test")
        (stored,) = [s for s in store.signals() if s["actor"] == "Vladimir Putin"]
        assert list(stored) == names("Stored signal")
        detail = store.signal(stored["id"])
        assert detail["attributions"]
        for attribution in detail["attributions"]:
            assert list(attribution) == names("Stored attribution")
    finally:
        store.close()
    plover = the_definition("plover_record")(stored, lambda actor: "Russia")
    assert list(plover) == names("PLOVER event")
    assert plover["cameo"] == the_definition("CAMEO")[(stored["stance"], stored["topic"])].cameo
