"""The time of a position (issue 11, item 2) and three of its must-shows, over short articles written here.

The articles go through the extractor as a user runs it (real spaCy, the shipped model: the ``extractor``
fixture) into a real SQLite store, and the analyses read them back, so each test shows what an analyst
would see: a party that "had rejected ... until the weekend" and "agreed on Monday" is moving toward talks,
"A and B agreed" is a signal of each, a public refusal beside a private opening is a divergence.  The
grammar underneath (``nlp.timex``: the "until" bound and the standing phrases) is pinned on its own first.
"""

from __future__ import annotations

from datetime import date

import pytest

import builders
from backchannel.analysis import (
    BACK_CHANNEL,
    HARDENING,
    STEADY,
    TOWARD_TALKS,
    TimelinePoint,
    divergence,
    timeline,
    trend,
)
from backchannel.jobs.extractor import Extractor
from backchannel.nlp.timex import before_bound, is_standing
from backchannel.records import TIME_BASES, Article, ArticleResult, Signal
from backchannel.store import MIGRATIONS, Store, open_store
from backchannel.store.dialect import dialect_for
from test_schema_doc import names

TUESDAY = date(2025, 7, 29)

# Thailand's weekend turn, told the way wire copy tells it (published on a Tuesday).
THAI = (
    "Thailand and Cambodia agreed to a ceasefire on Monday after five days of fighting along their disputed "
    "border, at talks hosted by Malaysia.\n\n"
    "Until the weekend, Bangkok had rejected any mediation and insisted the border dispute was a bilateral "
    "matter.\n\n"
    "Thailand agreed on Monday to an immediate and unconditional ceasefire, Prime Minister Anwar Ibrahim said."
)
# India's standing refusal of mediation, reported beside the ceasefire it agreed.
INDIA = (
    "India and Pakistan agreed to a ceasefire on Saturday after four days of missile strikes and artillery "
    "fire across the Line of Control.\n\n"
    "India has long rejected any third-party mediation over Kashmir, and officials said the ceasefire had "
    "been worked out directly between the two militaries."
)
# The Kremlin's public maximalism and private readiness, and a diplomat's truism that is no position.
KREMLIN = (
    "Russia's war in Ukraine entered its third summer as Western leaders gathered in Switzerland for a peace "
    "summit that Moscow was not invited to.\n\n"
    "Vladimir Putin publicly rejected any ceasefire on Friday, telling a televised meeting of diplomats that "
    "Russia would not stop fighting while Ukraine was rearming.\n\n"
    "Privately, however, Putin has told intermediaries that he is open to talks on a ceasefire, three people "
    "familiar with the talks told Reuters.\n\n"
    "\"There's no deal until there's a deal,\" Donald Trump told reporters at a brief "
    "joint appearance in Anchorage."
)


def _of(result: ArticleResult, actor: str, stance: str) -> list[Signal]:
    return [s for s in result.signals if s.actor == actor and s.stance == stance]


@pytest.fixture(scope="module")
def extracted(extractor: Extractor) -> dict[str, ArticleResult]:
    """Each article extracted once, as ``extract`` or ``ingest`` would."""
    articles = {
        "thai": Article(THAI, title="Thailand and Cambodia agree ceasefire", outlet="Wire", published="2025-07-29",
                        url="https://wire.example/thai"),
        "india": Article(INDIA, title="India and Pakistan agree ceasefire", outlet="Wire", published="2025-05-12",
                         url="https://wire.example/india"),
        "kremlin": Article(KREMLIN, title="Putin rejects ceasefire", outlet="Wire", published="2024-06-14",
                           url="https://wire.example/kremlin"),
    }
    return {key: extractor.extract(article) for key, article in articles.items()}


@pytest.fixture
def db(tmp_path, extracted) -> Store:
    with open_store(str(tmp_path / "when.db")) as store:
        for result in extracted.values():
            assert store.save(result, extractor_version="test").written
        yield store


# ---- the grammar ----------------------------------------------------------------------------------------------

def test_until_the_weekend_is_the_friday_before_the_latest_weekend():
    assert before_bound("Until the weekend, Bangkok had rejected any mediation", TUESDAY) == "2025-07-25"
    saturday = date(2025, 7, 26)  # on the weekend itself: this weekend, so still the Friday before it
    assert before_bound("Until the weekend, Bangkok had rejected talks", saturday) == "2025-07-25"


def test_until_a_time_steps_back_at_the_precision_the_text_gives():
    assert before_bound("Up until Sunday, Hamas had refused the plan", TUESDAY) == "2025-07-26"
    assert before_bound("Until March, Kyiv had ruled out talks", TUESDAY) == "2025-02"
    assert before_bound("Until 2024 the army had refused any truce", TUESDAY) == "2023"
    assert before_bound("Until March, Kyiv had ruled out talks", date(2025, 1, 10)) == "2024-02"  # last March
    assert before_bound("Bangkok had rejected any mediation", TUESDAY) == ""  # no bound: nothing to step from
    assert before_bound("Until the weekend, Bangkok had rejected talks", None) == ""


@pytest.mark.parametrize(("text", "standing"), [
    ("India has long rejected any third-party mediation", True),
    ("Moscow has consistently refused to negotiate", True),
    ("Pakistan has repeatedly said it is open to talks", True),
    ("The Taliban has for years refused to engage with Kabul", True),
    ("Rebels have long been opposed to a truce", True),
    ("India has rejected the offer", False),  # a recent act, dated as usual
    ("Moscow's stance has hardened", False),
    ("India rejected the offer long ago", False),
])
def test_standing_phrases(text: str, standing: bool):
    assert is_standing(text) is standing


def test_the_time_bases_are_the_documented_ones():
    assert names("time basis") == list(TIME_BASES)


# ---- extraction -----------------------------------------------------------------------------------------------

def test_had_rejected_until_the_weekend_is_dated_before_the_weekend(extracted):
    refusals = _of(extracted["thai"], "Thailand", "refuses")
    assert [(s.when, s.time_basis) for s in refusals] == [("2025-07-25", "past")]
    assert refusals[0].evidence.startswith("Until the weekend, Bangkok had rejected")
    agreed = [s for s in _of(extracted["thai"], "Thailand", "agrees") if s.evidence.startswith("Thailand agreed on")]
    assert [(s.when, s.time_basis) for s in agreed] == [("2025-07-28", "")]


def test_a_and_b_agreed_gives_a_signal_of_each_party(extracted):
    for key, parties in (("thai", ("Thailand", "Cambodia")), ("india", ("India", "Pakistan"))):
        opening = extracted[key].article.text.split("\n\n")[0]
        for party in parties:
            found = [s for s in _of(extracted[key], party, "agrees") if s.evidence in opening]
            assert len(found) == 1, (key, party, [s.to_dict() for s in extracted[key].signals])
            assert found[0].topic == "ceasefire" and found[0].role == "party"


def test_has_long_rejected_is_a_standing_position(extracted):
    standing = [s for s in _of(extracted["india"], "India", "refuses") if "has long rejected" in s.evidence]
    assert [s.time_basis for s in standing] == ["standing"]


def test_a_public_statement_gets_the_public_channel(extracted):
    refusals = [s for s in _of(extracted["kremlin"], "Vladimir Putin", "refuses") if "publicly" in s.evidence]
    assert [s.channel for s in refusals] == ["public"]


def test_a_truism_about_deals_is_no_position(extracted):
    assert not [s for s in extracted["kremlin"].signals if "no deal until" in s.evidence]


# ---- what the analyst sees -----------------------------------------------------------------------------------

def test_a_party_that_had_rejected_until_the_weekend_and_agreed_on_monday_moves_toward_talks(db):
    points = timeline(db, "Thailand")
    assert [p.stance for p in points][:1] == ["refuses"]  # the recounted refusal comes first, on the Friday
    assert points[0].date == "2025-07-25" and points[0].time_basis == "past"
    assert trend(points) == TOWARD_TALKS


def test_a_standing_refusal_reported_beside_a_ceasefire_is_not_hardening(db):
    points = timeline(db, "India")
    assert {p.time_basis for p in points} == {"", "standing"}
    assert trend(points) == TOWARD_TALKS


def test_public_refusal_beside_private_opening_is_a_divergence_and_the_truism_is_not(db):
    found = divergence(db, "Vladimir Putin")
    assert [(d.period, d.kind) for d in found] == [("2024-06", BACK_CHANNEL)]
    assert all("publicly rejected" in p.evidence for p in found[0].public)
    assert all(p.evidence.startswith("Privately") for p in found[0].private)
    every = [p.evidence for d in divergence(db) for p in (*d.public, *d.private)]
    assert not [e for e in every if "no deal until" in e]


# ---- the trend rule and the store, on hand-built points -------------------------------------------------------

def _point(i: int, stance: str, when: str, basis: str = "", published: str = "2025-05-12") -> TimelinePoint:
    return TimelinePoint(i, when or published, "India", stance, "talks", "public", "e", when=when,
                         published=published, time_basis=basis)


def test_standing_and_undated_recounted_points_are_never_the_recent_ones():
    agreed = _point(1, "agrees", "2025-05-10")
    standing = _point(2, "refuses", "2025-05-12", "standing")
    assert trend([agreed, standing]) == TOWARD_TALKS  # dated later, but the baseline, not the news
    assert trend([agreed, _point(3, "refuses", "2025-05-12")]) == HARDENING  # a refusal said that day is news
    recounted = _point(4, "refuses", "2025-05-12", "past")  # "had rejected", dated only by its article
    assert trend([agreed, recounted]) == TOWARD_TALKS
    dated = _point(5, "refuses", "2025-05-11", "past")  # a recounted refusal the text dates is news of its day
    assert trend([dated, agreed]) == HARDENING
    assert trend([standing, recounted]) == STEADY  # nothing but baselines: no move to read


def test_the_store_keeps_the_time_basis_and_the_latest_stance_is_news(tmp_path):
    text = ("India agreed to a ceasefire on Saturday.\n\n"
            "India has long rejected any third-party mediation over Kashmir.")
    result = builders.result(
        text, signals=[builders.signal(text, "India agreed to a ceasefire on Saturday.", "India", "agrees",
                                       "ceasefire", when="2025-05-10"),
                       builders.signal(text, "India has long rejected any third-party mediation over Kashmir.",
                                       "India", "refuses", "talks", when="2025-05-12", time_basis="standing")],
        outlet="Wire", published="2025-05-12", url="https://wire.example/store")
    assert "0009_signal_time_basis" in [m.name for m in MIGRATIONS]
    with open_store(str(tmp_path / "basis.db")) as store:
        store.save(result, extractor_version="test")
        assert [s["time_basis"] for s in store.signals(actor="India")] == ["", "standing"]
        india = next(a for a in store.actors() if a["name"] == "India")
        # the standing refusal carries the later date, yet the latest stance is the ceasefire India agreed
        assert (india["latest_stance"], india["latest_date"]) == ("agrees", "2025-05-10")


def test_signals_stored_before_the_time_basis_read_as_said_at_their_date(tmp_path):
    url = str(tmp_path / "old.db")
    before = [m.name for m in MIGRATIONS].index("0009_signal_time_basis")
    old = Store(dialect_for(url), migrations=MIGRATIONS[:before])
    with old._db.transaction():  # what a store of the previous schema wrote
        old._db.execute("INSERT INTO articles (id, text, published, ingested_at) "
                        "VALUES ('a1', 'India has long rejected talks.', '2025-05-12', '2025-05-12T00:00:00Z')")
        old._db.execute("INSERT INTO signals (article_id, position, actor, stance, topic, channel, evidence, "
                        "confidence, extractor_version) VALUES ('a1', 0, 'India', 'refuses', 'talks', 'public', "
                        "'India has long rejected talks.', 0.5, '1.0')")
    old.close()
    with open_store(url) as store:
        assert "0009_signal_time_basis" in store.migrations_applied
        assert [s["time_basis"] for s in store.signals()] == [""]  # until ``reprocess`` re-extracts it
