"""The pre-parse scan: articles that are not about a war are skipped before any parsing, and skipping
them never costs a signal."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from backchannel.jobs.extractor import CHUNK_BATCHES, Extractor
from backchannel.nlp.scope import is_about_war, war_words
from backchannel.records import Article

WAR = (
    "Sudan's army said on Thursday that it would not join talks with the Rapid Support Forces while the "
    "paramilitary group held towns in North Darfur. The war, which began in April 2023, has displaced "
    "millions.\n\n\"There will be no truce with a militia that besieges our cities,\" the army's spokesman "
    "said. Saudi Arabia and the United States urged both sides to accept a humanitarian ceasefire.\n\n"
    "Diplomats told Reuters that Egyptian envoys had been carrying messages between the two camps."
)
FOOTBALL = (
    "Rovers stayed top of the table after a 2-1 win over City on Saturday, with a late goal from their "
    "captain.\n\n\"We are fighting for the title and every point matters,\" the manager told reporters. "
    "City, who are fighting relegation, said talks over a new contract for their striker were going well "
    "and a deal was close. The club's chairman said he had agreed terms with the bank.\n\n" * 3
)
TRADE = (
    "The United States and China agreed on Monday to a 90-day truce on tariffs, pausing a trade war that "
    "had rattled markets. Officials said talks in Geneva had produced a deal to cut duties on both sides."
    "\n\n\"This is a good deal for American workers,\" the Treasury secretary said after the talks. "
    "Beijing said the truce showed that dialogue could work, and analysts said the trade war was far from "
    "over. " * 2
)
SHORT_WIRE = "Israel and Hamas agreed a ceasefire in Gaza on Wednesday, mediators in Doha said."


@pytest.fixture(scope="module")
def tokenize(extractor: Extractor):
    return extractor.nlp.make_doc


def test_war_reporting_is_in_scope(tokenize):
    assert is_about_war(tokenize(WAR))
    assert is_about_war(tokenize(SHORT_WIRE))  # a short item names the war once


@pytest.mark.parametrize("text", [FOOTBALL, TRADE], ids=["metaphor", "trade-truce"])
def test_other_news_with_talks_and_deals_is_out_of_scope(tokenize, text: str):
    assert len(tokenize(text)) > 150
    assert not is_about_war(tokenize(text))


def test_a_repeated_metaphor_is_one_word_not_two():
    assert war_words(["fighting", "relegation", "and", "fighting", "for", "the", "title"]) == {"fighting"}
    assert war_words(["troops", "shelling", "the", "fighting"]) == {"troop", "shelling", "fighting"}


def test_peace_counts_only_before_a_settlement_word():
    assert war_words(["signed", "a", "peace", "deal", "ending", "the", "conflict"]) == {"peace", "conflict"}
    assert war_words(["peace", "of", "mind"]) == set()
    assert war_words(["a", "conflict", "of", "interest"]) == set()
    assert war_words(["a", "trade", "war"]) == set()


def test_the_scan_sees_the_same_tokens_as_the_parsed_text(extractor: Extractor, tokenize):
    """The scan runs on the tokenizer's output and the signal rules on the parsed Doc: if a component
    ever changed the tokens (a retokenizer, merged entities), skipping could cost signals."""
    for text in (WAR, FOOTBALL, TRADE, SHORT_WIRE):
        before, after = tokenize(text), extractor.nlp(text)
        assert [t.text for t in before] == [t.text for t in after]
        assert is_about_war(before) == is_about_war(after)


def test_skipped_article_has_no_attributions_unless_all_articles(extractor: Extractor):
    article = Article(text=FOOTBALL, published="2025-03-01", outlet="Test Desk")
    skipped = extractor.extract(article)
    assert skipped.about_war is False and skipped.attributions == [] and skipped.signals == []
    assert skipped.to_dict()["about_war"] is False
    everything = Extractor(nlp=extractor.nlp, all_articles=True).extract(article)
    assert everything.about_war is True
    assert any(a.speaker == "the manager" for a in everything.attributions)
    assert everything.signals == []  # not about a war: the signal rules give nothing either way


def test_skipping_never_costs_a_signal(extractor: Extractor):
    articles = [Article(text=t, published="2025-03-01", outlet="Test Desk") for t in (WAR, FOOTBALL, TRADE, SHORT_WIRE)]
    everything = Extractor(nlp=extractor.nlp, all_articles=True)
    scanned = Extractor(nlp=extractor.nlp, full_parse=True)  # the scan alone (the gated mode: test_parse_subset.py)
    default = list(scanned.extract_many(articles, batch_size=2))
    full = list(everything.extract_many(articles, batch_size=2))
    assert [r.signals for r in default] == [r.signals for r in full]
    assert sum(len(r.signals) for r in default) >= 3
    assert [r.about_war for r in default] == [True, False, False, True]


def test_extract_many_keeps_input_order_and_equals_extract(extractor: Extractor):
    texts = [FOOTBALL, WAR, TRADE, TRADE + " Markets rose.", SHORT_WIRE, WAR + "\n\nMore later."]
    articles = [Article(text=t, published="2025-03-01", outlet="Test Desk", title=str(i)) for i, t in enumerate(texts)]
    many = list(extractor.extract_many(articles, batch_size=2))
    assert [r.article.title for r in many] == [str(i) for i in range(len(texts))]
    assert [r.to_dict() for r in many] == [extractor.extract(a).to_dict() for a in articles]


def test_extract_many_reads_a_bounded_chunk_ahead(extractor: Extractor):
    """A long run of skipped articles must neither be held in memory nor delay the first result."""
    consumed = [0]

    def stream() -> Iterator[Article]:
        for i in range(10_000):
            consumed[0] += 1
            yield Article(text=f"{FOOTBALL} Attendance: {i}.", outlet="Test Desk")

    results = extractor.extract_many(stream(), batch_size=4)
    first = next(results)
    assert first.about_war is False
    assert consumed[0] <= 4 * CHUNK_BATCHES


def test_the_hyphenated_ceasefire_is_one_strong_word(tokenize):
    text = "The two sides agreed a cease-fire on Monday. " + "Markets rose and people went shopping. " * 40
    assert war_words([t.lower_ for t in tokenize(text)]) == {"cease-fire"}
    assert is_about_war(tokenize(text))  # one strong word is enough, however long the article
    assert not is_about_war(tokenize("Shops cease trading at six. " + "Markets rose again. " * 40))


TRICKY = ["An anti-war march.", "The war-torn city.", "WAR!", "A cease-fire held.", "U.S.-backed forces moved.",
          "The troops' convoy.", "(Troops) left.", "“Ceasefire” talks.", "Peace-talks resumed.", "the rebels’ base",
          "killed:3", "—the militants—", "Warsaw awards software prizes.", "Postwar prewar forward reward."]


def test_the_raw_text_test_is_never_stricter_than_the_scan(tokenize):
    """An article the raw-text test turns away is never tokenized, so it must be one the scan would turn
    away too: checked on every bundled sample, the texts above and hyphens, quotes and case around the words."""
    from pathlib import Path

    from backchannel.nlp.scope import mentions_scope_word
    from backchannel.read.files import read_path

    folder = Path(__file__).resolve().parent.parent / "samples"
    samples = [read_path(path).text for path in sorted(folder.iterdir()) if path.name != "README.md"]
    assert len(samples) >= 10
    texts = [WAR, FOOTBALL, TRADE, SHORT_WIRE, *TRICKY, *samples]
    for text in texts:
        words = war_words([t.lower_ for t in tokenize(text)])
        if words:
            assert mentions_scope_word(text), (text[:80], words)
    assert not mentions_scope_word(TRICKY[-1]) and not mentions_scope_word(TRICKY[-2])
    assert not is_about_war(tokenize(TRICKY[-2] + " " + TRICKY[-1]))
    assert mentions_scope_word("An anti-war march.") and mentions_scope_word("A CEASE-FIRE")


def test_an_article_with_no_war_word_is_not_even_tokenized(extractor: Extractor, monkeypatch):
    museum = ("The museum reopened its east wing after a long restoration. Visitors queued in the rain, and "
              "the new galleries show pottery from the tenth century.")
    made: list[str] = []
    make_doc = extractor.nlp.make_doc
    monkeypatch.setattr(extractor.nlp, "make_doc", lambda text: made.append(text) or make_doc(text))
    results = list(extractor.extract_many([Article(text=museum), Article(text=FOOTBALL), Article(text=WAR)]))
    assert [r.about_war for r in results] == [False, False, True]
    assert museum not in made  # no war word at all: turned away on the raw text
    assert FOOTBALL in made  # "fighting relegation": tokenized, and then the scan turns the metaphor away
