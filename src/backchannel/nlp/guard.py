"""Cut, before spaCy sees it, the text that spaCy cannot handle in reasonable time and memory.

Why: spaCy's tokenizer strips prefixes and suffixes one character at a time, so a run of punctuation
with no space costs its length squared (a 30,000-character run of brackets ran for minutes, a
600,000-character run of quote marks for more than seven); and a single paragraph of a million
characters took over a hundred seconds and 3 GB in the parser.  No article needs either: a "word"
of more than a hundred characters is a URL, an encoded blob or junk, and a paragraph or an article
longer than the limits below is not something the parse can do within a document's time budget.

What is cut is not parsed, but never lost: the article and its text are stored whole, and the result
says how many characters were left out (``ArticleResult.skipped_chars``).  Offsets stay exact: a cut
word or paragraph tail is replaced by spaces of the same length, and an article is cut only at its
end, so a character's position in the parsed text is its position in the article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_WORD_CHARS = 100
"""A run of non-space characters longer than this is not parsed (replaced by spaces)."""
MAX_PARAGRAPH_CHARS = 20_000
"""The most characters of one line (paragraph) that are parsed; the rest of the line is replaced by spaces."""
MAX_PARSE_CHARS = 100_000
"""The most characters of an article that are parsed; the article is cut at this length."""

_LONG_WORD = re.compile(rf"(?<!\S)\S{{{MAX_WORD_CHARS + 1},}}")
# Finding out whether there is a long word at all is the common case, and worth a faster pattern: one that
# starts with a character class lets the regex engine skip ahead to the next space (plus the text's start).
_ANY_LONG_WORD = re.compile(rf"\s\S{{{MAX_WORD_CHARS + 1}}}")
_LONG_FIRST_WORD = re.compile(rf"\S{{{MAX_WORD_CHARS + 1}}}")
_LONG_PARAGRAPH = re.compile(rf"(?m)^([^\n]{{{MAX_PARAGRAPH_CHARS}}})([^\n]+)")


@dataclass(frozen=True)
class ParseText:
    """The text to parse (the article's, or a prefix of it with some parts blanked) and what was left out."""

    text: str
    skipped_chars: int = 0


def parse_text(text: str) -> ParseText:
    """The part of ``text`` that the parse can handle, with every other character's position unchanged.

    Ordinary articles (no 100-character word, no 20,000-character paragraph) come back as they are,
    after one C-speed scan.
    """
    cut = text[:MAX_PARSE_CHARS]
    skipped = len(text) - len(cut)
    if len(cut) > MAX_PARAGRAPH_CHARS:
        tails: list[int] = []

        def blank_tail(match: re.Match[str]) -> str:
            tails.append(len(match.group(2)))
            return match.group(1) + " " * len(match.group(2))

        cut = _LONG_PARAGRAPH.sub(blank_tail, cut)
        skipped += sum(tails)
    if _LONG_FIRST_WORD.match(cut) or _ANY_LONG_WORD.search(cut):
        words = [len(m.group()) for m in _LONG_WORD.finditer(cut)]
        cut = _LONG_WORD.sub(lambda m: " " * len(m.group()), cut)
        skipped += sum(words)
    return ParseText(cut, skipped)
