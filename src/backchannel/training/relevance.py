"""Fit the article and sentence filters of a model folder (``model/relevance.py``) and set them.

    python -m backchannel.training.relevance --corpus ../shared/corpus --annotations corpus/annotations \
        [--extra corpus/stream-annotations] --model MODEL_DIR

``backchannel train`` runs the same steps after the linear scorer; this command adds them to a folder
trained before.  Both filters are TF-IDF + class-balanced logistic regression, fitted on the train split's
fitting articles only (the folder's own seed and validation share say which):

- the article filter reads the title and text, and learns the articles that hold at least one gold
  signal against those that hold none (the war reports, the decoys, the nuclear diplomacy, the talks
  articles with no stated position).  Its floor is set by 5-fold cross-validation on the fitting articles:
  the highest that keeps ``ARTICLE_RECALL`` of the articles with signals (an article filtered out loses all
  its signals, so the floor is set for recall, and the precision it buys is the stream's);
- the sentence filter reads the sentences of the cheap splitter (``nlp/subset.py``), labelled positive
  when the scorer would accept one as a gold signal's evidence (``dataset.accepts``).  Its floor is chosen
  with the holder ratio and the stance thresholds, end to end on the validation articles
  (``stance_thresholds.choose_decision``).

The dev split is never read.  Needs scikit-learn (the train extra).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from backchannel.corpus.gold import GoldArticle
from backchannel.corpus.texts import STREAM_KIND
from backchannel.model.relevance import ARTICLE_FILE, SENTENCE_FILE, YES, article_document
from backchannel.training.linear_stance import save_scorer

#: Share of the fitting articles with signals the article floor must keep, in cross-validation.
ARTICLE_RECALL = 0.98
ARTICLE_C = 2.0
SENTENCE_C = 4.0
FOLDS = 5


def _labels(positive: Sequence[bool]) -> list[str]:
    return [YES if p else "no" for p in positive]


def _unfitted(ngrams: tuple[int, int], c: float, seed: int) -> tuple[Any, Any]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(ngram_range=ngrams, min_df=2, sublinear_tf=True)
    model = LogisticRegression(C=c, max_iter=3000, class_weight="balanced", random_state=seed)
    return vectorizer, model


def article_floor(texts: Sequence[str], labels: Sequence[str], seed: int) -> dict[str, Any]:
    """The article floor: the cross-validated probability below which only ``1 - ARTICLE_RECALL`` of the
    articles with signals fall, with how many of the articles without signals it would filter out."""
    from sklearn.model_selection import StratifiedKFold
    from sklearn.pipeline import make_pipeline

    y = np.array([label == YES for label in labels])
    probs = np.zeros(len(texts))
    for fit_idx, test_idx in StratifiedKFold(FOLDS, shuffle=True, random_state=seed).split(np.zeros(len(y)), y):
        pipe = make_pipeline(*_unfitted((1, 1), ARTICLE_C, seed))
        pipe.fit([texts[i] for i in fit_idx], [labels[i] for i in fit_idx])
        yes = list(pipe.classes_).index(YES)
        probs[test_idx] = pipe.predict_proba([texts[i] for i in test_idx])[:, yes]
    floor = float(np.floor(np.quantile(probs[y], 1 - ARTICLE_RECALL) * 100) / 100)
    return {"floor": floor, "folds": FOLDS, "articles_with_signals": int(y.sum()), "kept_with_signals":
            int((probs[y] >= floor).sum()), "articles_without": int((~y).sum()),
            "filtered_without": int((probs[~y] < floor).sum())}


def sentence_examples(golds: Sequence[GoldArticle]) -> tuple[list[str], list[str]]:
    """Every sentence of the articles (the cheap splitter's), labelled ``yes`` when the scorer would accept it
    as the evidence of one of the article's gold signals."""
    from backchannel.nlp.subset import sentence_spans
    from backchannel.training.dataset import accepts

    texts, labels = [], []
    for gold in golds:
        text = gold.article.text
        for start, end in sentence_spans(text):
            sentence = text[start:end]
            texts.append(sentence)
            labels.append(YES if any(accepts(s, sentence) for s in gold.gold["signals"]) else "no")
    return texts, labels


def fit_relevance(fit: Sequence[GoldArticle], out_dir: Path, seed: int) -> dict[str, Any]:
    """Fit both filters on ``fit`` into ``out_dir`` and write the article floor to its card; the figures
    are returned and kept on the card under ``relevance``."""
    articles = [article_document(g.article.title or "", g.article.text) for g in fit]
    article_labels = _labels([bool(g.gold["signals"]) for g in fit])
    vectorizer, model = _unfitted((1, 1), ARTICLE_C, seed)
    model.fit(vectorizer.fit_transform(articles), article_labels)
    article_diff = save_scorer(Path(out_dir) / ARTICLE_FILE, vectorizer, model, articles[:: max(1, len(articles) // 50)])
    floor = article_floor(articles, article_labels, seed)

    sentences, sentence_labels = sentence_examples(fit)
    vectorizer, model = _unfitted((1, 2), SENTENCE_C, seed)
    model.fit(vectorizer.fit_transform(sentences), sentence_labels)
    sentence_diff = save_scorer(Path(out_dir) / SENTENCE_FILE, vectorizer, model,
                                sentences[:: max(1, len(sentences) // 200)])
    figures = {
        "article": {"model": f"TF-IDF (unigrams, sublinear) + logistic regression (C {ARTICLE_C}, balanced) on "
                             "title and text: holds a signal or not", "articles": len(articles),
                    "stream_articles": sum(g.article.kind == STREAM_KIND for g in fit),
                    "with_signals": article_labels.count(YES), "max_diff": round(article_diff, 8),
                    "cross_validation": floor},
        "sentence": {"model": f"TF-IDF (1-2 grams, sublinear) + logistic regression (C {SENTENCE_C}, balanced) "
                              "on sentences: accepted as a gold signal's evidence or not",
                     "sentences": len(sentences), "positive": sentence_labels.count(YES),
                     "max_diff": round(sentence_diff, 8)},
    }
    card_path = Path(out_dir) / "card.json"
    card = json.loads(card_path.read_text(encoding="utf-8")) if card_path.exists() else {}
    card.update({"relevance": figures, "article_floor": floor["floor"]})
    card_path.write_text(json.dumps(card, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return figures


def main(argv: list[str] | None = None) -> int:
    from backchannel.corpus.gold import split_digest
    from backchannel.training.selection import model_folder_split
    from backchannel.training.stance_thresholds import choose_decision

    args, fit, val = model_folder_split(__doc__.splitlines()[0], argv)
    figures = fit_relevance(fit, args.model, args.seed)
    card_path = Path(args.model) / "card.json"
    card = json.loads(card_path.read_text(encoding="utf-8"))
    card["relevance"]["data"] = {**split_digest(args.corpus, [*fit, *val]), "extra": [str(p) for p in args.extra]}
    card_path.write_text(json.dumps(card, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(figures), file=sys.stderr)
    print(json.dumps(choose_decision(args.model, val)), file=sys.stderr)
    return 0

if __name__ == "__main__":
    raise SystemExit(main())
