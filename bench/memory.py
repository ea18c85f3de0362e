"""Memory readings for the benchmarks: this process's RSS and peak, and the peak of a process tree.

With ``--workers`` the extraction runs in child processes, so this process's own peak (VmHWM) says
little: ``TreePeak`` samples the summed RSS of this process and all its descendants a few times a
second and keeps the largest sum, which is what the machine had to provide.
"""

from __future__ import annotations

import os
import resource
import threading
from pathlib import Path


def status_mb(field: str, pid: int | str = "self") -> float:
    """VmRSS or VmHWM (the peak) of a process in MB; this process's ru_maxrss where /proc is missing."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 if pid == "self" else 0.0


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def tree_rss_mb(root: int) -> float:
    """Summed VmRSS of ``root`` and every process below it."""
    tree, total, todo = _children(), 0.0, [root]
    while todo:
        pid = todo.pop()
        total += status_mb("VmRSS", pid)
        todo.extend(tree.get(pid, []))
    return total


class TreePeak:
    """Samples the process tree's summed RSS every ``interval`` seconds until stopped."""

    def __init__(self, interval: float = 0.25) -> None:
        self.interval = interval
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreePeak:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        me = os.getpid()
        while not self._stop.is_set():
            self.peak_mb = max(self.peak_mb, tree_rss_mb(me))
            self._stop.wait(self.interval)
