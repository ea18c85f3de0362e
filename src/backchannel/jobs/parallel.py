"""Extraction in supervised worker processes: each with its own pipeline, fed bounded chunks in order,
each watched by a per-document time budget, none outliving the process that started it.

Why not ``nlp.pipe(n_process=...)`` or a ``ProcessPoolExecutor``: the pre-parse scan must run before
the parse in the same worker (it is what makes the parse rare), a failing article must be isolated
inside its chunk, a worker that dies (killed, out of memory) must cost a retry, not the run, and a
worker stuck on one document (spaCy cannot be interrupted inside its C loops) must be killed and
replaced, failing that document alone.  Only a pool that owns its processes one by one can do the
last: it knows which worker is silent, kills only that one, and knows from the results streamed so
far which articles it had not finished.

The budget (``doc_timeout``) is checked on the worker's silence: a worker that has sent nothing for
that long while the pool waits on it is killed.  The articles of its current chunk that had not come
back are then redone one at a time, each with the budget to itself, so the one that is really too
slow is the only one that fails ("took longer than the budget"), and ordinary articles batched with
it are not lost.  Results come back as each ``nlp.pipe`` batch ends, so a batch of ordinary articles
that together take longer than the budget is redone one at a time too: slower, never wrong.  Workers die with the pool's process however it dies (``lifeline``); they are plain
subprocesses (``worker``), so no ``multiprocessing`` resource tracker is left behind either.

Memory is bounded: at most ``2 * workers`` chunks are in flight, whatever the length of the stream,
and results come back in input order, so a caller that saves them as they arrive (``ingest``) commits
a prefix of the stream and a rerun after a crash finishes the rest.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path

from ..errors import BackchannelError
from ..records import ArticleResult
from .documents import Document, as_article, extract_documents
from .extractor import CHUNK_BATCHES, ExtractionFailure, Extractor, ExtractorSpec, in_chunks
from .worker import DOC_TIMEOUT

Outcome = ArticleResult | ExtractionFailure
__all__ = ["DOC_TIMEOUT", "WorkerPool", "extract_stream"]

#: how often the pool wakes up to check budgets while it waits on its workers
_TICK = 0.1


def extract_stream(
    documents: Iterable[Document],
    extractor: Extractor | Callable[[], Extractor],
    *,
    workers: int = 1,
    batch_size: int = 16,
    doc_timeout: float | None = DOC_TIMEOUT,
) -> Iterator[tuple[Document, Outcome]]:
    """(document, result or failure) for every document, in input order.  A document is an Article,
    or an ``ArticleFile`` read where it is extracted (its reading is then inside the budget too).

    With an ``ExtractorSpec`` the extraction runs in ``workers`` supervised processes, each building
    its own extractor, with ``doc_timeout`` seconds per document (``None`` or 0: no budget, and one
    worker then runs in this process instead).  With an Extractor, or a factory of one (called only
    when the first article arrives, so that an input with nothing new never loads the model), it runs
    in this process, with no budget: nothing can interrupt a parse in the process that runs it.
    """
    chunks = in_chunks(documents, batch_size * CHUNK_BATCHES)
    supervised = isinstance(extractor, ExtractorSpec) and (workers > 1 or bool(doc_timeout))
    if not supervised:
        if workers > 1:
            raise TypeError("several workers need an ExtractorSpec (each worker builds its own Extractor)")
        get = _lazy(extractor)
        for chunk in chunks:
            yield from zip(chunk, list(extract_documents(get, chunk, batch_size)), strict=True)
        return
    assert isinstance(extractor, ExtractorSpec)
    with WorkerPool(extractor, workers, batch_size, doc_timeout) as pool:
        yield from pool.run(chunks)


class WorkerPool:
    """Supervised extraction processes that survive the death or the stall of a worker.

    Workers are started on the first chunk and load the model on the first article they have to
    extract (so an input with nothing new, or no readable file, never loads one); they are replaced
    when one dies or overruns the budget.  Two workers in a row that die before returning anything
    mean the workers cannot start at all: that is raised instead of retrying forever.
    """

    def __init__(self, spec: ExtractorSpec, workers: int, batch_size: int,
                 doc_timeout: float | None = DOC_TIMEOUT) -> None:
        self.spec = spec
        self.workers = max(1, workers)
        self.batch_size = batch_size
        self.doc_timeout = doc_timeout or None
        self.restarts = 0  # workers replaced after dying or overrunning the budget
        self._live: list[_Worker] = []
        self._dead_on_arrival = 0

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop every worker (they hold nothing that needs saving)."""
        while self._live:
            self._live.pop().stop()

    def worker_pids(self) -> list[int]:
        return [w.proc.pid for w in self._live]

    def stream(self, documents: Iterable[Document]) -> Iterator[tuple[Document, Outcome]]:
        """(document, outcome) in input order; the pool (and its loaded workers) can be reused afterwards."""
        return self.run(in_chunks(documents, self.batch_size * CHUNK_BATCHES))

    def run(self, chunks: Iterable[list[Document]]) -> Iterator[tuple[Document, Outcome]]:
        order: deque[_Job] = deque()  # every job not yet fully given back, in input order
        source = iter(chunks)
        while True:
            while len(order) < 2 * self.workers and (chunk := next(source, None)) is not None:
                job = _Job(chunk)
                order.append(job)
                self._assign(job)
            if not order:
                return
            head = order[0]
            while head.given < len(head.outcomes):
                head.given += 1
                yield head.documents[head.given - 1], head.outcomes[head.given - 1]
            if head.finished:
                order.popleft()
            else:
                self._wait_for(head, order)

    # ---- workers -----------------------------------------------------------------------------------

    def _assign(self, job: _Job) -> None:
        """Send ``job`` to the least busy worker, starting one if the pool is not full."""
        if len(self._live) < self.workers:
            self._live.append(_Worker.start(self.spec, self.batch_size, model_threads=1 if self.workers > 1 else 0))
        worker = min(self._live, key=lambda w: len(w.jobs))
        worker.give(job)

    def _wait_for(self, head: _Job, order: deque[_Job]) -> None:
        """Read from the workers until ``head`` has a new outcome, replacing the workers that die and
        the one that keeps ``head`` waiting longer than the budget."""
        began = time.monotonic()
        seen = len(head.outcomes)
        while len(head.outcomes) == seen and not head.finished:
            by_conn = {w.conn: w for w in self._live}
            for conn in wait(list(by_conn), timeout=_TICK):
                if by_conn[conn] in self._live:  # type: ignore[index]  (not lost while draining another)
                    self._drain(by_conn[conn], order)  # type: ignore[index]
            worker = head.worker
            if (worker is not None and worker in self._live and worker.ready and self.doc_timeout
                    and time.monotonic() - max(worker.heard, began) > self.doc_timeout):
                self._lose(worker, order, f"took longer than the budget of {self.doc_timeout:g} s per document "
                           "(--doc-timeout); its worker was stopped")

    def _drain(self, worker: _Worker, order: deque[_Job]) -> None:
        """Take every message ``worker`` has sent; its end of the connection closing means it died."""
        try:
            while worker.conn.poll():
                message = worker.conn.recv()
                worker.heard = time.monotonic()
                kind = message[0]
                if kind == "out":
                    worker.jobs[0].outcomes.append(message[1])
                    if worker.jobs[0].finished:
                        worker.jobs.popleft()
                    self._dead_on_arrival = 0
                elif kind in ("ready", "loading"):  # the budget is paused while it loads the model
                    worker.ready = kind == "ready"
                else:  # "fatal": the extractor cannot be built or used; every worker would fail alike
                    raise BackchannelError(str(message[1]))
        except (EOFError, OSError):
            self._lose(worker, order, "extraction failed (the worker process died on this article)")

    def _lose(self, worker: _Worker, order: deque[_Job], reason: str) -> None:
        """Stop ``worker`` and send its work elsewhere.  The chunk it was on is redone one article at a
        time (each with the whole budget); an article it was on alone fails with ``reason``."""
        worker.stop()
        self._live.remove(worker)
        self.restarts += 1
        if not worker.ready:
            self._dead_on_arrival += 1
            if self._dead_on_arrival >= 2:
                self._raise_start_failure()
        jobs = list(worker.jobs)
        worker.jobs.clear()
        for i, job in enumerate(jobs):
            job.worker = None
            if i > 0 or not worker.ready:
                self._assign(job)  # not started yet: sent again as it is
            elif job.alone:
                job.outcomes.append(ExtractionFailure(as_article(job.documents[0]), reason))
            else:
                self._split(job, order)

    def _split(self, job: _Job, order: deque[_Job]) -> None:
        """Cut ``job`` down to what came back and queue its other articles after it, one job each."""
        rest = job.documents[len(job.outcomes):]
        job.documents = job.documents[: len(job.outcomes)]
        at = order.index(job) + 1
        for offset, document in enumerate(rest):
            single = _Job([document], alone=True)
            order.insert(at + offset, single)
            self._assign(single)

    def _raise_start_failure(self) -> None:
        raise BackchannelError("extraction workers died before they could load the model "
                               "(run `backchannel extract` on one file to see why)")


@dataclass(eq=False)
class _Job:
    """A chunk of documents sent to one worker, and the outcomes that came back so far, in order."""

    documents: list[Document]
    alone: bool = False  # one article redone by itself: if it overruns again, it is the one at fault
    outcomes: list[Outcome] = field(default_factory=list)
    given: int = 0  # outcomes already handed to the caller
    worker: _Worker | None = None

    @property
    def finished(self) -> bool:
        return len(self.outcomes) >= len(self.documents)


@dataclass(eq=False)
class _Worker:
    """One ``python -m backchannel.jobs.worker`` process, its connection and the jobs sent to it, in order."""

    proc: subprocess.Popen[bytes]
    conn: Connection
    jobs: deque[_Job] = field(default_factory=deque)
    ready: bool = False
    heard: float = field(default_factory=time.monotonic)  # when it last sent something or got work while idle

    @classmethod
    def start(cls, spec: ExtractorSpec, batch_size: int, model_threads: int) -> _Worker:
        ours, theirs = socket.socketpair()
        package_root = str(Path(__file__).resolve().parent.parent)  # the same backchannel as ours
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (package_root, os.environ.get("PYTHONPATH")) if p)}
        try:
            proc = subprocess.Popen(
                [sys.executable, "-m", "backchannel.jobs.worker", str(theirs.fileno()), str(os.getpid())],
                pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, env=env,
            )
        finally:
            theirs.close()
        conn = Connection(ours.detach())
        conn.send((spec, batch_size, model_threads))
        return cls(proc, conn)

    def give(self, job: _Job) -> None:
        if not self.jobs:
            self.heard = time.monotonic()  # an idle worker's silence counts from now
        self.jobs.append(job)
        job.worker = self
        try:
            self.conn.send(job.documents)
        except OSError:
            pass  # it died: the pool sees its connection closed and sends the job elsewhere

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait()
        self.conn.close()


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
