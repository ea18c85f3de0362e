"""What ``backchannel show`` needs beyond the row: the paragraph around the evidence and the source chain.

Kept apart from the SQL because it is plain text work on the stored article,
and testable without a database.
"""

from __future__ import annotations

from typing import Any

from backchannel.text import has_blank_line, paragraph_spans


def evidence_bounds(text: str, evidence: str, span: list[int] | None) -> tuple[int, int] | None:
    """The evidence's offsets in ``text``: the stored span when it is valid, else where the words occur."""
    if span and 0 <= span[0] <= span[1] <= len(text):
        return span[0], span[1]
    if evidence:
        at = text.find(evidence)
        if at >= 0:
            return at, at + len(evidence)
    return None


def paragraph_around(text: str, start: int, end: int) -> dict[str, Any]:
    """The paragraph holding ``start`` (blank-line separated, else line separated) and the evidence in it.

    Returns ``{"text", "start", "end", "evidence_start", "evidence_end"}``:
    ``start``/``end`` place the paragraph in the article, ``evidence_*`` place
    the evidence in the paragraph (clipped to it when the evidence runs on).
    """
    spans = paragraph_spans(text, blank_lines=has_blank_line(text))
    p_start, p_end = next(((a, b) for a, b in reversed(spans) if a <= start), spans[0])
    # Trim surrounding whitespace without losing the offsets.
    while p_start < p_end and text[p_start].isspace():
        p_start += 1
    while p_end > p_start and text[p_end - 1].isspace():
        p_end -= 1
    ev_start = min(max(start, p_start), p_end) - p_start
    ev_end = min(max(end, p_start), p_end) - p_start
    return {"text": text[p_start:p_end], "start": p_start, "end": p_end,
            "evidence_start": ev_start, "evidence_end": ev_end}


def source_chain(sources: list[str], outlet: str) -> list[str]:
    """Who the position is known from, innermost first, ending with the outlet that published it."""
    chain = [s for s in sources if s]
    if outlet and (not chain or chain[-1].casefold() != outlet.casefold()):
        chain.append(outlet)
    return chain


def overlaps(a: tuple[int, int], b: list[int] | None) -> bool:
    return b is not None and a[0] < b[1] and b[0] < a[1]
