"""Fitting the article and sentence filters (``training.relevance``): needs scikit-learn (the train and test extras)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backchannel.corpus.gold import GoldArticle
from backchannel.corpus.texts import CorpusArticle
from backchannel.model.relevance import Relevance

pytest.importorskip("sklearn")

WAR = ("Hamas said on Tuesday it was ready for a ceasefire in Gaza if Israel lifted the blockade. "
       "Egypt urged both sides to return to talks in Cairo. Fighting killed {n} people overnight.")
OTHER = ("The senate passed the budget on Tuesday after a long night of bargaining. "
         "Democrats said the deal left schools short of money. The vote was {n} to 40.")


def gold(i: int, war: bool) -> GoldArticle:
    text = (WAR if war else OTHER).format(n=10 + i)
    evidence = text.split(". ")[0] + "."
    signals = [{"actor": "Hamas", "aliases": ["Hamas"], "stance": "open", "evidence": evidence,
                "evidence_alt": []}] if war else []
    article = CorpusArticle(id=f"abp-{i:012x}", kind="talks" if war else "decoy", split="train",
                            title=("Gaza truce" if war else "Budget vote"), outlet="Test", published="2014-07-15",
                            url="", text=text)
    return GoldArticle(article=article, gold={"signals": signals, "attributions": []}, path=Path("unused"))


def test_the_filters_learn_war_articles_and_position_sentences_and_set_a_recall_floor(tmp_path: Path):
    from backchannel.training.relevance import fit_relevance

    golds = [gold(i, war=i % 2 == 0) for i in range(40)]
    (tmp_path / "card.json").write_text(json.dumps({"threshold": 0.5}), encoding="utf-8")
    figures = fit_relevance(golds, tmp_path, seed=13)
    card = json.loads((tmp_path / "card.json").read_text(encoding="utf-8"))
    assert card["article_floor"] == figures["article"]["cross_validation"]["floor"]
    assert figures["article"]["max_diff"] < 1e-3 and figures["sentence"]["max_diff"] < 1e-3
    assert figures["sentence"]["positive"] == 20  # one evidence sentence per war article
    relevance = Relevance.load(tmp_path, card)
    assert relevance.article_relevant("Gaza truce", WAR.format(n=99))
    assert not relevance.article_relevant("Budget vote", OTHER.format(n=99))
    position, other = relevance.sentence_scores([WAR.split(". ")[0] + ".", "The vote was 60 to 40."])
    assert position > 0.5 > other
