"""The store's search: words in the evidence, several values of one filter, a confidence floor, and keyset
pages in each sort, on SQLite and on PostgreSQL (``test_store``'s ``db_url``: skipped without a server)."""

from __future__ import annotations

import pytest

import builders
from backchannel.store import SORTS, SignalFilter, StoreError, open_store, valid_date
from test_store import db_url  # noqa: F401  (the fixture: sqlite and postgresql)

ROWS = [  # actor, stance, topic, evidence, when, confidence
    ("Vladimir Putin", "refuses", "talks", "Putin ruled out talks with Kyiv.", "2025-03-01", 0.91),
    ("Vladimir Putin", "open", "ceasefire", "Putin is ready to freeze the front lines, an aide said.", "2025-03-05", 0.55),
    ("Volodymyr Zelensky", "open", "ceasefire", "Zelensky would accept a 100% monitored truce_line.", "2025-03-05",
     0.73),
    ("Qatar", "urges", "talks", "Qatar urged both sides back to the table in Doha.", "", 0.62),
    ("Hamas", "agrees", "deal", "Hamas accepted the deal, its negotiators said.", "2025-04", 0.80),
]


@pytest.fixture
def store(db_url):  # noqa: F811
    with open_store(db_url) as s:
        for i, (actor, stance, topic, evidence, when, confidence) in enumerate(ROWS):
            text = f"Report {i}\n\n{evidence}"
            s.save(builders.result(text, (), [builders.signal(text, evidence, actor, stance, topic, when=when,
                                                              confidence=confidence)],
                                   outlet=f"Desk {i % 2}", published="2025-03-10" if when else "", url=f"https://x.example/{i}"),
                   None, "test")
        yield s


def _evidence(rows):
    return [r["evidence"].split()[0] for r in rows]


def test_free_text_needs_every_word_case_ignored_and_takes_like_wildcards_literally(store):
    assert _evidence(store.signals(text="FRONT lines")) == ["Putin"]
    assert _evidence(store.signals(text="front Doha")) == []
    assert _evidence(store.signals(text="100%")) == ["Zelensky"]
    assert _evidence(store.signals(text="%")) == ["Zelensky"]  # the percent sign itself, not "anything"
    assert _evidence(store.signals(text="p_tin")) == []  # "_" is an underscore, not any one character
    assert _evidence(store.signals(text="truce_line")) == ["Zelensky"]


def test_a_multi_value_filter_matches_any_of_its_values(store):
    assert _evidence(store.signals(stance=("open", "agrees"))) == ["Putin", "Zelensky", "Hamas"]
    assert sorted(_evidence(store.signals(actor=("putin", "volodymyr zelensky")))) == ["Putin", "Putin", "Zelensky"]
    assert _evidence(store.signals(actor=("Putin",), stance="open")) == ["Putin"]
    assert len(store.signals(outlet=("desk 0", "Desk 1"))) == 5


def test_a_confidence_floor_keeps_what_is_at_least_as_confident_and_refuses_what_is_not_a_number(store):
    assert _evidence(store.signals(confidence=0.73)) == ["Putin", "Zelensky", "Hamas"]
    assert _evidence(store.signals(confidence="0.8")) == ["Putin", "Hamas"]
    for bad in ("high", "1.5", "-0.1", "nan"):
        with pytest.raises(StoreError, match="confidence"):
            store.signals(confidence=bad)


def test_each_sort_pages_every_row_once_in_its_order(store):
    expected = {
        "newest": ["Hamas", "Zelensky", "Putin", "Putin", "Qatar"],  # 2025-04, then 03-05 (higher id first), undated last
        "oldest": ["Putin", "Putin", "Zelensky", "Hamas", "Qatar"],
        "confidence": ["Putin", "Hamas", "Zelensky", "Qatar", "Putin"],
    }
    for name, sort in SORTS.items():
        seen, after, pages = [], None, 0
        while True:
            rows, after = store.signal_page(SignalFilter(), sort, 2, after)
            seen += rows
            pages += 1
            if after is None:
                break
        assert _evidence(seen) == expected[name], name
        assert len({r["id"] for r in seen}) == 5 and pages == 3
        whole, last = store.signal_page(SignalFilter(), sort, 5)
        assert [r["id"] for r in whole] == [r["id"] for r in seen] and last is None
    assert store.count_signals(SignalFilter(stance=("open", "refuses"))) == 3


def test_rows_stored_between_two_pages_neither_repeat_nor_hide_a_row(store):
    sort = SORTS["newest"]
    first, after = store.signal_page(SignalFilter(), sort, 2)
    text = "Late\n\nPutin agreed to a truce, the Kremlin said."
    store.save(builders.result(text, (), [builders.signal(text, "Putin agreed to a truce, the Kremlin said.",
                                                          "Vladimir Putin", "agrees", "ceasefire", when="2025-05-01")],
                               outlet="Late Desk", published="2025-05-01", url="https://x.example/late"), None, "test")
    rest, after = store.signal_page(SignalFilter(), sort, 10, after)
    assert after is None
    ids = [r["id"] for r in first + rest]
    assert len(ids) == len(set(ids)) == 5  # the five that were there, each once; the newcomer sorts before page one


def test_valid_dates_name_real_days():
    assert valid_date("2024-02-29") and valid_date("2025-12") and valid_date("2025")
    assert not valid_date("2025-02-29") and not valid_date("2025-04-31") and not valid_date("2025-13")
