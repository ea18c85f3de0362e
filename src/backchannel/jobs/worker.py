"""One extraction worker process: ``python -m backchannel.jobs.worker FD PARENT_PID`` (started by ``parallel``).

It talks to its parent over one socket (``FD``), with ``multiprocessing.connection`` framing:

    parent -> worker   (ExtractorSpec, batch_size, model_threads)   once, first
                       list[Article | ArticleFile]                  a chunk to read and extract, any number of times
    worker -> parent   ("ready",)                                   it can take work (budget running)
                       ("loading",)                                 it is loading the model (budget paused)
                       ("out", ArticleResult | ExtractionFailure)   one per article, in order, as soon as ready
                       ("fatal", message)                           no extraction is possible (the model, an
                                                                    actors file): the worker then exits

Why a plain subprocess and not ``multiprocessing``: a spawned ``multiprocessing`` process also starts
the resource tracker, a process of its own that survives a killed parent; here there is nothing to
track.  Chunks are read by a thread into a queue, so the parent's sends never wait on a busy worker
(no deadlock with the worker's own sends), and the end of that connection ends the worker
(``lifeline``).  Results go one article at a time, so the parent knows which article a silent
worker is stuck on, and can kill it after the per-document budget.
"""

from __future__ import annotations

import os
import queue
import signal
import sys
from collections.abc import Sequence
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING

from ..errors import BackchannelError
from ..records import Article
from .lifeline import die_with_parent, exit_when_closed

if TYPE_CHECKING:
    from .extractor import Extractor

#: seconds one document may keep its worker busy before the pool kills it (``--doc-timeout``); defined
#: here, beside the worker, so that the command line can show it without importing spaCy
DOC_TIMEOUT = 30.0

#: what a new worker extracts once before it takes documents (about a war, so that it is parsed)
WARM_UP = Article(text="Russia and Ukraine said on Monday that they were ready for ceasefire talks in Istanbul, "
                  "officials said.", published="2025-01-06")


def main(argv: Sequence[str]) -> int:
    try:
        return serve(int(argv[0]), int(argv[1]))
    except (EOFError, OSError):
        return 0  # the parent went away in the middle of a send: nothing is left to do


def serve(fd: int, parent_pid: int) -> int:
    # imported here, not above: the command line imports this module (DOC_TIMEOUT), and this imports spaCy
    from .documents import extract_documents

    die_with_parent(parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle; it then stops us
    conn = Connection(fd)
    spec, batch_size, model_threads = conn.recv()
    if model_threads:
        os.environ["BACKCHANNEL_MODEL_THREADS"] = str(model_threads)
    inbox: queue.Queue[object] = queue.Queue()
    exit_when_closed(conn.recv, inbox.put)
    loaded: list[Extractor] = []

    def extractor() -> Extractor:
        """Built on the first article to extract, and run once on a short text so that the first calls'
        set-up costs (the model's sessions, spaCy's caches) are not charged to a document's budget;
        the parent pauses the budget meanwhile."""
        if not loaded:
            conn.send(("loading",))
            built = spec()
            built.extract(WARM_UP)
            loaded.append(built)
            conn.send(("ready",))
        return loaded[0]

    conn.send(("ready",))
    while True:
        chunk = inbox.get()
        try:
            for outcome in extract_documents(extractor, chunk, batch_size):  # type: ignore[arg-type]
                conn.send(("out", outcome))
        except BackchannelError as exc:  # the model or an actors file: every article would fail alike
            conn.send(("fatal", str(exc)))
            return 2
        except Exception as exc:  # noqa: BLE001  (articles fail one by one inside; this is the extractor's build)
            conn.send(("fatal", f"extraction workers cannot start ({type(exc).__name__}: {exc})"))
            return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
