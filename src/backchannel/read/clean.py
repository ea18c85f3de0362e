"""Clean Unicode at the edge: every reader builds its ``Article`` here, so nothing downstream sees raw input.

Why at the edge: a lone surrogate (``"\\ud800"`` from a JSON escape) cannot be encoded, so it used to
sink a whole ``extract`` batch at the moment of printing; a NUL or an ANSI escape in a title reaches
terminals and databases.  Cleaning happens once, before anything indexes the text: the extractor's
character spans index the cleaned text, which is also the text that is stored and printed, so the
offsets stay consistent with what the user sees.

What changes: newlines become ``\\n``; lone surrogates become U+FFFD; control characters are dropped
except ``\\n`` and ``\\t`` (vertical tab and form feed, which separate lines, become ``\\n``); the
result is NFC.  Metadata is cleaned the same way and its whitespace collapsed to single spaces.

The extracted text also has a size budget (``MAX_TEXT_CHARS``, spaCy's own limit made ours): a text
over it is refused here with one line naming the document and the limit, instead of spaCy's E088
deep in the pipeline.
"""

from __future__ import annotations

import re
import unicodedata

from backchannel.errors import InputError
from backchannel.records import Article

MAX_TEXT_CHARS = 1_000_000
"""The most characters of article text a reader accepts (spaCy's ``max_length``, made our own limit)."""

_NEWLINES = re.compile(r"\r\n?|[\x0b\x0c]")
_SURROGATES = re.compile("[\ud800-\udfff]")
# C0 controls except \t and \n (\r, \v and \f are turned into \n first), DEL and the C1 controls.
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_NEEDS_WORK = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
# Markup's numeric references to the characters XML forbids (C0 controls but tab, newline and return; U+FFFE,
# U+FFFF): one such reference makes lxml drop the whole page.  Digits must end there (not &#12345;).
_CONTROL_REFERENCE = re.compile(
    r"&#(?:0*(?:[1-8]|1[1-24-9]|2[0-9]|3[01]|6553[45])(?![0-9])"
    r"|[xX]0*(?:[1-8bcefBCEF]|1[0-9a-fA-F]|[fF]{3}[eEfF])(?![0-9a-fA-F]));?"
)


def clean_text(text: str) -> str:
    """``text`` with newlines normalised, lone surrogates replaced, controls dropped, in NFC.

    Ordinary text passes two C-speed checks and comes back unchanged (the same object).
    """
    if _NEEDS_WORK.search(text):
        text = _NEWLINES.sub("\n", text)
        text = _SURROGATES.sub("\ufffd", text)
        text = _CONTROLS.sub("", text)
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text


def drop_control_references(markup: str) -> str:
    """HTML or XML without numeric references to control characters (the characters themselves are
    dropped by ``clean_text``; a reference would bring them back at parse time, and sink the parse)."""
    return _CONTROL_REFERENCE.sub("", markup) if "&#" in markup else markup


def replace_surrogates(value: str) -> str:
    """``value`` with lone surrogates (which no encoder writes) as U+FFFD; same length, so offsets hold.

    For writers of results that did not come through a reader (the readers clean everything already).
    """
    return _SURROGATES.sub("\ufffd", value) if _SURROGATES.search(value) else value


def clean_field(value: str) -> str:
    """A metadata value: cleaned like text, whitespace collapsed to single spaces, stripped."""
    return " ".join(clean_text(value).split())


def text_too_long_reason(length: int) -> str:
    return f"article text too long ({length:,} characters > the {MAX_TEXT_CHARS:,}-character limit)"


def make_article(text: str, *, source: str, title: str = "", outlet: str = "", author: str = "",
                 published: str = "", url: str = "") -> Article:
    """The one way a reader builds an ``Article``: cleaned text and metadata, within the text budget.

    Raises ``InputError`` for a text that is empty after cleaning or over ``MAX_TEXT_CHARS``.
    """
    if len(text) > MAX_TEXT_CHARS:  # checked before cleaning too: NFC of a huge text costs time
        raise InputError(source, text_too_long_reason(len(text)))
    text = clean_text(text)
    if not text.strip():
        raise InputError(source, "empty document")
    if len(text) > MAX_TEXT_CHARS:
        raise InputError(source, text_too_long_reason(len(text)))
    return Article(text=text, title=clean_field(title), outlet=clean_field(outlet), author=clean_field(author),
                   published=clean_field(published), url=clean_field(url), source=source)
