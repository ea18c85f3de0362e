"""What the query commands print: signals, actors and one signal in detail, from the store's dicts.

Pure formatting: every function takes the plain dicts that ``Store.signals``,
``Store.actors`` and ``Store.signal`` return and gives back a string, so the
CLI decides where it goes and the tests need no terminal.  The CSV rows
are the export's (``backchannel.export``), so a table piped to a file and an export agree.
"""

from __future__ import annotations

import io
import json
import shutil
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..chains import chain_text
from ..export import write_csv

NOT_A_SIGNAL_CELL = "NOT SIG"  # the stance cell of a signal an analyst marked "not a signal" (fits the column)
# Markers around the evidence inside its paragraph.  Private-use characters stand in while the text
# is wrapped (so a paragraph that itself contains » or « is not confused), then become the visible form.
_OPEN, _CLOSE = "\ue000", "\ue001"
_PLAIN = ("»", "«")
_BOLD = ("\x1b[1m", "\x1b[0m")


def _width(width: int | None) -> int:
    return width or max(100, min(shutil.get_terminal_size((140, 40)).columns, 200))


def _one_line(text: Any) -> str:
    return " ".join(str(text or "").split())


def signals_csv(rows: Iterable[Mapping[str, Any]]) -> str:
    """The rows as the CSV export writes them (``export.write_csv``: one CSV format)."""
    buffer = io.StringIO()
    write_csv(iter(rows), buffer)
    return buffer.getvalue()


def signals_json(rows: Iterable[Mapping[str, Any]]) -> str:
    """A JSON list of the signal dicts as the store gives them (docs/SCHEMA.md names plus id and article)."""
    return json.dumps([dict(r) for r in rows], ensure_ascii=False, indent=1) + "\n"


def _fit(headers: Sequence[tuple[str, int]], width: int, shrinkable: Sequence[str]) -> list[tuple[str, int]]:
    """Narrow the ``shrinkable`` columns (to 10 at least) so the last column keeps 30 within ``width``."""
    fitted = list(headers)
    deficit = 30 - (width - sum(w + 2 for _, w in fitted))
    for name in shrinkable:
        if deficit <= 0:
            break
        i = next(i for i, (n, _) in enumerate(fitted) if n == name)
        cut = min(deficit, max(0, fitted[i][1] - 10))
        fitted[i] = (name, fitted[i][1] - cut)
        deficit -= cut
    return fitted


def _table(headers: Sequence[tuple[str, int]], rows: Iterable[Sequence[str]], last: str, width: int,
           shrinkable: Sequence[str] = ()) -> str:
    """Fixed columns, then a last column that takes the rest of the width; every cell wraps."""
    headers = _fit(headers, width, shrinkable)
    last_width = max(30, width - sum(w + 2 for _, w in headers))
    header = "  ".join(name.ljust(w) for name, w in headers) + "  " + last
    lines = [header, "-" * min(width, sum(w + 2 for _, w in headers) + last_width)]
    for cells in rows:
        wrapped = [textwrap.wrap(c, w) or [""] for c, (_, w) in zip(cells, headers, strict=False)]
        tail = textwrap.wrap(cells[-1], last_width) or [""]
        for i in range(max(len(tail), *(len(w) for w in wrapped))):
            row = "  ".join((w[i] if i < len(w) else "").ljust(cw) for w, (_, cw) in zip(wrapped, headers,
                                                                                       strict=True))
            lines.append((row + "  " + (tail[i] if i < len(tail) else "")).rstrip())
    return "\n".join(lines) + "\n"


def signals_table(rows: Sequence[Mapping[str, Any]], width: int | None = None) -> str:
    """Signals as aligned columns, the evidence wrapped in the width that is left."""
    if not rows:
        return "No signals.\n"
    headers = [("id", max(2, max(len(_id_cell(r)) for r in rows))), ("date", 10), ("actor", 22),
               ("stance", 8), ("topic", 9), ("channel", 7), ("sources", 24)]
    cells = ([_id_cell(r), r.get("date") or "-", r.get("actor") or "", _stance_cell(r),
              r.get("topic") or "", r.get("channel") or "", chain_text(r.get("sources"), "-"),
              _one_line(r.get("evidence"))] for r in rows)
    return _table(headers, cells, "evidence", _width(width), shrinkable=("sources", "actor")) + _corrected_note(rows)


def _id_cell(r: Mapping[str, Any]) -> str:
    """The id, starred when an analyst corrected the signal."""
    return f"{r['id']}*" if r.get("corrected") else str(r["id"])


def _stance_cell(r: Mapping[str, Any]) -> str:
    return NOT_A_SIGNAL_CELL if r.get("not_a_signal") else (r.get("stance") or "")


def _corrected_note(rows: Sequence[Mapping[str, Any]]) -> str:
    """The count of corrected signals under a table that shows any: a starred row is an analyst's reading."""
    n = sum(1 for r in rows if r.get("corrected"))
    rejected = sum(1 for r in rows if r.get("not_a_signal"))
    note = f" ({rejected} marked {NOT_A_SIGNAL_CELL}: not a signal)" if rejected else ""
    return f"* corrected by an analyst: {n} of {len(rows)} signals{note}\n" if n else ""


def claims_table(rows: Sequence[Any], expand: bool = False, width: int | None = None) -> str:
    """``signals --claims``: one row per claim (``analysis.claims.ClaimRow``) with how widely and how
    independently it is reported; ``expand`` lists its reports beneath it, indented."""
    if not rows:
        return "No signals.\n"
    width = _width(width)
    lines: list[str] = []
    for c in rows:
        dates = c.first_date if c.last_date == c.first_date else f"{c.first_date} to {c.last_date}"
        lines.append(f"claim {c.id}  {dates or 'undated'}  {c.actor} {c.stance} {c.topic}: {c.label}. {c.verdict}.")
        lines.extend("    " + x for x in textwrap.wrap(f"“{_one_line(c.evidence)}”", width - 4))
        if expand:
            for r in c.reports:
                head = f"  - signal {_id_cell(r)} {r.get('date') or 'undated'} {r.get('outlet') or '-'}"
                if r.get("not_a_signal"):
                    head += " (not a signal)"
                lines.append(head + ": " + _one_line(r.get("evidence"))[:max(30, width - len(head) - 2)])
        else:
            lines.append(f"    {len(c.reports)} report(s) listed; --expand shows them")
    n = sum(len(c.reports) for c in rows)
    lines.append(f"{len(rows)} claims from {n} signals")
    return "\n".join(lines) + "\n" + _corrected_note([r for c in rows for r in c.reports])


def claims_json(rows: Sequence[Any]) -> str:
    return json.dumps([c.to_dict() for c in rows], ensure_ascii=False, indent=1) + "\n"


def actors_table(rows: Sequence[Mapping[str, Any]], width: int | None = None) -> str:
    """Actors with their signal count and latest position, most signals first (the store's order)."""
    if not rows:
        return "No actors.\n"
    headers = [("actor", 28), ("kind", 12), ("signals", 7), ("latest", 18)]
    cells = ([r.get("name") or "", r.get("kind") or "-", str(r.get("signals", 0)),
              " ".join(x for x in (r.get("latest_stance"), r.get("latest_topic")) if x) or "-",
              r.get("latest_date") or "-"] for r in rows)
    return _table(headers, cells, "date", _width(width), shrinkable=("actor", "latest"))


def _highlighted_paragraph(detail: Mapping[str, Any], width: int, marks: tuple[str, str]) -> list[str]:
    paragraph = detail.get("paragraph")
    if paragraph:
        text = paragraph["text"]
        start, end = paragraph["evidence_start"], paragraph["evidence_end"]
        marked = text[:start] + _OPEN + text[start:end] + _CLOSE + text[end:]
    else:  # the article text is gone or the evidence is not in it: show the evidence alone
        marked = _OPEN + str(detail.get("evidence") or "") + _CLOSE
    lines = textwrap.wrap(_one_line(marked), width - 2) or [""]
    return ["  " + line.replace(_OPEN, marks[0]).replace(_CLOSE, marks[1]) for line in lines]


def _chain(detail: Mapping[str, Any]) -> str:
    """'a former official → The New York Times → Peace News (this article)', innermost first."""
    chain = [c for c in (detail.get("chain") or []) if c]
    outlet = detail.get("outlet") or ""
    if outlet and chain and chain[-1].casefold() == outlet.casefold():
        chain[-1] += " (this article)"
    else:
        chain.append("this article")
    return chain_text(chain)


def _attribution_line(a: Mapping[str, Any]) -> str:
    via = ", via " + chain_text(a["via"]) if a.get("via") else ""
    return (f"{a.get('speaker')} ({a.get('speaker_kind')}) {a.get('cue')}: “{_one_line(a.get('content'))}” "
            f"[{a.get('kind')}{via}]")


def _date_note(when: str, date: str) -> str:
    if when:
        return when
    if date:
        return f"{date} (the article's date: the text does not say when)"
    return "- (undated)"


def _correction_lines(detail: Mapping[str, Any]) -> list[str]:
    if detail.get("not_a_signal"):
        return ["  CORRECTED   not a signal (an analyst's reading)"]
    original = detail.get("original") or {}
    if not original:
        return []
    changed = ", ".join(f"{f} was {v or '-'}" for f, v in original.items())
    return [f"  CORRECTED   by an analyst: {changed}"]


def conflict_note(signal: Mapping[str, Any]) -> str:
    """'Sudanese civil war (party, addressed to Rapid Support Forces)', or '-' when no conflict placed it:
    how ``show`` and the web's signal page say where the signal stands."""
    if not signal.get("conflict"):
        return "-"
    role = (signal.get("role") or "").replace("_", " ")
    counterpart = signal.get("counterpart") or ""
    detail = ", ".join(x for x in (role, f"addressed to {counterpart}" if counterpart else "") if x)
    return f"{signal['conflict']} ({detail})" if detail else str(signal["conflict"])


def signal_detail(detail: Mapping[str, Any], color: bool = False, width: int | None = None) -> str:
    """``backchannel show``: the signal, its evidence marked inside its paragraph, the source chain,
    the article and the attributions whose quoted words overlap the evidence."""
    width = _width(width)
    marks = _BOLD if color else _PLAIN
    terms = "; ".join(detail.get("terms") or []) or "-"
    when = detail.get("when") or ""
    date = detail.get("date") or ""
    lines = [
        f"Signal {detail['id']}: {detail.get('actor')} {detail.get('stance')} {detail.get('topic')}",
        f"  channel     {detail.get('channel') or '-'}",
        f"  date        {_date_note(when, date)}",
        f"  terms       {terms}",
        f"  conflict    {conflict_note(detail)}",
        f"  confidence  {float(detail.get('confidence') or 0):.2f}   extractor {detail.get('extractor_version') or '-'}",
        *_correction_lines(detail),
        "",
        "Evidence, in its paragraph:",
        *_highlighted_paragraph(detail, width, marks),
        "",
        f"Known from: {_chain(detail)}",
        "",
    ]
    article = detail.get("article") or {}
    title = detail.get("title") or article.get("title") or "(untitled)"
    meta = ", ".join(x for x in (detail.get("outlet"), detail.get("published")) if x)
    lines.append(f"Article: {title}" + (f" ({meta})" if meta else ""))
    if detail.get("url"):
        lines.append(f"  {detail['url']}")
    lines.append(f"  id {detail.get('article_id')}")
    if detail.get("superseded_by"):
        lines.append(f"  superseded by a newer version: {detail['superseded_by']}")
    attributions = detail.get("attributions") or []
    lines.append("")
    lines.append("Related attributions:" if attributions else "Related attributions: none")
    for a in attributions:
        wrapped = textwrap.wrap(_attribution_line(a), width - 4) or [""]
        lines.append("  - " + wrapped[0])
        lines.extend("    " + more for more in wrapped[1:])
    return "\n".join(lines) + "\n"
