"""Ingest: sources -> articles -> extraction -> store, once per article, crash-safe.

Each article is extracted and saved in its own transaction, so a kill at any
moment loses at most the article being written, and rerunning the same command
skips everything already stored (the article id is a hash of its text and URL)
and finishes the rest.  A bad document becomes an error row and a line in the
summary; it never stops the batch.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..errors import InputError
from ..read import FieldMapping, iter_source
from ..records import Article
from ..store import Status, Store, article_id
from .extractor import ExtractionFailure, Extractor, ExtractorSpec
from .parallel import DOC_TIMEOUT, extract_stream
from .runs import begin_run


def version_of(extractor: Extractor | Callable[[], Extractor]) -> str:
    """The version the results will carry, known before anything is extracted: an ``Extractor`` or an
    ``ExtractorSpec`` says it; a bare factory (one that loads its model only when there is something new to
    extract) builds the default extractor."""
    spec = getattr(extractor, "spec", extractor)
    return spec.version if isinstance(spec, ExtractorSpec) else ExtractorSpec().version


@dataclass
class IngestSummary:
    """What one ingest run did; printed at the end and kept in the runs table."""

    read: int = 0
    stored: int = 0
    new_versions: int = 0
    duplicates: int = 0
    stale: int = 0
    errors: int = 0
    signals: int = 0
    seconds: float = 0.0
    error_lines: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, float]:
        d = asdict(self)
        d.pop("error_lines")
        return d

    @property
    def exit_status(self) -> int:
        """0: everything went in; 1: some documents failed; 2: nothing could be read."""
        if not self.read:
            return 2
        return 1 if self.errors else 0

    def line(self) -> str:
        rate = self.read / self.seconds if self.seconds else 0.0
        hint = " (run `backchannel reprocess`)" if self.stale else ""
        return (
            f"{self.read} articles read, {self.stored} stored ({self.new_versions} new versions), "
            f"{self.duplicates} already stored, {self.stale} stored by another extractor version{hint}, "
            f"{self.signals} signals, {self.errors} errors, {self.seconds:.1f} s ({rate:.1f} articles/s)"
        )


Progress = Callable[[IngestSummary], None]


def ingest(
    sources: Sequence[str],
    store: Store,
    extractor: Extractor | Callable[[], Extractor],
    *,
    glob: str = "**/*",
    allow_private: bool = False,
    mapping: FieldMapping | None = None,
    batch_size: int = 16,
    progress: Progress | None = None,
    on_error: Callable[[str], None] | None = None,
    workers: int = 1,
    doc_timeout: float | None = DOC_TIMEOUT,
) -> IngestSummary:
    """Read every source, extract each new article once and store it; returns the summary.

    ``extractor`` may be a factory so that a rerun with nothing new never loads the spaCy model; with
    ``workers`` > 1 it must be an ``ExtractorSpec`` (each worker process builds its own).  With a spec,
    extraction runs in supervised worker processes and an article that takes longer than
    ``doc_timeout`` seconds fails alone (``parallel``).
    """
    summary = IngestSummary()
    version = version_of(extractor)
    run_id = begin_run(store, version)
    started = time.perf_counter()

    def fail(source: str, reason: str) -> None:
        store.record_error(source, reason, run_id)
        summary.errors += 1
        line = f"{source}: {reason}"
        summary.error_lines.append(line)
        if on_error is not None:
            on_error(line)

    def new_articles() -> Iterator[Article]:
        for source in sources:
            if is_results_source(source):
                _load_results(source)  # extracted elsewhere (spark-extract): stored as they are
                continue
            for item in iter_source(source, glob=glob, allow_private=allow_private, mapping=mapping):
                if isinstance(item, InputError):
                    fail(item.source, item.reason)
                    continue
                summary.read += 1
                stored = store.article(article_id(item))
                if stored is None:
                    yield item
                elif stored.get("extractor_version") not in (None, "", version):
                    summary.stale += 1  # kept as it is; `backchannel reprocess` brings it up to date
                else:
                    summary.duplicates += 1
                _tick()

    def _load_results(source: str) -> None:
        from .results_io import read_rows

        try:
            rows = read_rows(source)
            for row in rows:
                if isinstance(row.item, InputError):
                    fail(row.item.source, row.item.reason)
                    continue
                summary.read += 1
                if store.article(article_id(row.item.article)) is not None:
                    summary.duplicates += 1
                    continue
                outcome = store.save(row.item, run_id, row.extractor_version or version)
                if outcome.status in (Status.DUPLICATE, Status.STALE):
                    summary.duplicates += 1
                else:
                    summary.stored += 1
                    summary.signals += outcome.signals
                _tick()
        except InputError as exc:
            fail(exc.source, exc.reason)

    def _tick() -> None:
        summary.seconds = time.perf_counter() - started
        if progress is not None:
            progress(summary)

    try:
        for article, result in extract_stream(new_articles(), extractor, workers=workers, batch_size=batch_size,
                                              doc_timeout=doc_timeout):
            if isinstance(result, ExtractionFailure):
                fail(article.source or article.url or article.title, result.reason)
                continue
            outcome = store.save(result, run_id, version)
            if outcome.status == Status.DUPLICATE:
                summary.duplicates += 1
            elif outcome.status == Status.STALE:
                summary.stale += 1
            else:
                summary.stored += 1
                summary.signals += outcome.signals
                if outcome.status == Status.NEW_VERSION:
                    summary.new_versions += 1
            _tick()
    finally:
        summary.seconds = time.perf_counter() - started
        store.finish_run(run_id, summary.counts())
    return summary


def reprocess(
    store: Store,
    extractor: Extractor | ExtractorSpec,
    progress: Progress | None = None,
    workers: int = 1,
    batch_size: int = 16,
    doc_timeout: float | None = DOC_TIMEOUT,
) -> IngestSummary:
    """Re-extract the stored articles whose signals came from another extractor version, one transaction
    per article; with an ``ExtractorSpec`` in supervised worker processes (``doc_timeout`` per article)."""
    summary = IngestSummary()
    version = version_of(extractor)
    run_id = begin_run(store, version)
    started = time.perf_counter()
    ids: deque[str] = deque()

    def due() -> Iterator[Article]:
        for stored in store.articles_needing(version):
            ids.append(stored.id)  # results come back in this order
            yield stored.article

    try:
        for article, result in extract_stream(due(), extractor, workers=workers, batch_size=batch_size,
                                              doc_timeout=doc_timeout):
            article_id_ = ids.popleft()
            summary.read += 1
            if isinstance(result, ExtractionFailure):
                store.record_error(article.source or article_id_, result.reason, run_id)
                summary.errors += 1
                continue
            outcome = store.replace_extraction(article_id_, result, run_id, version)
            summary.stored += 1
            summary.signals += outcome.signals
            summary.seconds = time.perf_counter() - started
            if progress is not None:
                progress(summary)
    finally:
        summary.seconds = time.perf_counter() - started
        store.finish_run(run_id, summary.counts())
    return summary


def is_results_source(source: str) -> bool:
    """A Parquet file of extraction results, or a folder of them (what ``spark-extract`` writes)."""
    path = Path(source)
    if path.suffix.lower() == ".parquet":
        return True
    return path.is_dir() and any(path.glob("*.parquet")) and not any(
        p.suffix.lower() in (".json", ".jsonl", ".txt", ".html", ".md", ".csv", ".warc", ".gz") for p in path.iterdir()
    )
