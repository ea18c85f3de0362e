"""``backchannel correct SIGNAL_ID``: an analyst's correction of one stored signal, from the command line.

The corrections are the store's (``store.corrections``: what each kind means, how they survive
``reprocess``); this module only turns flags into them.  Several flags in one call record one
correction each (``--stance refuses --channel private``), so each field keeps its own history.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from backchannel.errors import BackchannelError
from backchannel.records import CHANNELS, STANCES, TOPICS

#: The flags that change a field, in the order their corrections are recorded.
CHANGE_FLAGS = ("stance", "topic", "actor", "channel", "when")


def register(sub: argparse._SubParsersAction, db_flag: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add the ``correct`` command to the ``backchannel`` parser; ``db_flag`` adds the CLI's one ``--db``."""
    p = sub.add_parser(
        "correct", help="correct a stored signal: its stance, topic, actor, channel or date, or not a signal",
        description="Record an analyst's correction of one signal, with who made it and when. The signal is "
        "then shown and counted as corrected everywhere (signals, show, export, the web), the correction "
        "survives `reprocess`, and `export --format annotations` writes it for training.")
    p.add_argument("signal_id", metavar="SIGNAL_ID", type=int)
    db_flag(p)
    p.add_argument("--stance", choices=STANCES, help="the right stance")
    p.add_argument("--topic", choices=TOPICS, help="the right topic")
    p.add_argument("--actor", metavar="NAME", help="the right actor (canonical name)")
    p.add_argument("--channel", choices=CHANNELS, help="the right channel")
    p.add_argument("--when", metavar="DATE", help="when the position was expressed: YYYY, YYYY-MM or YYYY-MM-DD")
    p.add_argument("--not-a-signal", action="store_true", help="the extractor was wrong: no position here")
    p.add_argument("--note", default="", help="why (kept with the correction)")
    p.add_argument("--by", default="", metavar="NAME", help="who makes the correction (default: $USER)")


def cmd_correct(args: argparse.Namespace, open_store: Callable[[argparse.Namespace], Any]) -> int:
    """Record the corrections the flags ask for; ``open_store`` opens the store ``--db`` names (the CLI's
    own opener, which refuses a SQLite file that does not exist)."""
    changes = [(name, getattr(args, name)) for name in CHANGE_FLAGS if getattr(args, name) is not None]
    if args.not_a_signal:
        if changes:
            raise BackchannelError("--not-a-signal: give it alone (a signal that is not one has no right stance)")
        changes = [("not_a_signal", "")]
    if not changes:
        raise BackchannelError("nothing to correct: give --stance, --topic, --actor, --channel, --when or "
                               "--not-a-signal")
    from backchannel.store.corrections import check_value

    for field, value in changes:  # every value checked before any is recorded: all or nothing
        check_value(field, value)
    author = args.by or _user()
    with open_store(args) as store:
        before = store.signals_by_id([args.signal_id])
        if not before:
            raise BackchannelError(f"no signal with id {args.signal_id}")
        for field, value in changes:
            store.add_correction(args.signal_id, field, value, args.note, author)
        (after,) = store.signals_by_id([args.signal_id])
    print(describe(before[0], after, author))
    return 0


def describe(before: dict, after: dict, author: str) -> str:
    """One line saying what changed: "signal 12 corrected by ana: stance open -> refuses"."""
    if after["not_a_signal"]:
        what = "not a signal"
    else:
        what = ", ".join(f"{f} {before[f] or '-'} -> {after[f] or '-'}" for f in CHANGE_FLAGS if before[f] != after[f])
    return f"signal {after['id']} corrected{' by ' + author if author else ''}: {what or 'no change'}"


def _user() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""

