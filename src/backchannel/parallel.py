"""Extraction on several cores: worker processes, each with its own pipeline, fed bounded chunks in order.

Why not ``nlp.pipe(n_process=...)``: the pre-parse scan must run before the parse in the same worker
(it is what makes the parse rare), a failing article must be isolated inside its chunk, and a worker
that dies (killed, out of memory) must cost a retry, not the run.  spaCy's multiprocessing does none
of these; a process pool that runs ``Extractor.extract_isolated`` on chunks does all three.

Memory is bounded: at most ``2 * workers`` chunks are in flight, whatever the length of the stream,
and results come back in input order, so a caller that saves them as they arrive (``ingest``) commits
a prefix of the stream and a rerun after a crash finishes the rest.  Workers are started with
``spawn`` (never ``fork``): the caller may hold threads and open database connections.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from .errors import BackchannelError
from .extractor_spec import ExtractorSpec
from .pipeline import CHUNK_BATCHES, ExtractionFailure, Extractor, in_chunks
from .records import Article, ArticleResult

Outcome = ArticleResult | ExtractionFailure
__all__ = ["ExtractorSpec", "WorkerPool", "extract_stream"]


def extract_stream(
    articles: Iterable[Article],
    extractor: Extractor | Callable[[], Extractor],
    *,
    workers: int = 1,
    batch_size: int = 16,
) -> Iterator[tuple[Article, Outcome]]:
    """(article, result or failure) for every article, in input order.

    With one worker the extraction runs in this process, and ``extractor`` may be an Extractor or a
    factory (called only when the first article arrives, so that an input with nothing new never loads
    the model).  With more, ``extractor`` must be an ``ExtractorSpec``: each worker builds its own.
    """
    chunks = in_chunks(articles, batch_size * CHUNK_BATCHES)
    if workers <= 1:
        get = _lazy(extractor)
        for chunk in chunks:
            yield from zip(chunk, get().extract_isolated(chunk, batch_size), strict=True)
        return
    if not isinstance(extractor, ExtractorSpec):
        raise TypeError("several workers need an ExtractorSpec (each worker builds its own Extractor)")
    with WorkerPool(extractor, workers, batch_size) as pool:
        yield from pool.run(chunks)


class WorkerPool:
    """A process pool of extractors that survives the death of a worker.

    When a worker dies the whole ``ProcessPoolExecutor`` is unusable, so every chunk that was in flight
    is sent again to a new pool; the chunk being waited for is redone one article at a time, so that an
    article that kills its worker again is reported as that article's failure.
    """

    def __init__(self, spec: ExtractorSpec, workers: int, batch_size: int) -> None:
        self.spec = spec
        self.workers = workers
        self.batch_size = batch_size
        self.restarts = 0
        self._pool: ProcessPoolExecutor | None = None
        self._generation = 0
        self._returned = False  # has the current pool returned anything yet
        self._pools_dead_on_arrival = 0

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def stream(self, articles: Iterable[Article]) -> Iterator[tuple[Article, Outcome]]:
        """(article, outcome) in input order; the pool (and its loaded workers) can be reused afterwards."""
        return self.run(in_chunks(articles, self.batch_size * CHUNK_BATCHES))

    def run(self, chunks: Iterable[list[Article]]) -> Iterator[tuple[Article, Outcome]]:
        in_flight: deque[_Job] = deque()
        source = iter(chunks)
        while True:
            while len(in_flight) < 2 * self.workers and (chunk := next(source, None)) is not None:
                in_flight.append(self._submit(chunk))
            if not in_flight:
                return
            job = in_flight.popleft()
            try:
                outcomes = job.future.result()
            except BrokenProcessPool:
                yield from self._recover(job, in_flight)
                continue
            self._returned = True
            yield from zip(job.chunk, outcomes, strict=True)

    def _submit(self, chunk: list[Article]) -> _Job:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                self.workers, mp_context=multiprocessing.get_context("spawn"),
                initializer=_init_worker, initargs=(self.spec, self.batch_size),
            )
            self._generation += 1
            self._returned = False
        try:
            return _Job(chunk, self._pool.submit(_work, chunk), self._generation)
        except BrokenProcessPool:  # a worker died while nothing was being waited for
            self._restart()
            return self._submit(chunk)

    def _restart(self) -> None:
        """Drop the broken pool; the next submission starts a new one.  Two pools in a row that die
        before returning anything mean the workers cannot start at all (no model, an unreadable actors
        file, a script without a ``__main__`` guard): stop with that error instead of retrying forever."""
        assert self._pool is not None
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._pool = None
        self.restarts += 1
        self._pools_dead_on_arrival = 0 if self._returned else self._pools_dead_on_arrival + 1
        if self._pools_dead_on_arrival >= 2:
            self._raise_start_failure()

    def _raise_start_failure(self) -> None:
        """Build an extractor here to report the real error (ModelError, an actors file's problem)."""
        try:
            self.spec()
        except BackchannelError:
            raise
        except Exception as exc:  # noqa: BLE001  (reported as one line by the CLI)
            raise BackchannelError(f"extraction workers cannot start ({type(exc).__name__}: {exc})") from None
        raise BackchannelError(
            "extraction workers died before returning any result (when calling backchannel from a script, "
            "start it under `if __name__ == \"__main__\":`: workers are spawned processes)"
        )

    def _recover(self, job: _Job, in_flight: deque[_Job]) -> Iterator[tuple[Article, Outcome]]:
        if job.generation == self._generation and self._pool is not None:
            self._restart()
        waiting = [j.chunk for j in in_flight]
        in_flight.clear()
        for article in job.chunk:
            single = self._submit([article])
            try:
                (outcome,) = single.future.result()
                self._returned = True
            except BrokenProcessPool:
                self._restart()
                outcome = ExtractionFailure(article, "extraction failed (the worker process died on this article)")
            yield article, outcome
        in_flight.extend(self._submit(chunk) for chunk in waiting)


@dataclass(frozen=True)
class _Job:
    chunk: list[Article]
    future: Future[list[Outcome]]
    generation: int  # which pool it was sent to: a break in an old pool must not restart the new one


# --- inside a worker process -----------------------------------------------------------------------

_WORKER: dict[str, object] = {}


def _init_worker(spec: ExtractorSpec, batch_size: int) -> None:
    os.environ["BACKCHANNEL_MODEL_THREADS"] = "1"  # the workers already use every core between them
    _WORKER["extractor"] = spec()
    _WORKER["batch_size"] = batch_size


def _work(chunk: list[Article]) -> list[Outcome]:
    extractor = _WORKER["extractor"]
    assert isinstance(extractor, Extractor)
    return extractor.extract_isolated(chunk, int(_WORKER["batch_size"]))  # type: ignore[call-overload]


# --- helpers ---------------------------------------------------------------------------------------


def _lazy(extractor: Extractor | Callable[[], Extractor]) -> Callable[[], Extractor]:
    if isinstance(extractor, Extractor):
        return lambda: extractor
    cache: list[Extractor] = []

    def get() -> Extractor:
        if not cache:
            cache.append(extractor())
        return cache[0]

    return get
