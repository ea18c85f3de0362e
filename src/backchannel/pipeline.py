"""Article -> ArticleResult, one at a time or in batches with ``nlp.pipe``.

The article's date and outlet are set on the Doc before the components run,
because ``when`` is resolved against the date and the article's own outlet
is left out of every chain of reporting.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from spacy.language import Language
from spacy.tokens import Doc

from .nlp.factories import results_of
from .nlp.loading import load_pipeline
from .records import Article, ArticleResult, Attribution, Signal


class Extractor:
    """Holds a loaded pipeline; ``extract`` and ``extract_many`` are pure functions of the article."""

    def __init__(self, actors_file: str = "", nlp: Language | None = None) -> None:
        self.nlp = nlp or load_pipeline(actors_file=actors_file)

    def _doc(self, article: Article) -> Doc:
        doc = self.nlp.make_doc(article.text)
        doc._.bc_published = article.published
        doc._.bc_outlet = article.outlet
        doc._.bc_title = article.title
        return doc

    def extract(self, article: Article) -> ArticleResult:
        return to_result(article, self.nlp(self._doc(article)))

    def extract_many(self, articles: Iterable[Article], batch_size: int = 16) -> Iterator[ArticleResult]:
        """Results in input order.  Articles are parsed in batches; memory stays bounded by the batch."""
        pending: list[Article] = []

        def docs() -> Iterator[Doc]:
            for article in articles:
                pending.append(article)
                yield self._doc(article)

        for doc in self.nlp.pipe(docs(), batch_size=batch_size):
            yield to_result(pending.pop(0), doc)


def to_result(article: Article, doc: Doc) -> ArticleResult:
    data = results_of(doc)
    attributions = [
        Attribution(**{**a, **{k: tuple(a[k]) if a[k] else None for k in ("speaker_span", "cue_span", "content_span")}})
        for a in data["attributions"]
    ]
    signals = [
        Signal(**{**s, "evidence_span": tuple(s["evidence_span"]) if s["evidence_span"] else None})
        for s in data["signals"]
    ]
    return ArticleResult(article=article, attributions=attributions, signals=signals)
