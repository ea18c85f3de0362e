"""Read the shared corpus (``annotate.jsonl``, ``stream.jsonl``): one JSON object a line."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from backchannel.errors import BackchannelError
from backchannel.records import Article

ANNOTATE_FILE = "annotate.jsonl"
STREAM_FILE = "stream.jsonl"
KINDS: tuple[str, ...] = ("talks", "war_no_talks", "decoy")
SPLITS: tuple[str, ...] = ("train", "dev")
STREAM_KIND = "stream"


class CorpusError(BackchannelError):
    """The corpus folder or one of its lines is unusable; the message names the file and line."""


@dataclass(frozen=True)
class CorpusArticle:
    """One article of the corpus, with the fields its README lists."""

    id: str
    text: str
    kind: str = ""
    split: str = ""
    title: str = ""
    outlet: str = ""
    published: str = ""
    url: str = ""

    @property
    def sha256(self) -> str:
        return text_sha256(self.text)

    def to_article(self) -> Article:
        """The extractor's input: the text and the metadata a reader would have found."""
        return Article(text=self.text, title=self.title, outlet=self.outlet, published=self.published,
                       url=self.url, source=self.id)


def text_sha256(text: str) -> str:
    """The digest an annotation pins: sha256 of the UTF-8 text, as the corpus ids are made."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def corpus_id(text: str) -> str:
    """The id the corpus gives a text (README: ``abp-`` and 12 hex of its sha256): an article exported from
    the store as an annotation gets the id the corpus has for the same text."""
    return "abp-" + text_sha256(text)[:12]


def corpus_file(corpus: Path, name: str = ANNOTATE_FILE) -> Path:
    """``corpus`` may be the folder or the file itself."""
    path = corpus / name if corpus.is_dir() else corpus
    if not path.is_file():
        raise CorpusError(f"{path}: no such corpus file (point --corpus at the folder holding {name})")
    return path


def iter_corpus(path: Path) -> Iterator[CorpusArticle]:
    """Yield each line as a CorpusArticle; a bad line is an error naming the file and line."""
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError as exc:
                raise CorpusError(f"{path}:{lineno}: not JSON ({exc})") from None
            if not isinstance(row, dict) or not isinstance(row.get("id"), str) or not isinstance(
                    row.get("text"), str):
                raise CorpusError(f"{path}:{lineno}: needs string fields 'id' and 'text'")
            fields = {k: str(row.get(k) or "") for k in ("kind", "split", "title", "outlet", "published", "url")}
            if fields["kind"] == STREAM_KIND and not fields["split"]:
                fields["split"] = stream_split(row["id"])
            yield CorpusArticle(id=row["id"], text=row["text"], **fields)


def stream_split(article_id: str) -> str:
    """The split of a ``stream.jsonl`` article, fixed by its id: ``train`` when the id's last hex digit is
    even, else ``dev``.

    Why: the stream is where the tool meets news as it comes, and its false alarms are of kinds the
    annotated corpus holds few of.  So half of it may be annotated and learned from, and the other half is
    only ever measured on (``corpus stream --split dev``).  The ids are digests of the texts, so the halves
    are a fair coin that no one chose, and an article keeps its half whoever reads it."""
    return "train" if int(article_id[-1], 16) % 2 == 0 else "dev"


def load_corpus(corpus: Path, name: str = "") -> dict[str, CorpusArticle]:
    """The corpus articles by id: those of ``name`` alone, or by default ``annotate.jsonl``'s and, when the
    folder holds it, ``stream.jsonl``'s (annotations may be made on either; ``stream_split`` says which
    stream articles are for training)."""
    if name:
        return {a.id: a for a in iter_corpus(corpus_file(corpus, name))}
    articles = {a.id: a for a in iter_corpus(corpus_file(corpus, ANNOTATE_FILE))}
    if corpus.is_dir() and (corpus / STREAM_FILE).is_file():
        for article in iter_corpus(corpus / STREAM_FILE):
            articles.setdefault(article.id, article)
    return articles


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
