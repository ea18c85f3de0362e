"""The article and sentence filters of a model folder (``model/relevance.py``) and the holder ratio
(``decision.filtered``): how they are read, what they drop, and that an article the article filter rules
out is not parsed in the default mode but keeps its attributions with ``--full-parse``."""

from __future__ import annotations

import json
import math
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from backchannel.errors import ModelError
from backchannel.jobs.extractor import Extractor
from backchannel.model.choice import SHIPPED_DIR, model_digest
from backchannel.model.linear import LinearScorer
from backchannel.model.relevance import ARTICLE_FILE, SENTENCE_FILE, Relevance, article_document
from backchannel.nlp.decision import filtered
from backchannel.records import Article

VOCAB = ["ceasefire", "talks", "budget", "senate"]
IDF = [1.5, 1.2, 1.4, 1.3]
WEIGHTS = [3.0, 2.0, -3.0, -2.0]
BIAS = -0.5


def write_binary(path: Path, classes: tuple[str, str] = ("no", "yes")) -> Path:
    """A binary scorer as ``training.linear_stance.save_scorer`` writes one: a row of zeros, then the weights."""
    np.savez_compressed(path, vocabulary=np.asarray(VOCAB, dtype=str), idf=np.asarray(IDF, dtype=np.float32),
                        coef=np.asarray([[0.0] * 4, WEIGHTS], dtype=np.float32),
                        intercept=np.asarray([0.0, BIAS], dtype=np.float32), classes=np.asarray(classes, dtype=str))
    return path


def sigmoid_by_hand(words: list[str]) -> float:
    weights = {VOCAB.index(w): IDF[VOCAB.index(w)] for w in words}  # each word once: 1 + log(1) = 1
    norm = math.sqrt(sum(v * v for v in weights.values()))
    z = sum(WEIGHTS[i] * v / norm for i, v in weights.items()) + BIAS
    return 1 / (1 + math.exp(-z))


def test_a_binary_scorer_gives_the_logistic_regressions_sigmoid(tmp_path: Path):
    scorer = LinearScorer(write_binary(tmp_path / "s.npz"))
    got = scorer.predict_texts(["Ceasefire talks resumed.", "The senate passed the budget.", "Nothing here."])
    assert got[0]["yes"] == pytest.approx(sigmoid_by_hand(["ceasefire", "talks"]))
    assert got[1]["yes"] == pytest.approx(sigmoid_by_hand(["budget", "senate"]))
    assert got[0]["yes"] > 0.8 > 0.2 > got[1]["yes"]
    assert got[2]["yes"] == pytest.approx(1 / (1 + math.exp(-BIAS)))  # no known word: the intercept alone
    assert all(p["yes"] + p["no"] == pytest.approx(1.0) for p in got)


def test_a_folder_without_filters_lets_everything_through():
    relevance = Relevance.load(Path("/nonexistent"), {})
    assert relevance.article_relevant("Budget", "The senate passed the budget.")
    assert relevance.sentence_scores(["a", "b"]) == [1.0, 1.0]
    assert relevance.holder_ratio == 0.0


def test_floors_are_read_from_the_card_and_the_scorers_apply_them(tmp_path: Path):
    write_binary(tmp_path / ARTICLE_FILE)
    write_binary(tmp_path / SENTENCE_FILE)
    relevance = Relevance.load(tmp_path, {"article_floor": 0.5, "sentence_floor": 0.3, "holder_ratio": 0.8})
    assert relevance.article_relevant("Gaza", "Ceasefire talks resumed in Cairo.")
    assert not relevance.article_relevant("Washington", "The senate passed the budget.")
    assert relevance.article_score("", "Ceasefire talks.") == pytest.approx(
        LinearScorer(tmp_path / ARTICLE_FILE).predict_texts([article_document("", "Ceasefire talks.")])[0]["yes"])
    low, high = relevance.sentence_scores(["The senate passed the budget.", "Ceasefire talks resumed."])
    assert low < 0.3 < high
    assert (relevance.sentence_floor, relevance.holder_ratio) == (0.3, 0.8)
    with_parse_floor = Relevance.load(tmp_path, {"sentence_floor": 0.3, "sentence_parse_floor": 0.2})
    assert with_parse_floor.worth_parsing(["The senate passed the budget.", "Ceasefire talks resumed."]) == [
        False, True]


@pytest.mark.parametrize(("card", "files", "message"), [
    ({"article_floor": 0.5}, (), "an article floor is set but"),
    ({"sentence_floor": 0.4}, (ARTICLE_FILE,), "a sentence floor is set but"),
    ({"sentence_parse_floor": 0.2}, (ARTICLE_FILE,), "a sentence floor is set but"),
    ({"holder_ratio": 1.5}, (), "holder_ratio must be a number from 0 to 1"),
    ({"article_floor": "high"}, (ARTICLE_FILE,), "article_floor must be a number from 0 to 1"),
])
def test_a_half_installed_or_bad_filter_is_one_line_naming_the_card(tmp_path: Path, card, files, message):
    for name in files:
        write_binary(tmp_path / name)
    with pytest.raises(ModelError) as err:
        Relevance.load(tmp_path, card)
    assert str(err.value).startswith(str(tmp_path / "card.json")) and message in str(err.value)
    assert "\n" not in str(err.value)


def test_a_scorer_that_is_not_binary_is_refused_naming_its_file(tmp_path: Path):
    write_binary(tmp_path / ARTICLE_FILE, classes=("open", "none"))
    with pytest.raises(ModelError, match=f"{tmp_path / ARTICLE_FILE}: a relevance scorer has two classes"):
        Relevance.load(tmp_path, {"article_floor": 0.5})


@dataclass
class Decided:
    name: str
    probability: float
    sentence_score: float
    sentence: int
    grammar_settles: bool = False


def names(decisions) -> list[str]:
    return [d.name for d in decisions]


def test_the_sentence_floor_drops_sentences_that_hold_no_position_unless_the_grammar_reads_one():
    decisions = [Decided("kept", 0.9, 0.6, 1), Decided("low sentence", 0.95, 0.1, 2),
                 Decided("grammar", 0.3, 0.1, 3, grammar_settles=True)]
    assert names(filtered(decisions, 0.3, 0.0, sentence_of=lambda d: d.sentence)) == ["kept", "grammar"]
    assert names(filtered(decisions, 0.0, 0.0, sentence_of=lambda d: d.sentence)) == ["kept", "low sentence",
                                                                                     "grammar"]


def test_the_holder_ratio_keeps_the_likeliest_holders_of_a_sentence_and_the_grammars_confirmations():
    decisions = [Decided("Kerry", 0.9, 0.8, 1), Decided("UN", 0.6, 0.8, 1), Decided("Qatar", 0.75, 0.8, 1),
                 Decided("Hamas", 0.4, 0.8, 1, grammar_settles=True), Decided("alone", 0.5, 0.8, 2)]
    kept = filtered(decisions, 0.0, 0.8, sentence_of=lambda d: d.sentence)
    assert names(kept) == ["Kerry", "Qatar", "Hamas", "alone"]  # 0.6 < 0.8 * 0.9; the grammar's stays
    # the ratio is taken after the floor: a holder is not dropped for a rival the floor removed
    rivals = [Decided("gone", 0.9, 0.8, 1), Decided("kept", 0.6, 0.8, 1)]
    rivals[0].sentence_score = 0.1
    assert names(filtered(rivals, 0.3, 0.8, sentence_of=lambda d: d.sentence)) == ["kept"]


ARTICLE = (
    "Egypt urged Israel and Hamas on Tuesday to agree to a ceasefire in Gaza, where fighting has killed "
    "hundreds of people this month.\n\n"
    "\"Both sides must stop the fighting now and return to the negotiating table,\" Egypt's foreign minister "
    "told reporters in Cairo."
)


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Two copies of the shipped model: its article filter letting every article through, and refusing all."""
    out = {}
    for name, floor in (("open", 0.0), ("closed", 1.0)):
        folder = tmp_path_factory.mktemp(name) / "model"
        shutil.copytree(SHIPPED_DIR, folder)
        card = json.loads((folder / "card.json").read_text(encoding="utf-8"))
        card["article_floor"] = floor
        (folder / "card.json").write_text(json.dumps(card), encoding="utf-8")
        out[name] = folder
    return out


def test_an_article_the_filter_rules_out_is_not_parsed_by_default_and_keeps_its_attributions_in_full(
        extractor: Extractor, folders: dict[str, Path], monkeypatch: pytest.MonkeyPatch):
    assert (SHIPPED_DIR / ARTICLE_FILE).is_file(), "the shipped model carries its article filter"
    article = Article(text=ARTICLE, published="2014-07-15", outlet="Test Desk", title="Egypt urges a truce")
    let_through = Extractor(nlp=None, signal_model=str(folders["open"])).extract(article)
    assert let_through.about_war and let_through.signals, "the article holds a signal when it is let through"
    closed = Extractor(signal_model=str(folders["closed"]))
    made: list[str] = []
    make_doc = closed.nlp.make_doc
    monkeypatch.setattr(closed.nlp, "make_doc", lambda text: made.append(text) or make_doc(text))
    gated = closed.extract(article)
    assert not gated.about_war and gated.signals == [] and gated.attributions == []
    assert made == [], "the article filter reads the raw text: a ruled-out article is never tokenized"
    full = Extractor(signal_model=str(folders["closed"]), full_parse=True).extract(article)
    assert full.about_war and full.signals == [] and full.attributions, "--full-parse keeps the attributions"
    assert model_digest(folders["open"]) != model_digest(folders["closed"])  # the floor is part of the model


def test_the_component_scores_the_article_only_when_the_extractor_has_not(folders: dict[str, Path]):
    from backchannel.nlp.factories import ARTICLE_PASSED

    closed = Extractor(signal_model=str(folders["closed"]))
    component = closed.nlp.get_pipe("backchannel_decision")
    doc = closed.nlp.make_doc(ARTICLE)
    assert not component.article_relevant(doc)  # the floor of 1.0 turns every article away
    doc.user_data[ARTICLE_PASSED] = True  # what the default mode's extractor leaves after asking the filter
    assert component.article_relevant(doc)
