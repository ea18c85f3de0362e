"""Sentence lookup by token, computed once per document.

spaCy's ``Token.sent`` and ``Doc.sents`` walk the whole document on every call;
the rules ask for a token's sentence hundreds of times per article, which made
sentence lookup the single largest cost of extraction.
"""

from __future__ import annotations

from spacy.tokens import Doc, Span, Token

SENT_INDEX = "bc_sentence_index"  # doc.user_data key; removed by the signal component when it finishes


def sent_of(tok: Token) -> Span:
    """``tok.sent`` without its cost: spaCy walks the whole document on every ``.sent``, so the
    sentences are indexed once per document (in ``doc.user_data``, dropped when extraction ends)."""
    doc = tok.doc
    index = doc.user_data.get(SENT_INDEX)
    if index is None:
        index = []
        for sent in doc.sents:
            index.extend([sent] * len(sent))
        doc.user_data[SENT_INDEX] = index
    return index[tok.i]


def sentences(doc: Doc) -> list[Span]:
    """The document's sentences, computed once."""
    if not len(doc):
        return []
    sent_of(doc[0])
    seen, out = set(), []
    for sent in doc.user_data[SENT_INDEX]:
        if sent.start not in seen:
            seen.add(sent.start)
            out.append(sent)
    return out


TEXT = "bc_text"


def doc_text(doc: Doc) -> str:
    """``doc.text`` once: spaCy rebuilds the string from the tokens on every access."""
    text = doc.user_data.get(TEXT)
    if text is None:
        text = doc.text
        doc.user_data[TEXT] = text
    return text


def forget(doc: Doc) -> None:
    """Drop the caches (the index holds Spans, which must not travel with a serialised Doc)."""
    doc.user_data.pop(SENT_INDEX, None)
    doc.user_data.pop(TEXT, None)
