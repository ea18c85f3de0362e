"""Find an annotator's quoted words in the article text, as exact character spans.

Annotators copy evidence by hand, so typography drifts: straight quotes for
curly ones, a hyphen for a dash, one space for a line break.  The search
compares both sides after folding those differences, then maps the hit back to
offsets in the original text, so a span always slices the corpus text exactly.
"""

from __future__ import annotations

_FOLD = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
    "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u2026": ".",
})


def _folded(text: str) -> tuple[str, list[int]]:
    """``text`` with typography folded and whitespace runs collapsed, and each folded char's origin."""
    out: list[str] = []
    origin: list[int] = []
    last_space = False
    for i, ch in enumerate(text):
        ch = ch.translate(_FOLD).lower()
        if ch.isspace():
            if last_space:
                continue
            ch, last_space = " ", True
        else:
            last_space = False
        out.append(ch)
        origin.append(i)
    return "".join(out), origin


class TextIndex:
    """One article text, folded once, searched many times."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._folded, self._origin = _folded(text)

    def find_all(self, needle: str) -> list[tuple[int, int]]:
        """Every span of ``text`` that reads as ``needle`` after folding, in order."""
        folded_needle, _ = _folded(needle.strip())
        folded_needle = folded_needle.strip()
        if not folded_needle:
            return []
        spans = []
        start = self._folded.find(folded_needle)
        while start >= 0:
            end = start + len(folded_needle) - 1
            spans.append((self._origin[start], self._origin[end] + 1))
            start = self._folded.find(folded_needle, start + 1)
        return spans

    def find(self, needle: str, near: int | None = None) -> tuple[int, int] | None:
        """The span of ``needle``: the one nearest to offset ``near`` if given, else the first."""
        spans = self.find_all(needle)
        if not spans:
            return None
        if near is None:
            return spans[0]
        return min(spans, key=lambda s: abs(s[0] - near))
