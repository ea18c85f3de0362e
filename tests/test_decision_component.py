"""The learned decision as a spaCy component, with a stand-in model: what it writes on the Doc."""

from __future__ import annotations

import json
import pickle
from dataclasses import dataclass
from pathlib import Path

import pytest

from backchannel.errors import ModelError
from backchannel.jobs.extractor import ExtractorSpec, extractor_version
from backchannel.model.choice import model_digest, resolve_signal_model
from backchannel.model.relevance import Relevance
from backchannel.nlp import factories
from backchannel.nlp.loading import load_pipeline


@dataclass
class Scores:
    stance: dict
    topic: dict
    channel: dict


class StandIn:
    """Calls a pair "urges" when the holder is Egypt named in the sentence, "none" otherwise."""

    card = {"threshold": 0.5}
    relevance = Relevance()  # no article or sentence filter: every candidate is the model's to decide

    def predict(self, pairs):
        out = []
        for a, _ in pairs:
            p = 0.9 if a.startswith("Egypt ; named") else 0.05
            stance = {k: (1 - p) / 6 for k in ("open", "refuses", "proposes", "agrees", "opposes", "none")}
            stance["urges"] = p
            if p < 0.5:
                stance["none"] = 0.9
            out.append(Scores(stance, {"ceasefire": 0.6, "talks": 0.3, "deal": 0.1},
                              {"public": 0.1, "private": 0.7, "both": 0.1, "unknown": 0.1}))
        return out


@pytest.fixture(scope="module")
def nlp():
    saved = factories.load_model
    factories.load_model = lambda *args, **kwargs: StandIn()
    try:
        yield load_pipeline(signals="stand-in")
    finally:
        factories.load_model = saved


def run(nlp, text: str):
    doc = nlp.make_doc(text)
    doc._.bc_published = "2014-08-07"
    return nlp(doc)


def test_signals_explanations_and_candidate_spans(nlp):
    doc = run(nlp, "Israel and Hamas fought for weeks in Gaza. Egypt hosted truce talks in Cairo on Monday, "
                   "officials said. Israel said it would study the offer.")
    out = doc._.backchannel
    assert [(s["actor"], s["stance"], s["channel"], s["when"]) for s in out["signals"]] == [
        ("Egypt", "urges", "private", "2014-08-04")]
    assert len(out["explanations"]) == 1 and out["explanations"][0]["holder"]["name"] == "Egypt"
    assert "talks" in out["explanations"][0]["gate"]["gate_words"]
    labels = {span.text.split()[0]: span.label_ for span in doc.spans["bc_candidates"]}
    assert labels["Egypt"] == "urges" and labels["Israel"] == "none"


def test_a_text_not_about_war_and_an_empty_text_give_nothing(nlp):
    for text in ("The central bank raised rates on Tuesday.", "", "   \n\n  "):
        out = run(nlp, text)._.backchannel
        assert out["signals"] == [] and out["explanations"] == []


def test_a_truce_sentence_is_decided(nlp):
    """The twin of the text not about war: one sentence about truce talks reaches the model."""
    out = run(nlp, "Egypt hosted truce talks on Tuesday.")._.backchannel
    assert [(s["actor"], s["stance"]) for s in out["signals"]] == [("Egypt", "urges")]
    assert len(out["explanations"]) == 1


def test_a_model_without_a_threshold_is_refused(tmp_path: Path, monkeypatch):
    class NoCard(StandIn):
        card: dict = {}

    monkeypatch.setattr(factories, "load_model", lambda *a, **k: NoCard())
    with pytest.raises(ModelError, match="card.json: no decision threshold"):
        load_pipeline(signals=str(tmp_path))


def test_the_spec_pickles_with_an_absolute_model_path(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    spec = ExtractorSpec(signal_model=resolve_signal_model("models/m"))
    again = pickle.loads(pickle.dumps(spec))
    assert again == spec and Path(again.signal_model).is_absolute()
    assert again.signal_model == str(tmp_path / "models" / "m")


def test_the_version_follows_every_model_file(tmp_path: Path):
    folder = tmp_path / "m"
    folder.mkdir()
    for name, content in (("model.onnx", b"weights"), ("tokenizer.json", b"{}"), ("labels.json", b"{}"),
                          ("card.json", json.dumps({"threshold": 0.5}).encode())):
        (folder / name).write_bytes(content)
    first = model_digest(folder)
    assert extractor_version(signal_model=str(folder)).split("+")[2] == "m" + first[:10]
    (folder / "card.json").write_text(json.dumps({"threshold": 0.6}))
    assert model_digest(folder) != first
    (folder / "labels.json").unlink()
    with pytest.raises(ModelError, match="labels.json: no such file"):
        model_digest(folder)

