"""The spaCy components work in a user's own pipeline and survive multiprocessing."""

from __future__ import annotations

import spacy

import backchannel.nlp.factories  # noqa: F401  (registers the factories)
from backchannel.nlp.factories import results_of
from backchannel.nlp.loading import available_model

TEXT = (
    "The war in Gaza entered its second year. Hamas said on Sunday it had accepted the ceasefire proposal "
    "put forward by Egypt and Qatar."
)


def test_add_pipe_signals_alone_in_a_users_pipeline():
    nlp = spacy.load(available_model())
    nlp.add_pipe("backchannel_signals")
    doc = nlp.make_doc(TEXT)
    doc._.bc_published = "2025-01-20"
    doc = nlp(doc)
    data = results_of(doc)
    assert any(s["actor"] == "Hamas" and s["stance"] == "agrees" for s in data["signals"])
    assert any(a["speaker"] == "Hamas" for a in data["attributions"])


def test_pipe_with_two_processes_returns_results_in_order():
    nlp = spacy.load(available_model())
    nlp.add_pipe("backchannel_attributions")
    nlp.add_pipe("backchannel_signals")
    texts = [TEXT, "No talks here, only a football score.", TEXT.replace("Hamas", "Hezbollah")]
    docs = list(nlp.pipe(texts, n_process=2, batch_size=1))
    actors = [{s["actor"] for s in results_of(d)["signals"]} for d in docs]
    assert "Hamas" in actors[0] and actors[1] == set() and "Hezbollah" in actors[2]
