"""What extraction is given: an Article already read, or a file still to read.

Why files are read where they are extracted: reading is part of a document's time budget.  An HTML
page that sends the parser into a long spin must be stopped like a text that does, so ``extract``
hands its files to the supervised workers unread, and a worker reads each one just before extracting
it.  A file that cannot be read becomes that document's failure, in its place in the output.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from ..errors import InputError
from ..records import Article, ArticleResult
from .extractor import ExtractionFailure, Extractor


@dataclass(frozen=True)
class ArticleFile:
    """A file to read into an Article (``--published`` / ``--outlet`` override what it says)."""

    path: str
    published: str = ""
    outlet: str = ""

    def read(self) -> Article:
        from ..read import read_path

        return read_path(self.path, published=self.published, outlet=self.outlet)


Document = Article | ArticleFile


def extract_documents(extractor: Callable[[], Extractor], documents: Sequence[Document],
                      batch_size: int = 16) -> Iterator[ArticleResult | ExtractionFailure]:
    """One outcome per document, in order: files are read first, then the articles are extracted
    together (``Extractor.extract_each``); an unreadable file is its own failure.  ``extractor`` is
    called only when there is an article to extract: files that all fail to read never load a model."""
    read: list[Article | ExtractionFailure] = [_read(d) for d in documents]
    articles = [a for a in read if isinstance(a, Article)]
    results = extractor().extract_each(articles, batch_size) if articles else iter(())
    for item in read:
        yield item if isinstance(item, ExtractionFailure) else next(results)


def as_article(document: Document) -> Article:
    """The article, or for a file an empty one naming it (what a failure of that file reports)."""
    return document if isinstance(document, Article) else Article(text="", source=document.path)


def _read(document: Document) -> Article | ExtractionFailure:
    if isinstance(document, Article):
        return document
    try:
        return document.read()
    except InputError as exc:
        return ExtractionFailure(Article(text="", source=exc.source), exc.reason)
    except Exception as exc:  # noqa: BLE001  (a reader's bug must cost this file only)
        return ExtractionFailure(as_article(document), f"cannot be read ({type(exc).__name__}: {str(exc)[:200]})")
