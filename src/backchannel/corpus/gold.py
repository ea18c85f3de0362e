"""Load the annotations of a split as gold documents, and pin what they were made from.

The digest of a split covers each annotation file's bytes and the corpus file's
bytes, so a quality figure always names exactly the data it was measured on.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from backchannel.corpus.annotations import annotation_files, check_annotation, materialize, read_annotation
from backchannel.corpus.texts import (
    ANNOTATE_FILE,
    STREAM_FILE,
    STREAM_KIND,
    CorpusArticle,
    CorpusError,
    corpus_file,
    file_sha256,
    load_corpus,
)

SPLIT_CHOICES = ("dev", "train", "all")


@dataclass(frozen=True)
class GoldArticle:
    """One annotated corpus article: its text and metadata, and its gold in the docs/SCHEMA.md format."""

    article: CorpusArticle
    gold: dict[str, Any]
    path: Path


def load_split(corpus: Path, annotations: Path, split: str = "dev") -> list[GoldArticle]:
    """The annotated articles of ``split``, sorted by id.

    Any invalid annotation file stops the load: an evaluation on a silently
    smaller or mis-read set would report figures that mean nothing.
    """
    if split not in SPLIT_CHOICES:
        raise CorpusError(f"--split {split!r}: expected one of {', '.join(SPLIT_CHOICES)}")
    if not annotations.is_dir():
        raise CorpusError(f"{annotations}: not a folder of annotation files")
    articles = load_corpus(corpus)
    out: list[GoldArticle] = []
    for path in annotation_files(annotations):
        try:
            data = read_annotation(path)
        except (OSError, ValueError) as exc:
            raise CorpusError(f"{path}: cannot read ({exc})") from None
        article = articles.get(str(data.get("id")))
        problems = check_annotation(path, data, article)
        if problems:
            more = f" (and {len(problems) - 1} more; run `backchannel corpus check`)" if len(problems) > 1 else ""
            raise CorpusError(f"{problems[0]}{more}")
        assert article is not None
        if split != "all" and article.split != split:
            continue
        out.append(GoldArticle(article, materialize(data, article), path))
    if not out:
        raise CorpusError(f"{annotations}: no annotated article of split {split!r}")
    return out


def split_digest(corpus: Path, golds: list[GoldArticle]) -> dict[str, str]:
    """sha256 of the annotation files used (name and bytes, in id order) and of the corpus file, and of
    the stream file when some of the articles are the stream's."""
    h = hashlib.sha256()
    for g in sorted(golds, key=lambda g: g.article.id):
        h.update(g.path.name.encode() + b"\0" + g.path.read_bytes() + b"\0")
    digest = {"annotations": h.hexdigest(), "corpus": file_sha256(corpus_file(corpus, ANNOTATE_FILE)),
              "articles": str(len(golds))}
    if any(g.article.kind == STREAM_KIND for g in golds):
        digest["stream"] = file_sha256(corpus_file(corpus, STREAM_FILE))
    return digest
