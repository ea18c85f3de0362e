"""Is this article about ending a war, and does this sentence hold a position?  Two learned filters.

Why: the pair model judges one (holder, sentence) pair at a time and never sees what the article is about.
On the real news stream most of its false alarms were talks and deals of another kind (nuclear
diplomacy, budget bargaining, trade: "not about a war") or sentences that state no position (condolences,
accusations, calls for calm); and on the validation articles a third of its false signals named a second
holder in a sentence whose position is someone else's.  So a model folder may carry three more parts,
each fitted on the train split's fitting articles only and set on its validation articles
(``training/relevance.py``):

- ``article.npz``: TF-IDF + logistic regression on the title and text, trained to tell the articles that
  hold a signal from those that hold none; an article below the card's ``article_floor`` gets no signal
  (and, in the default mode, is not parsed at all: ``jobs/extractor.py``);
- ``sentence.npz``: the same on sentences, trained to tell the sentences that carry a signal; a decided
  pair whose sentence is below ``sentence_floor`` is dropped, unless the grammar settles it
  (``decision.filtered``), and is not even scored by the encoder;
- ``sentence_parse_floor`` (card only, at most the sentence floor): in the default mode, a candidate
  sentence of the cheap splitter (``nlp/subset.py``) below it is not parsed at all;
- ``holder_ratio`` (card only): in one sentence, a holder's signal stays only if its probability is at
  least this share of the sentence's best (the grammar's confirmations always stay: "A and B agreed").

A folder without them decides as before.  A card that names a floor for a missing file is an error,
reported in one line: a model half-installed must not pass for a cautious one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from backchannel.errors import ModelError
from backchannel.model.linear import LinearScorer

ARTICLE_FILE = "article.npz"
SENTENCE_FILE = "sentence.npz"
#: The label a relevance scorer gives the texts that hold a signal.
YES = "yes"


def article_document(title: str, text: str) -> str:
    """The one text the article scorer reads (the same in training and here)."""
    return f"{title}\n{text}"


@dataclass(frozen=True)
class Relevance:
    """A model folder's article and sentence scorers with their floors, and the holder ratio."""

    article: LinearScorer | None = None
    article_floor: float = 0.0
    sentence: LinearScorer | None = None
    sentence_floor: float = 0.0
    sentence_parse_floor: float = 0.0
    holder_ratio: float = 0.0

    @classmethod
    def load(cls, folder: Path, card: dict[str, Any]) -> Relevance:
        card_path = Path(folder) / "card.json"
        settings = {key: _fraction(card, key, card_path)
                    for key in ("article_floor", "sentence_floor", "sentence_parse_floor", "holder_ratio")}
        scorers = {}
        for key, name in (("article", ARTICLE_FILE), ("sentence", SENTENCE_FILE)):
            path = Path(folder) / name
            if path.exists():
                scorers[key] = _binary(LinearScorer(path), path)
            elif settings[f"{key}_floor"] or (key == "sentence" and settings["sentence_parse_floor"]):
                raise ModelError(f"{card_path}: {'an' if key == 'article' else 'a'} {key} floor is set but {path} does not exist")
        return cls(article=scorers.get("article"), article_floor=settings["article_floor"] if "article" in scorers else 0.0,
                   sentence=scorers.get("sentence"),
                   sentence_floor=settings["sentence_floor"] if "sentence" in scorers else 0.0,
                   sentence_parse_floor=settings["sentence_parse_floor"] if "sentence" in scorers else 0.0,
                   holder_ratio=settings["holder_ratio"])

    def article_score(self, title: str, text: str) -> float:
        """The probability that the article holds a signal (1.0 without an article scorer)."""
        if self.article is None:
            return 1.0
        return self.article.predict_texts([article_document(title, text)])[0][YES]

    def article_relevant(self, title: str, text: str) -> bool:
        return self.article is None or self.article_score(title, text) >= self.article_floor

    def worth_parsing(self, sentences: list[str]) -> list[bool]:
        """Per sentence, whether it clears the parse floor (``nlp.subset.select``'s ``may_hold``)."""
        return [p >= self.sentence_parse_floor for p in self.sentence_scores(sentences)]

    def sentence_scores(self, sentences: Sequence[str]) -> list[float]:
        """The probability that each sentence carries a signal (1.0 each without a sentence scorer)."""
        if self.sentence is None:
            return [1.0] * len(sentences)
        return [p[YES] for p in self.sentence.predict_texts(sentences)]


def _fraction(card: dict[str, Any], key: str, card_path: Path) -> float:
    value = card.get(key, 0.0)
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value <= 1:
        raise ModelError(f"{card_path}: {key} must be a number from 0 to 1, not {value!r}")
    return float(value)


def _binary(scorer: LinearScorer, path: Path) -> LinearScorer:
    if YES not in scorer.classes or len(scorer.classes) != 2:
        raise ModelError(f"{path}: a relevance scorer has two classes, one of them {YES!r}, not {list(scorer.classes)}")
    return scorer
