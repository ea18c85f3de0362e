"""Render extraction results as JSON, JSON Lines or an aligned table for people."""

from __future__ import annotations

import json
import shutil
import textwrap
from collections.abc import Sequence

from .records import ArticleResult


def to_json(results: Sequence[ArticleResult], as_list: bool, explain: bool = False) -> str:
    """One object for one article; a list, in input order, when several paths were given."""
    data = [r.to_dict(explain) for r in results]
    return json.dumps(data if as_list else data[0], ensure_ascii=False, indent=1)


def to_jsonl(results: Sequence[ArticleResult], explain: bool = False) -> str:
    return "\n".join(json.dumps(r.to_dict(explain), ensure_ascii=False) for r in results)


def to_table(results: Sequence[ArticleResult], width: int | None = None) -> str:
    """A readable table of signals per article: who, stance, topic, channel, when, sources, evidence."""
    width = width or max(100, min(shutil.get_terminal_size((140, 40)).columns, 200))
    cols = [("actor", 22), ("stance", 8), ("topic", 9), ("channel", 7), ("when", 10), ("sources", 24)]
    evidence_width = max(30, width - sum(w + 2 for _, w in cols))
    lines: list[str] = []
    for r in results:
        a = r.article
        head = a.title or a.source or "(untitled)"
        meta = ", ".join(x for x in (a.outlet, a.published) if x)
        lines.append(f"== {head}" + (f" ({meta})" if meta else ""))
        if not r.about_war:
            lines.append("   not about a war (no war vocabulary): not parsed, no signals or attributions")
            lines.append("")
            continue
        lines.append(f"   {len(r.signals)} signals, {len(r.attributions)} attributions")
        if not r.signals:
            lines.append("")
            continue
        header = "  ".join(name.ljust(w) for name, w in cols) + "  evidence"
        lines.append(header)
        lines.append("-" * min(width, len(header) + evidence_width - 8))
        for s in r.signals:
            cells = [s.actor, s.stance, s.topic, s.channel, s.when or "-", "; ".join(s.sources) or "-"]
            wrapped = [textwrap.wrap(c, w) or [""] for c, (_, w) in zip(cells, cols, strict=True)]
            ev = textwrap.wrap(" ".join(s.evidence.split()), evidence_width) or [""]
            height = max(len(ev), *(len(w) for w in wrapped))
            for i in range(height):
                row = "  ".join((w[i] if i < len(w) else "").ljust(cw) for w, (_, cw) in zip(wrapped, cols, strict=True))
                lines.append(row + "  " + (ev[i] if i < len(ev) else ""))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
