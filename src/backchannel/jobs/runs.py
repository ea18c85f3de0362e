"""Runs and the processes that own them: telling a run that died from one still going.

A run is ``running`` from ``begin_run`` to ``finish_run``.  A process killed in between (SIGKILL, out
of memory, a power cut) never finishes its run, so each run records its owner: host, boot, process id
and the process's start time (a process id alone is reused; with its start time and the boot it names
one process only).  When a command starts, every ``running`` run whose owner is on this machine and no
longer exists is marked ``interrupted`` with what it had committed.  Runs owned by another machine
(a shared PostgreSQL) are left alone: nothing here can see its processes.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..store import Store


@dataclass(frozen=True)
class Owner:
    """One process, for as long as it lives."""

    host: str
    boot: str  # the kernel's boot id ('' where there is none): process ids restart at a reboot
    pid: int
    started: str  # the process's start time in clock ticks since boot ('' where /proc is missing)

    def __str__(self) -> str:
        return f"{self.host} {self.boot or '-'} {self.pid} {self.started or '-'}"

    @classmethod
    def parse(cls, text: str | None) -> Owner | None:
        parts = (text or "").split(" ")
        if len(parts) != 4 or not parts[2].isdigit():
            return None
        host, boot, pid, started = parts
        return cls(host, "" if boot == "-" else boot, int(pid), "" if started == "-" else started)


def this_process() -> Owner:
    return process(os.getpid())


def process(pid: int) -> Owner:
    return Owner(socket.gethostname().replace(" ", "_"), _boot_id(), pid, _start_time(pid))


def is_gone(owner: Owner) -> bool:
    """True when ``owner`` is on this machine and no longer exists; False when alive or unknowable."""
    here = this_process()
    if owner.host != here.host or owner.boot != here.boot:
        return owner.host == here.host and bool(owner.boot) and bool(here.boot)  # same host, since rebooted
    try:
        os.kill(owner.pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        pass  # exists, someone else's
    fields = _stat(owner.pid)
    if fields and fields[0] == "Z":
        return True  # dead, not yet reaped by its parent
    return bool(owner.started) and bool(fields) and fields[19] != owner.started  # the id was reused


def mark_dead_runs(store: Store) -> list[int]:
    """Mark every running run whose process has died as ``interrupted``; returns their ids."""
    marked = []
    for run in store.running_runs():
        owner = Owner.parse(run["owner"])
        if owner is not None and is_gone(owner) and store.mark_interrupted(run["id"]):
            marked.append(int(run["id"]))
    return marked


def begin_run(store: Store, extractor_version: str) -> int:
    """Start a run owned by this process, after marking the runs that died before it."""
    mark_dead_runs(store)
    return store.begin_run(extractor_version, owner=str(this_process()))


def runs_table(runs: list[dict[str, Any]]) -> str:
    """The runs as a terminal table: id, status, start, finish, articles stored, errors, version."""
    header = f"{'id':>5}  {'status':<11}  {'started':<20}  {'finished':<20}  {'stored':>7}  {'errors':>6}  version"
    lines = [header]
    for r in runs:
        counts = r["counts"] or {}
        lines.append(f"{r['id']:>5}  {r['status']:<11}  {(r['started_at'] or '')[:19]:<20}  "
                     f"{(r['finished_at'] or '-')[:19]:<20}  {counts.get('stored', '-')!s:>7}  "
                     f"{counts.get('errors', '-')!s:>6}  {r['extractor_version']}")
    return "\n".join(lines) + "\n"


def _boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return ""


def _start_time(pid: int) -> str:
    fields = _stat(pid)
    return fields[19] if fields else ""


def _stat(pid: int) -> list[str]:
    """The fields of /proc/PID/stat from the state on (the command name before it may hold spaces and
    parentheses): [0] is the state, [19] the start time.  Empty where there is no /proc."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return []
    fields = stat.rpartition(")")[2].split()
    return fields if len(fields) > 19 else []
