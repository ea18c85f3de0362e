"""How an article's text is laid out in paragraphs: the one splitter the rules and ``show`` share.

The readers put a blank line between paragraphs, but pasted text and wire copy often break paragraphs
with single line breaks, so the rules treat every line break as a paragraph end (a headline, a dateline
and a pull quote are paragraphs of their own).  ``show`` prints a whole paragraph around the evidence,
so there, when the text has blank lines at all, only blank lines end a paragraph (``blank_lines``).
"""

from __future__ import annotations

import re

_LINE_BREAK = re.compile(r"\n\s*\n|\n")  # a line break, with the blank lines that follow it
_BLANK_LINE = re.compile(r"\n\s*\n")


def has_blank_line(text: str) -> bool:
    return _BLANK_LINE.search(text) is not None


def paragraph_spans(text: str, blank_lines: bool = False) -> list[tuple[int, int]]:
    """``(start, end)`` of the text between consecutive paragraph breaks, in order, covering the text (a
    paragraph may be empty or all spaces: callers that want words filter)."""
    spans, pos = [], 0
    for m in (_BLANK_LINE if blank_lines else _LINE_BREAK).finditer(text):
        spans.append((pos, m.start()))
        pos = m.end()
    spans.append((pos, len(text)))
    return spans


def paragraph_end(text: str, at: int, blank_lines: bool = False) -> int:
    """Where the paragraph holding ``at`` ends: the start of the next paragraph break, else the text's end."""
    m = (_BLANK_LINE if blank_lines else _LINE_BREAK).search(text, at)
    return m.start() if m else len(text)
