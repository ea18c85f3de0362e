"""Find quotations in raw text: straight, curly and nested quotes, across sentences and paragraphs.

Quote marks are found on characters, not tokens, because tokenisers split and
attach them inconsistently.  The closing curly single quote is also the
apostrophe (``Putin’s``), so it only closes a quote when it is not between two
letters.  A quote left open at the end of a paragraph continues into the next
one when that paragraph opens with the same mark (the newspaper convention for
long quotes); otherwise it ends with its paragraph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..text import paragraph_end, paragraph_spans

OPENERS = {"“": "double", "«": "guillemet", "‘": "single", "„": "double"}
CLOSERS = {"”": "double", "»": "guillemet", "’": "single"}


@dataclass(frozen=True)
class Quote:
    """One quotation: ``start``/``end`` bound the words inside the marks; ``level`` 0 is outermost."""

    start: int
    end: int
    open_mark: int
    close_mark: int  # index of the closing mark, or ``end`` when the quote ran to the paragraph's end
    level: int
    closed: bool

    @property
    def outer(self) -> tuple[int, int]:
        """The span including the marks."""
        return (self.open_mark, self.close_mark + (1 if self.closed else 0))


def _is_word(ch: str) -> bool:
    return ch.isalnum()


def _paragraphs(text: str) -> list[tuple[int, int]]:
    return [(a, b) for a, b in paragraph_spans(text) if text[a:b].strip()]


def find_quotes(text: str) -> list[Quote]:
    """All quotations in ``text``, outermost and nested, sorted by position."""
    found: list[Quote] = []
    carried: list[tuple[str, int, int]] = []  # quotes left open at the end of the previous paragraph
    for p_start, p_end in _paragraphs(text):
        stack: list[tuple[str, int, int]] = []  # (kind, open index, level)
        first = text[p_start:p_end].lstrip()
        first_idx = p_end - len(text[p_start:p_end].lstrip()) if first else p_start
        if carried and first and _opens_kind(first[0]) == carried[0][0]:
            stack = list(carried)  # a long quote continues; this paragraph's opening mark is a reminder
            skip = {first_idx}
        else:
            for _kind, idx, level in carried:
                found.append(Quote(idx + 1, _para_end_of(text, idx), idx, _para_end_of(text, idx), level, False))
            skip = set()
        carried = []
        for i in range(p_start, p_end):
            if i in skip:
                continue
            ch = text[i]
            prev = text[i - 1] if i > 0 else " "
            nxt = text[i + 1] if i + 1 < len(text) else " "
            if ch == '"':
                if stack and stack[-1][0] == "straight":
                    _close(stack, found, i)
                elif not _is_word(prev) or prev in "([—–-":
                    stack.append(("straight", i, len(stack)))
                continue
            if ch == "'":
                if any(k == "straight-single" for k, _, _ in stack) and not (_is_word(prev) and _is_word(nxt)):
                    _close_kind(stack, found, i, "straight-single")
                elif not _is_word(prev) and _is_word(nxt) and _has_closing_straight_single(text, i + 1, p_end):
                    stack.append(("straight-single", i, len(stack)))
                continue
            if ch == "‘" and not nxt.isdigit():
                stack.append(("single", i, len(stack)))
                continue
            if ch in OPENERS and ch != "‘":
                stack.append((OPENERS[ch], i, len(stack)))
                continue
            if ch in CLOSERS:
                kind = CLOSERS[ch]
                if kind == "single" and _is_word(prev) and _is_word(nxt):
                    continue  # an apostrophe: Putin’s, wouldn’t
                if any(k == kind for k, _, _ in stack):
                    _close_kind(stack, found, i, kind)
        if stack:
            carried = stack
    for _kind, idx, level in carried:
        end = _para_end_of(text, idx)
        found.append(Quote(idx + 1, end, idx, end, level, False))
    found.sort(key=lambda q: (q.start, q.level))
    return [q for q in found if text[q.start : q.end].strip()]


def _opens_kind(ch: str) -> str | None:
    if ch == '"':
        return "straight"
    return OPENERS.get(ch)


def _para_end_of(text: str, idx: int) -> int:
    return len(text[:paragraph_end(text, idx)].rstrip())


def _has_closing_straight_single(text: str, start: int, end: int) -> bool:
    for m in re.finditer("'", text[start:end]):
        j = start + m.start()
        if _is_word(text[j - 1]) and j + 1 < len(text) and _is_word(text[j + 1]):
            continue
        return True
    return False


def _close(stack: list[tuple[str, int, int]], found: list[Quote], i: int) -> None:
    _kind, idx, level = stack.pop()
    found.append(Quote(idx + 1, i, idx, i, level, True))


def _close_kind(stack: list[tuple[str, int, int]], found: list[Quote], i: int, kind: str) -> None:
    """Close the innermost open quote of ``kind``; quotes opened inside it and left open end here too."""
    while stack:
        k, idx, level = stack.pop()
        found.append(Quote(idx + 1, i, idx, i, level, True))
        if k == kind:
            return


def outermost(quotes: list[Quote]) -> list[Quote]:
    """Only the quotes not inside another quote."""
    result: list[Quote] = []
    for q in quotes:
        if not any(o.open_mark <= q.open_mark and q.end <= o.end and o is not q and o.level < q.level for o in quotes):
            result.append(q)
    return result
