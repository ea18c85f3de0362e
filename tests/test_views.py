"""What ``signals``, ``actors`` and ``show`` print, from the dicts of a real SQLite store."""

from __future__ import annotations

import csv
import io
import json

import pytest

import builders
from backchannel.cli.views import (
    actors_table,
    signal_detail,
    signals_csv,
    signals_json,
    signals_table,
)
from backchannel.export import CSV_COLUMNS
from backchannel.store import open_store

TEXT = (
    "A back channel\n\n"
    "Talks had stalled for months. A former senior official told The New York Times that Russia had agreed "
    "a ceasefire in private, and the offer still stood. Diplomats were cautious.\n\n"
    "Qatar urged both sides to sign a deal, its foreign ministry said."
)
RUSSIA = "A former senior official told The New York Times that Russia had agreed a ceasefire in private"
QATAR = "Qatar urged both sides to sign a deal, its foreign ministry said."
QUOTE = "Russia had agreed a ceasefire in private"


@pytest.fixture
def store(tmp_path):
    result = builders.result(
        TEXT,
        attributions=[builders.attribution(TEXT, "a former senior official", "anonymous", "told", QUOTE,
                                           via=["The New York Times"]),
                      builders.attribution(TEXT, "its foreign ministry", "institution", "said",
                                           "both sides to sign a deal")],
        signals=[builders.signal(TEXT, RUSSIA, "Russia", "agrees", "ceasefire", "private", terms=["in private"],
                                 when="2024-10", sources=["a former senior official", "The New York Times"],
                                 confidence=0.8),
                 builders.signal(TEXT, QATAR, "Qatar", "urges", "deal", sources=["its foreign ministry"])],
        title="A back channel", outlet="Peace News", published="2024-11-02",
        url="https://peacenews.example/back-channel",
    )
    with open_store(str(tmp_path / "v.db")) as s:
        s.save(result, None, "1.0")
        yield s


def test_signals_table_aligns_columns_and_wraps_evidence(store):
    rows = store.signals()
    table = signals_table(rows, width=100)
    lines = table.splitlines()
    header = lines[0].split()
    assert header == ["id", "date", "actor", "stance", "topic", "channel", "sources", "evidence"]
    assert all(len(line) <= 100 for line in lines)
    first = lines[2]
    assert first.split()[:6] == [str(rows[0]["id"]), "2024-10", "Russia", "agrees", "ceasefire", "private"]
    # The evidence column starts at the same place on every line of a row, and all of it is there.
    column = lines[0].index("evidence")
    second = next(i for i, line in enumerate(lines) if line.startswith(str(rows[1]["id"]) + " "))
    assert second > 3  # the first row's evidence took several lines
    assert " ".join(" ".join(line[column:] for line in lines[2:second]).split()) == RUSSIA
    assert " ".join(line[:column] for line in lines[2:second]).split()[-1] == "Times"  # sources wrap too
    assert "Qatar urged both sides" in table and "its foreign" in table
    assert signals_table([]) == "No signals.\n"


def test_signals_csv_and_json(store):
    rows = store.signals()
    parsed = list(csv.DictReader(io.StringIO(signals_csv(rows))))
    assert list(parsed[0]) == list(CSV_COLUMNS)
    assert parsed[0]["sources"] == "a former senior official → The New York Times"  # the chain notation
    assert parsed[0]["terms"] == "in private"
    assert parsed[1]["evidence"] == QATAR  # the comma inside is quoted, not a new column
    assert json.loads(signals_json(rows)) == rows


def test_actors_table(store):
    table = actors_table(store.actors(), width=100)
    lines = table.splitlines()
    assert lines[0].split() == ["actor", "kind", "signals", "latest", "date"]
    russia = next(line for line in lines if line.startswith("Russia"))
    assert russia.split() == ["Russia", "state", "1", "agrees", "ceasefire", "2024-10"]
    assert actors_table([]) == "No actors.\n"


def test_signal_detail_marks_the_evidence_in_its_paragraph(store):
    russia = next(s for s in store.signals() if s["actor"] == "Russia")
    text = signal_detail(store.signal(russia["id"]), width=200)
    assert text.startswith(f"Signal {russia['id']}: Russia agrees ceasefire")
    shown = text.split("Evidence, in its paragraph:\n")[1].split("\n\nKnown from")[0]
    assert all(line.startswith("  ") for line in shown.splitlines())
    assert " ".join(shown.split()) == ("Talks had stalled for months. »A former senior official told The New York "
                                       "Times that Russia had agreed a ceasefire in private«, and the offer still "
                                       "stood. Diplomats were cautious.")  # its own paragraph only
    assert "Known from: a former senior official → The New York Times → Peace News (this article)" in text
    assert "Article: A back channel (Peace News, 2024-11-02)" in text
    assert "https://peacenews.example/back-channel" in text
    assert "channel     private" in text and "2024-10" in text and "in private" in text
    related = text.split("Related attributions:")[1]
    assert "a former senior official (anonymous) told" in related and "via The New York Times" in related
    assert "its foreign ministry" not in related  # its words are not in this evidence
    assert "\x1b[" not in text


def test_signal_detail_in_color_uses_bold_and_keeps_the_text(store):
    qatar = next(s for s in store.signals() if s["actor"] == "Qatar")
    detail = store.signal(qatar["id"])
    text = signal_detail(detail, color=True, width=80)
    assert f"\x1b[1m{QATAR.split()[0]}" in text and "\x1b[0m" in text and "»" not in text
    assert "Known from: its foreign ministry → Peace News (this article)" in text
    lines = text.splitlines()
    assert all(len(line.replace("\x1b[1m", "").replace("\x1b[0m", "")) <= 80 for line in lines)


def test_signal_detail_without_sources_outlet_or_paragraph():
    detail = {"id": 7, "actor": "Hamas", "stance": "proposes", "topic": "deal", "channel": "unknown", "terms": [],
              "when": "", "date": "", "sources": [], "evidence": "Hamas offered « a truce »", "confidence": 0.5,
              "extractor_version": "1.0", "title": "", "outlet": "", "published": "", "url": "",
              "article_id": "abc", "paragraph": None, "chain": [], "attributions": [], "superseded_by": "def"}
    text = signal_detail(detail, width=100)
    assert "»Hamas offered « a truce »«" in text  # quotes in the text are left as they are
    assert "Known from: this article" in text
    assert "- (undated)" in text and "superseded by a newer version: def" in text
    assert "Related attributions: none" in text
