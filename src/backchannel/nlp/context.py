"""What the rules need to know about one document beyond its parse.

Built once per Doc by the attribution component and shared with the signal
component through ``doc._.bc_context``: the quotes, the actors, the
paragraphs and the article's date.  Keeping it in one object avoids
recomputing quotes and mention tables in every rule.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date

from spacy.tokens import Doc

from ..text import paragraph_spans
from .actors import DocumentActors
from .conflicts import ConflictMatch, ConflictRegistry
from .quotes import Quote, find_quotes, outermost
from .registry import ActorRegistry
from .sentindex import doc_text
from .timex import find_times, parse_published

#: ``doc.user_data`` key: the article's whole text, when the Doc holds only the sentences that were parsed
#: (``nlp/subset.py``).  Which war an article is about is read from all of it, as in a full parse.
ARTICLE_TEXT = "bc_article_text"

YEAR = re.compile(r"(?<![\d,.])(19[5-9]\d|20[0-4]\d)(?![\d,])")
YEAR_PREPS = {"in", "since", "by", "of", "during", "until", "from", "early", "late", "mid", "throughout"}


def article_text(doc: Doc) -> str:
    """The text of the article a Doc was made from: the Doc's own unless only part of it was parsed."""
    return doc.user_data.get(ARTICLE_TEXT) or doc_text(doc)


@dataclass
class DocContext:
    doc: Doc
    published: str
    ref: date | None
    actors: DocumentActors
    quotes: list[Quote]
    top_quotes: list[Quote]
    paragraph_starts: list[int] = field(default_factory=list)
    outlet: str = ""  # the article's own outlet: implied in every chain, so never listed in ``via``
    title: str = ""
    #: The conflicts the article (title and text, at its date) is about, likeliest first: resolved once
    #: per document, so every signal of it is placed against the same wars (``conflict_fields``).
    conflicts: list[ConflictMatch] = field(default_factory=list)
    conflict_registry: ConflictRegistry | None = None

    @classmethod
    def build(
        cls, doc: Doc, registry: ActorRegistry, published: str, outlet: str = "", title: str = "",
        conflicts: ConflictRegistry | None = None,
    ) -> DocContext:
        """``conflicts``: the conflict data (the bundled file when None, else a user's ``--conflicts`` on top)."""
        ref = parse_published(published) if published else None
        conflicts = conflicts or ConflictRegistry.default()
        quotes = find_quotes(doc_text(doc))
        starts = [start for start, _ in paragraph_spans(doc_text(doc))]
        return cls(
            doc=doc,
            published=published,
            ref=ref,
            actors=DocumentActors(doc, registry, ref),
            quotes=quotes,
            top_quotes=outermost(quotes),
            paragraph_starts=starts,
            outlet=outlet,
            title=title,
            conflicts=conflicts.resolve(f"{title}\n{article_text(doc)}" if title else article_text(doc), ref),
            conflict_registry=conflicts,
        )

    def conflict_fields(self, actor: str) -> dict[str, str]:
        """``Signal.conflict``, ``counterpart`` and ``role`` for a signal of ``actor`` in this article: where the
        registry's kind and country of the actor place it in the article's conflicts, or all '' when the
        article is about no known conflict."""
        placement = None
        if self.conflict_registry is not None and self.conflicts:
            info = self.actors.registry.info(actor)
            placement = self.conflict_registry.place(actor, info.country or None, info.kind or None, self.conflicts)
        if placement is None:
            return {"conflict": "", "counterpart": "", "role": ""}
        return {"conflict": placement.conflict.name, "counterpart": placement.counterpart, "role": placement.role}

    def paragraph_of(self, char: int) -> int:
        return bisect_right(self.paragraph_starts, char) - 1

    def paragraph_span(self, index: int) -> tuple[int, int]:
        start = self.paragraph_starts[index]
        end = self.paragraph_starts[index + 1] if index + 1 < len(self.paragraph_starts) else len(doc_text(self.doc))
        return start, end

    def quote_at(self, char: int) -> Quote | None:
        """The outermost quote holding a character, if any."""
        for q in self.top_quotes:
            if q.start <= char < q.end:
                return q
        return None

    def year_hint(self, char: int) -> int | None:
        """The narrative's year at ``char``: the last explicit year written in this or the previous paragraph,
        when it is earlier than the article's year (so "on 9 November" after "November 2022" stays in 2022)."""
        if self.ref is None:
            return None
        p = self.paragraph_of(char)
        start = self.paragraph_span(max(0, p - 1))[0]
        text = doc_text(self.doc)[start:char]
        if not YEAR.search(text):
            return None
        years = []
        for m in find_times(text, self.ref):
            year = int(m.value[:4])
            before = text[max(0, m.start - 8) : m.start].lower().split()
            dated = len(m.value) > 4 or (before and before[-1] in ("in", "of", "since", "by", "during", "until"))
            # a year that dates an event ("in November 2022", "the autumn of 2022"), recent enough to set the
            # narrative's year; "the 1994 genocide" or "a 1990 declaration" do not
            if m.explicit_year and dated and self.ref.year - 4 <= year < self.ref.year:
                years.append(year)
        return years[-1] if years else None

    def last_time_before(self, start: int, char: int) -> str:
        """The last time expression between two characters (the paragraph's narrative time), or ''."""
        text = doc_text(self.doc)[start:char]
        values = [
            m.value for m in find_times(text, self.ref, self.year_hint(start))
            if self.ref is None or m.value <= self.ref.isoformat()[: len(m.value)]
        ]
        return values[-1] if values else ""

    def when_in(self, start: int, end: int, skip_before: tuple[str, ...] = ()) -> str:
        """The first resolvable time expression in a character range ('' when none)."""
        text = doc_text(self.doc)[start:end]
        for m in find_times(text, self.ref, self.year_hint(start)):
            before = text[max(0, m.start - 12) : m.start].lower()
            if skip_before and any(w in before.split() for w in skip_before):
                continue
            words_before = before.split()
            if len(m.value) == 4 and m.text.isdigit() and (not words_before or words_before[-1] not in YEAR_PREPS):
                continue  # "a 1990 declaration", "the 2020 war": a name, not when the position was taken
            if self.ref is not None and m.value > self.ref.isoformat()[: len(m.value)]:
                continue  # a future date is a term ("before the election in March"), not when it was said
            return m.value
        return ""

    def published_value(self) -> str:
        if self.ref is None:
            return ""
        return self.published if re.fullmatch(r"\d{4}-\d{2}", self.published or "") else self.ref.isoformat()
