"""A worker process's tie to its parent: when the parent dies, however it dies, the worker exits at once.

Why two mechanisms: a parent killed with SIGKILL runs no clean-up code, so the worker must notice by
itself.  On Linux the kernel does it (``prctl(PR_SET_PDEATHSIG, SIGKILL)``): the worker is killed the
moment its parent goes, even inside spaCy's C loops, which hold the GIL and would keep any Python
thread from running.  Everywhere, a daemon thread also waits for the end of the worker's connection
to the parent (the parent's end closes when it exits, normally or not) and exits the process then;
that is the fallback where ``prctl`` does not exist.

Caveat of ``PR_SET_PDEATHSIG``: the signal comes when the parent *thread* that started the worker
ends.  The pool starts its workers from the thread that runs it, which outlives them.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
from collections.abc import Callable

PR_SET_PDEATHSIG = 1
#: the exit status of a worker that found its parent gone
ORPHANED = 3


def die_with_parent(parent_pid: int) -> None:
    """Ask the kernel to kill this process when its parent dies (Linux), then check that the parent is
    still the one that started us: it may have died before the request was made."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass  # no prctl: the connection watch below still ends the worker
    if os.getppid() != parent_pid:
        os._exit(ORPHANED)


def exit_when_closed(receive: Callable[[], object], deliver: Callable[[object], None]) -> threading.Thread:
    """Run ``deliver(receive())`` in a daemon thread until ``receive`` reports the end of the connection
    (``EOFError`` or ``OSError``: the parent closed it or died); then exit the process at once, without
    waiting for the main thread, which may be in the middle of a long parse."""

    def pump() -> None:
        while True:
            try:
                message = receive()
            except (EOFError, OSError):
                os._exit(0)
            deliver(message)

    thread = threading.Thread(target=pump, name="backchannel-lifeline", daemon=True)
    thread.start()
    return thread
