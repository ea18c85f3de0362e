"""Render extraction results as JSON, JSON Lines or an aligned table for people.

Each article is rendered (and checked against the output's encoding) on its own before anything is
written, so a character that cannot be written costs that article one error line, never the output
of the whole batch.  Readers already clean the text (``read/clean.py``); this is the last line of
defence for results built elsewhere and for terminals whose encoding is not UTF-8.
"""

from __future__ import annotations

import json
import shutil
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, TextIO

from ..chains import chain_text
from ..records import ArticleResult

Format = Literal["json", "jsonl", "table"]


@dataclass(frozen=True)
class Unwritable:
    """An article whose result could not be written, and why (for its one error line)."""

    result: ArticleResult
    reason: str


def write_results(results: Sequence[ArticleResult], fmt: Format, out: TextIO, *, as_list: bool = False,
                  explain: bool = False, width: int | None = None) -> list[Unwritable]:
    """Write every result that can be written to ``out``; return the others with their reasons.

    ``as_list`` (json only): a list in input order, as when several paths were given; else one object.
    """
    encoding = getattr(out, "encoding", None) or "utf-8"
    pieces: list[str] = []
    failed: list[Unwritable] = []
    for result in results:
        try:
            piece = _render(result, fmt, explain, width)
            piece.encode(encoding)
        except (UnicodeError, ValueError, TypeError) as exc:
            detail = " ".join(str(exc).split())[:120]
            failed.append(Unwritable(result, f"cannot write the result ({type(exc).__name__}: {detail})"))
            continue
        pieces.append(piece)
    if pieces:
        out.write(_join(pieces, fmt, as_list))
    return failed


def _render(result: ArticleResult, fmt: Format, explain: bool, width: int | None) -> str:
    if fmt == "json":
        return json.dumps(result.to_dict(explain), ensure_ascii=False, indent=1)
    if fmt == "jsonl":
        return json.dumps(result.to_dict(explain), ensure_ascii=False)
    return "\n".join(table_block(result, width))


def _join(pieces: list[str], fmt: Format, as_list: bool) -> str:
    """The pieces as one document, exactly as rendering all results at once would give it."""
    if fmt == "json":
        if not as_list:
            return pieces[0] + "\n"
        return "[\n" + ",\n".join(textwrap.indent(piece, " ") for piece in pieces) + "\n]\n"
    if fmt == "jsonl":
        return "\n".join(pieces) + "\n"
    return "\n".join(pieces).rstrip() + "\n"


def table_block(r: ArticleResult, width: int | None = None) -> list[str]:
    """One article's lines of the readable table (who, stance, topic, channel, when, sources, evidence),
    ending with a blank line."""
    width = width or max(100, min(shutil.get_terminal_size((140, 40)).columns, 200))
    cols = [("actor", 22), ("stance", 8), ("topic", 9), ("channel", 7), ("when", 10), ("sources", 24)]
    evidence_width = max(30, width - sum(w + 2 for _, w in cols))
    lines: list[str] = []
    a = r.article
    head = a.title or a.source or "(untitled)"
    meta = ", ".join(x for x in (a.outlet, a.published) if x)
    lines.append(f"== {head}" + (f" ({meta})" if meta else ""))
    if r.skipped_chars:
        lines.append(f"   {r.skipped_chars:,} characters not parsed (overlong words, paragraphs or article)")
    if not r.about_war:
        lines.append("   not about a war (no war vocabulary, or the model's article filter): not parsed, no signals or "
                     "attributions")
        lines.append("")
        return lines
    lines.append(f"   {len(r.signals)} signals, {len(r.attributions)} attributions")
    if not r.signals:
        lines.append("")
        return lines
    header = "  ".join(name.ljust(w) for name, w in cols) + "  evidence"
    lines.append(header)
    lines.append("-" * min(width, len(header) + evidence_width - 8))
    for s in r.signals:
        cells = [s.actor, s.stance, s.topic, s.channel, s.when or "-", chain_text(s.sources, "-")]
        wrapped = [textwrap.wrap(c, w) or [""] for c, (_, w) in zip(cells, cols, strict=True)]
        ev = textwrap.wrap(" ".join(s.evidence.split()), evidence_width) or [""]
        height = max(len(ev), *(len(w) for w in wrapped))
        for i in range(height):
            row = "  ".join((w[i] if i < len(w) else "").ljust(cw) for w, (_, cw) in zip(wrapped, cols, strict=True))
            lines.append(row + "  " + (ev[i] if i < len(ev) else ""))
    lines.append("")
    return lines
