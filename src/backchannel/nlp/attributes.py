"""The attributes of a signal once its holder and stance are decided: channel, sources, when, terms.

Shared by the rule decision (``signals.py``) and the learned one (``decision.py``): whoever decides
that a sentence holds a position, these rules say how it was expressed, who it is known from, when
it was taken and on what terms.  The learned decision takes the channel from its own head and the
rest from here.
"""

from __future__ import annotations

import re
from functools import lru_cache

from spacy.tokens import Span, Token

from .attribution import FoundAttribution
from .context import DocContext
from .lexicon import Lexicon
from .sentindex import doc_text, sent_of
from .timex import before_bound, is_standing

TERM_PREPS = ("without", "in exchange for", "on condition", "as long as", "provided", "in return for", "until",
              "including", "along", "based on")
#: One pattern for all of them, so the terms come out in the order the text gives them (a set of patterns
#: iterated one by one gave an order that changed with the interpreter's hash seed, run to run).
TERM_PREP_PATTERN = re.compile(r"\b(?:" + "|".join(re.escape(p) for p in TERM_PREPS) + r")\b", re.IGNORECASE)


def markers_in(text: str, markers: tuple[str, ...]) -> bool:
    """Does the text hold any of the markers as whole words (case-insensitive)?"""
    return marker_pattern(markers).search(text.lower()) is not None


@lru_cache(maxsize=8)
def marker_pattern(markers: tuple[str, ...]) -> re.Pattern[str]:
    """One alternation for a marker list: the same answer as searching for each marker in turn (the
    engine backtracks into the next alternative when a lookaround fails), in one pass over the text."""
    if not markers:
        return re.compile(r"(?!)")
    return re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(m) for m in markers) + r")(?![\w-])")


BOTH_CHANNELS = re.compile(
    r"(?:in private|privately)\W+(?:\w+\W+){0,6}?(?:in public|publicly)|(?:in public|publicly)\W+(?:\w+\W+){0,6}?"
    r"(?:in private|privately)|both (?:publicly and privately|privately and publicly)"
)


PUBLIC_ACTS = {"approve", "sign", "ratify", "endorse", "announce", "initial", "unveil", "present", "table", "submit",
               "call", "urge", "host", "vote", "declare", "publish", "propose", "welcome", "appeal", "speak"}


def stated_channel(text: str, lex: Lexicon) -> str:
    """The channel the words themselves name ("publicly", "in a televised address", "behind closed doors",
    "privately ... publicly"), or '' when they name none.  What the text says outranks any guess from who
    reported it: the rule decision and the learned one both take it first."""
    if BOTH_CHANNELS.search(text.lower()):
        return "both"
    if markers_in(text, lex.channel_private):
        return "private"  # a leak or back channel is the specific fact; "in public" nearby is usually contrast
    if markers_in(text, lex.channel_public):
        return "public"
    return ""


def channel_of(
    ctx: DocContext,
    sent: Span,
    chain: list[FoundAttribution],
    actors: list[str],
    lex: Lexicon,
    trigger_lemma: str = "",
    stance: str = "",
    trigger_dep: str = "",
) -> str:
    texts = [sent.text]
    carrier = chain[0] if chain else None
    if carrier is not None:
        c_sent = ctx.doc.char_span(carrier.cue_char, carrier.cue_char + 1, alignment_mode="expand")
        if c_sent is not None and len(c_sent):
            s = sent_of(c_sent[0])
            texts.append(doc_text(ctx.doc)[s.start_char : min(carrier.content_start, s.end_char)])
    stated = stated_channel(" ".join(texts), lex)
    if stated:
        return stated
    if carrier is None:
        if trigger_lemma in PUBLIC_ACTS:
            return "public"
        # a side's own act told as fact ("Petro suspended the talks", "the two sides agreed a truce") was public;
        # a mediator's work, or a deal described in passing ("a deal reached by ..."), does not say how
        if stance in ("agrees", "refuses", "proposes", "open") and trigger_dep in ("ROOT", "conj", "ccomp", "xcomp", "advcl"):
            return "public"
        return "unknown"
    if carrier is not None:
        if any(a.record.speaker_kind == "anonymous" for a in chain) or any(
            w in " ".join(carrier.record.via).lower() for w in ("official", "source", "people")
        ):
            return "private"
        if carrier.speaker_actor in actors or carrier.record.speaker_kind in ("institution", "document"):
            return "public"
    return "unknown"


def sources_of(ctx: DocContext, chain: list[FoundAttribution], actors: list[str]) -> list[str]:
    """Who the position is known from, innermost first; the actor speaking for itself is no source,
    nor is a side's own leader or ministry speaking for it ("Putin said Moscow agreed")."""
    own = set(actors) | {ctx.actors.registry.country_of(a) for a in actors} - {None}
    for carrier in chain:
        speaker = carrier.speaker_actor
        if speaker and (speaker in own or ctx.actors.registry.country_of(speaker) in own):
            if carrier.record.via:
                return [s for s in carrier.record.via if s]
            continue
        return [s for s in carrier.sources if s]
    return []


def is_past_perfect(sent: Span) -> bool:
    """Is the sentence's main verb (or one joined to it: "had rejected ... and insisted") in the past perfect?
    Only the main clause counts: "officials said Netanyahu had agreed" reports an act of the day it was said."""
    root = sent.root
    verbs = [root, *(c for c in root.children if c.dep_ == "conj" and c.pos_ in ("VERB", "AUX"))]
    return any(c.dep_ == "aux" and c.lower_ == "had" for v in verbs for c in v.children)


def time_basis_of(sent: Span) -> str:
    """``Signal.time_basis`` of a position stated in this sentence: ``standing`` ("has long rejected"),
    ``past`` (the main clause in the past perfect), else ''."""
    if is_standing(sent.text):
        return "standing"
    return "past" if is_past_perfect(sent) else ""


def when_of(ctx: DocContext, sent: Span, carrier: FoundAttribution | None, attributions: list[FoundAttribution]) -> str:
    skip = ("before", "after", "until", "within", "next")
    value = ctx.when_in(sent.start_char, sent.end_char, skip_before=skip)
    if value:
        return value
    if is_past_perfect(sent):
        # "Until the weekend, Bangkok had rejected ...": the position held before its bound, not on the day
        # the article (or the paragraph's narrative) is dated
        value = before_bound(sent.text, ctx.ref, ctx.year_hint(sent.start_char))
    if value:
        return value
    if carrier is not None:
        if carrier.time:
            return carrier.time
        outlet = carrier.record.via[-1] if carrier.record.via else (
            carrier.speaker_source if carrier.record.speaker_kind == "outlet" else ""
        )
        if outlet:
            for a in reversed([a for a in attributions if a.cue_char < sent.start_char]):
                if a.time and a.speaker_source == outlet:
                    return a.time  # the date of the outlet's report ("Last spring, the Post disclosed")
    para_start = ctx.paragraph_span(ctx.paragraph_of(sent.start_char))[0]
    if para_start < sent.start_char:
        value = ctx.last_time_before(para_start, sent.start_char)
        if value:
            return value  # the paragraph's narrative time ("on Tuesday ... Ukraine said it was ready")
    return ctx.published_value()


def terms_of(ctx: DocContext, sent: Span, tok: Token, topic_tok: Token | None) -> list[str]:
    """Conditions named with the position: relative clauses on the topic, 'without ...', 'as long as ...'."""
    doc = ctx.doc
    terms: list[str] = []
    if topic_tok is not None:
        for c in topic_tok.children:
            if c.dep_ in ("relcl", "acl") and c.i > topic_tok.i:
                toks = [t for t in c.subtree if not (t.i == c.left_edge.i and t.lower_ in ("that", "which"))]
                if 1 < len(toks) <= 14:
                    terms.append(doc[toks[0].i : toks[-1].i + 1].text)
    # on the original text: lower() can change lengths ("İ"), offsets must not move
    for m in TERM_PREP_PATTERN.finditer(sent.text):
        start = sent.start_char + m.start()
        rest = doc_text(doc)[start : sent.end_char]
        piece = re.split(r"[,;:.!?”’\"]\s", rest + " ", maxsplit=1)[0].strip(" .,;:")
        words = piece.split()
        if 2 <= len(words) <= 12:
            terms.append(piece)
    for q in ctx.top_quotes:
        if sent.start_char <= q.open_mark and q.end <= sent.end_char:
            words = doc_text(doc)[q.start : q.end].split()
            if 1 <= len(words) <= 8:
                terms.append(doc_text(doc)[q.start : q.end].strip(" ,.;:"))
    return list(dict.fromkeys(t for t in terms if t))[:4]
