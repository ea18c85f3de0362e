"""Attributions: who said what, with which reporting words, through whom.

Rules over the dependency parse and the quotes found in the raw text:

* a reporting verb ("said", "told", "revealed", "reported") with a subject and
  a clausal complement gives an indirect attribution, or a direct/mixed one
  when the complement is (partly) quoted;
* a reporting verb next to a quote ("‘...,’ he said", "X told Time: ‘...’")
  gives a direct one; a cue inside a quote between commas ("‘The right
  moment, one of the envoys said, would be ...’") too;
* "according to X", "quoting X", passive "is said to", "was said to believe";
* ``via``: "X told the NYT" gives via NYT, and so does "X told the newspaper"
  when the NYT is the outlet last named before it (else the article's wire
  tag); "four sources cited by Reuters said" gives via Reuters; a statement
  inside another one's content inherits its chain; an anonymous or passive
  statement inherits the outlet the surrounding paragraphs are reporting
  from, else the article's wire tag ("MOSCOW (Reuters) -", ``origins.wire_of``);
* "the sources said", "according to the officials": a definite unnamed
  source is the one named earlier in the article ("four sources told
  Reuters ... According to the sources, ...") and takes that source's name
  and chain, so the relay of a scoop still leads back to its outlet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from spacy.tokens import Span, Token

from ..records import Attribution
from .context import DocContext
from .lexicon import Lexicon, lexicon
from .origins import head_word, is_anonymous, wire_of
from .quotes import Quote
from .sentindex import doc_text, sent_of

MAX_SENTENCE_TOKENS = 200  # longer "sentences" are not prose; the tree rules would cost their length squared
QUOTE_CHARS = "\"'‘’“”«»„"
CUT_DEPS = {"relcl", "acl", "appos", "advcl", "punct", "cc", "prep_cut"}
SPEAKER_STOP = {",", "(", "—", "–", ":", ";", "who", "which", "that"}
AUDIENCE_WORDS = {"reporters", "journalists", "media", "press", "lawmakers", "parliament", "audience", "crowd"}
# "told the news agency", "told the paper": an outlet named by its kind, meaning the one named before
GENERIC_OUTLETS = {"agency", "newspaper", "paper", "broadcaster", "outlet", "publication", "magazine", "newswire",
                   "wire", "channel", "network", "daily", "website"}
RELAY_VERBS = {"cite", "quote"}  # "four sources cited by Reuters", "officials quoted by the AP"
DEFINITE = {"the", "these", "those"}
NUMBERS = {"two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "several"}  # "the four sources"


@dataclass
class FoundAttribution:
    """An attribution plus what the signal rules need to know about it."""

    record: Attribution
    cue_char: int
    content_start: int
    content_end: int
    speaker_actor: str | None = None
    speaker_source: str = ""  # the speaker as a source name (outlets canonical)
    time: str = ""
    passive: bool = False
    extra_speakers: list[str] = field(default_factory=list)

    @property
    def sources(self) -> list[str]:
        """The chain innermost first: the speaker, then whoever relayed it."""
        return [self.speaker_source, *self.record.via] if self.speaker_source else list(self.record.via)


def extract_attributions(ctx: DocContext, lex: Lexicon | None = None) -> list[FoundAttribution]:
    """All attributions of a document, in text order, with chains of reporting filled in."""
    lex = lex or lexicon()
    doc = ctx.doc
    found: list[FoundAttribution] = []
    used_quotes: set[int] = set()
    for tok in doc:
        if len(sent_of(tok)) > MAX_SENTENCE_TOKENS:
            continue  # not prose: see signals.MAX_SENTENCE_TOKENS
        item = None
        if tok.lower_ == "according" and any(c.lower_ == "to" for c in tok.children):
            item = _according_to(ctx, tok, lex)
        elif tok.lemma_ in ("quote", "cite") and tok.tag_ == "VBG" and tok.dep_ in ("advcl", "conj", "xcomp", "acl"):
            item = _quoting(ctx, tok, lex)
        elif tok.pos_ in ("VERB", "AUX") and tok.lemma_ in lex.cue_verbs:
            item = _cue_verb(ctx, tok, lex)
        if item is not None:
            found.append(item)
    for q_index, q in enumerate(ctx.top_quotes):
        if any(f.content_start <= q.start and q.end <= f.content_end + 1 for f in found):
            used_quotes.add(q_index)
    for q_index, q in enumerate(ctx.top_quotes):
        if q_index in used_quotes:
            continue
        if q.end - q.start > 20_000:
            continue
        item = _parenthetical_cue(ctx, q, lex)
        if item is not None:
            found.append(item)
    found = _dedupe(found)
    found.sort(key=lambda f: f.cue_char)
    _continue_speakers(ctx, found)
    _fill_chains(ctx, found, lex)
    return found


def _continue_speakers(ctx: DocContext, found: list[FoundAttribution]) -> None:
    """"Amina Osei said her side had offered concessions. ‘We are ready,’ she said.": a "he" or "she"
    cue right after someone's statement is usually that speaker going on, whoever was named in between."""
    text = doc_text(ctx.doc)
    for i, f in enumerate(found):
        start, end = f.record.speaker_span or (0, 0)
        if text[start:end].lower() not in ("he", "she") or i == 0:
            continue
        prev = found[i - 1]
        if prev.record.speaker_kind != "named" or not prev.speaker_actor:
            continue
        if ctx.paragraph_of(f.cue_char) - ctx.paragraph_of(prev.cue_char) > 1:
            continue
        if ctx.actors.kind_of(prev.speaker_actor) != "person":
            continue
        f.record.speaker = prev.speaker_actor
        f.speaker_actor = prev.speaker_actor
        f.speaker_source = prev.speaker_actor


# ---- one function per attribution pattern ---------------------------------------------------------


def _cue_verb(ctx: DocContext, verb: Token, lex: Lexicon) -> FoundAttribution | None:
    doc = ctx.doc
    passive = False
    subj = _child(verb, "nsubj")
    content_head: Token | None = _child(verb, "ccomp")
    cue_tokens = [verb]
    if subj is None:
        subjpass = _child(verb, "nsubjpass")
        xcomp = _child(verb, "xcomp")
        if subjpass is not None and verb.lemma_ in ("say", "report") and xcomp is not None:
            passive = True
            subj = subjpass
            aux = [c for c in verb.children if c.dep_ in ("auxpass", "aux")]
            cue_tokens = [*aux, verb, *[c for c in xcomp.children if c.dep_ == "aux"], xcomp]
            content_head = _child(xcomp, "ccomp") or _child(xcomp, "xcomp")
            if content_head is None:
                content_head = None
        elif verb.dep_ in ("advcl", "conj", "xcomp") and verb.tag_ in ("VBG", "VB", "VBD", "VBZ"):
            # "..., adding that ...": the main clause's subject; but "the tensions prompted China to urge
            # talks": the one prompted (the object) is who urges
            controller = _child(verb.head, "dobj") if verb.dep_ == "xcomp" else None
            subj = controller or _child(verb.head, "nsubj")
    if subj is None or subj.dep_ == "expl" or subj.lower_ in ("it", "this", "that", "which", "what"):
        return None
    speaker_span = _speaker_span(subj)
    subjects = [c for c in verb.children if c.dep_ == "nsubj"]
    if len(subjects) > 1 and subjects[-1].i < verb.i:
        # "Ruritania's paramilitary Border Guard Force said": the parser split one name into two subjects
        speaker_span = doc[subjects[0].left_edge.i : subjects[-1].i + 1]
    speaker_span = _named_apposition(speaker_span)
    content: tuple[int, int] | None = None
    kind = "indirect"
    quotes = _quotes_around(ctx, verb)
    if content_head is not None and not _inside(content_head, speaker_span):
        sub = _clause_span(content_head)
        if sub is not None and (
            content_head.i > verb.i or _mostly_quoted(sub, quotes) or _reported_before(content_head, speaker_span)
        ):
            content = sub
    adjacent = _adjacent_quote(ctx, verb, speaker_span, quotes)
    if content is None and passive and adjacent is None:
        xcomp = _child(verb, "xcomp")
        if xcomp is not None:
            content = _clause_span(xcomp)
    if content is not None and content_head is not None:
        follow = _quote_after_colon(ctx, content[1], quotes)
        if follow is not None:
            content = (content[0], follow.end)
    if content is not None:
        overlapping = [q for q in quotes if q.start < content[1] and content[0] < q.end]
        if overlapping:
            q = overlapping[0]
            c_len = content[1] - content[0]
            if q.start <= content[0] + 2 and q.end >= content[1] - 2 or (q.end - q.start) >= 0.8 * c_len:
                kind = "direct"
                content = (q.start, q.end)
                if len(overlapping) > 1 and all(o.start < content[1] + 40 for o in overlapping[1:2]):
                    content = (q.start, max(o.end for o in overlapping if o.start < q.end + 200))
            else:
                kind = "mixed"
                last = max(overlapping, key=lambda o: o.end)
                if last.end > content[1] and last.start < content[1]:
                    content = (content[0], last.end)  # the quote goes on past the clause: it is still reported
        elif adjacent is not None and verb.lemma_ in lex.quote_cue_verbs and _near(adjacent, content):
            kind, content = "direct", (adjacent.start, adjacent.end)
    elif adjacent is not None and verb.lemma_ in lex.quote_cue_verbs:
        kind, content = "direct", (adjacent.start, adjacent.end)
    if content is None and verb.lemma_ in OBJECT_CUES:
        content = _object_content(verb)
    if content is None:
        return None
    if content[1] - content[0] < 3:
        return None
    via: list[str] = []
    audience = [c for c in verb.children if c.dep_ in ("dobj", "dative", "iobj")]
    for prep in (c for c in verb.children if c.dep_ == "prep" and c.lower_ in ("to", "with")):
        audience.extend(c for c in prep.children if c.dep_ == "pobj")
    for a in audience:
        a_span = doc[a.left_edge.i : a.right_edge.i + 1]
        outlet = _outlet_in(a_span, lex) or _outlet_meant(ctx, a, lex)
        if outlet:
            via.append(outlet)
        elif a.lower_ in AUDIENCE_WORDS and verb.lemma_ == "tell":
            cue_tokens.append(a)
    for prep in (c for c in verb.children if c.dep_ == "prep" and c.lower_ == "in"):
        for pobj in (c for c in prep.children if c.dep_ == "pobj" and c.lower_ == "interview"):
            for p2 in (c for c in pobj.children if c.dep_ == "prep" and c.lower_ == "with"):
                for o in (c for c in p2.children if c.dep_ == "pobj"):
                    outlet = _outlet_in(doc[o.left_edge.i : o.right_edge.i + 1], lex)
                    if outlet:
                        via.append(outlet)
    via.extend(_relayed_by(subj, lex))
    cue_tokens.sort(key=lambda t: t.i)
    cue_text = " ".join(t.text for t in cue_tokens)
    cue_span = (cue_tokens[0].idx, cue_tokens[-1].idx + len(cue_tokens[-1]))
    return _make(ctx, speaker_span, cue_text, cue_span, content, kind, via, verb, lex, passive=passive)


def _according_to(ctx: DocContext, tok: Token, lex: Lexicon) -> FoundAttribution | None:
    doc = ctx.doc
    to = next(c for c in tok.children if c.lower_ == "to")
    pobj = _child(to, "pobj")
    if pobj is None:
        return None
    speaker_span = _speaker_span(pobj)
    phrase_end_char = speaker_span.end_char
    inside_speaker = ctx.quote_at(speaker_span.start_char)
    if inside_speaker is not None:
        phrase_end_char = max(phrase_end_char, inside_speaker.close_mark + 1)
    next_quote = next((q for q in ctx.top_quotes if q.open_mark >= phrase_end_char), None)
    if next_quote is not None and next_quote.open_mark < sent_of(tok).end_char + 2:
        gap = doc_text(doc)[phrase_end_char : next_quote.open_mark]
        # "according to X: ‘...’", "According to a ‘senior official’ who met them last autumn: ‘...’"
        if (len(gap) <= 3 and gap.strip() in ("", ",", ":", ",:")) or (len(gap) <= 120 and gap.rstrip().endswith(":")):
            content = (next_quote.start, next_quote.end)
            return _make(ctx, speaker_span, "according to", (tok.idx, to.idx + 2), content, "direct",
                         _relayed_by(pobj, lex), tok, lex)
    head = tok.head
    if head is tok or head.i == tok.i:
        return None
    while head.dep_ == "conj" and head.head.i != head.i:
        head = head.head  # "has shelled ... and emptied three villages, according to aid workers"
    sent = sent_of(tok)
    phrase_tokens = set(range(tok.left_edge.i, tok.right_edge.i + 1))
    clause = [t for t in head.subtree if t.i not in phrase_tokens and sent.start <= t.i < sent.end]
    # drop the reporting frame around it ("..., the Financial Times reported")
    clause = [t for t in clause if not (t.i > head.i and t.dep_ == "punct" and t.i == clause[-1].i)]
    if not clause:
        return None
    start_tok, end_tok = clause[0], clause[-1]
    while start_tok.is_punct and start_tok.i < end_tok.i:
        start_tok = doc[start_tok.i + 1]
    while end_tok.is_punct and end_tok.i > start_tok.i:
        end_tok = doc[end_tok.i - 1]
    content = (start_tok.idx, end_tok.idx + len(end_tok))
    kind = "mixed" if any(q.start < content[1] and content[0] < q.end for q in ctx.top_quotes) else "indirect"
    return _make(ctx, speaker_span, "according to", (tok.idx, to.idx + 2), content, kind, _relayed_by(pobj, lex),
                 tok, lex)


def _quoting(ctx: DocContext, tok: Token, lex: Lexicon) -> FoundAttribution | None:
    obj = _child(tok, "dobj")
    if obj is None:
        return None
    speaker_span = _speaker_span(obj)
    end_char = obj.right_edge.idx + len(obj.right_edge)
    q = next((q for q in ctx.top_quotes if q.open_mark >= end_char and q.open_mark - end_char <= 3), None)
    if q is None:
        return None
    return _make(ctx, speaker_span, tok.text, (tok.idx, tok.idx + len(tok)), (q.start, q.end), "direct", [], tok, lex)


def _parenthetical_cue(ctx: DocContext, q: Quote, lex: Lexicon) -> FoundAttribution | None:
    """"‘The right moment, one of the envoys said, would be ...’": a cue between commas inside a quote."""
    doc = ctx.doc
    span = doc.char_span(q.start, q.end, alignment_mode="contract")
    if span is None:
        return None
    for tok in span:
        if tok.lemma_ not in lex.quote_cue_verbs or tok.pos_ != "VERB":
            continue
        subj = _child(tok, "nsubj")
        if subj is None:
            continue
        s_span = _speaker_span(subj)
        first = min(s_span.start, tok.i)
        last = max(s_span.end - 1, tok.i)
        if first == 0 or last + 1 >= len(doc):
            continue
        if doc[first - 1].text == "," and doc[last + 1].text == ",":
            return _make(ctx, s_span, tok.text, (tok.idx, tok.idx + len(tok)), (q.start, q.end), "direct", [], tok, lex)
    return None


# ---- building records ----------------------------------------------------------------------------


def _make(
    ctx: DocContext,
    speaker_span: Span,
    cue: str,
    cue_span: tuple[int, int],
    content: tuple[int, int],
    kind: str,
    via: list[str],
    cue_token: Token,
    lex: Lexicon,
    passive: bool = False,
) -> FoundAttribution:
    doc = ctx.doc
    text = doc_text(doc)
    c_start, c_end = content
    while c_start < c_end and (text[c_start].isspace() or text[c_start] in QUOTE_CHARS):
        c_start += 1
    while c_end > c_start and (text[c_end - 1].isspace() or text[c_end - 1] in QUOTE_CHARS):
        c_end -= 1
    content_text = text[c_start:c_end]  # exactly the span: spans and values must agree
    speaker_span = _antecedent(speaker_span)
    speaker_text = _clean_speaker(speaker_span.text)
    speaker_actor: str | None = None
    mention = ctx.actors.resolve_span(speaker_span)
    kind_of_speaker = _speaker_kind(speaker_span, mention.kind if mention else None, lex)
    if mention is not None and kind_of_speaker in ("named", "institution"):
        speaker_actor = mention.actor
    if speaker_span.root.pos_ == "PRON" and mention is not None:
        speaker_text = mention.actor
        kind_of_speaker = "named" if mention.kind == "person" else "institution"
    outlet = _outlet_in(speaker_span, lex)
    source_name = outlet if (outlet and kind_of_speaker == "outlet") else speaker_text
    confidence = {"direct": 0.85, "indirect": 0.7, "mixed": 0.75}[kind]
    if speaker_span.root.pos_ == "PRON" and mention is None:
        confidence -= 0.25
    record = Attribution(
        speaker=speaker_text,
        speaker_kind=kind_of_speaker,
        cue=cue,
        content=content_text,
        kind=kind,
        via=list(dict.fromkeys(via)),
        speaker_span=(speaker_span.start_char, speaker_span.end_char),
        cue_span=cue_span,
        content_span=(c_start, c_end),
        confidence=confidence,
    )
    sent = sent_of(cue_token)
    time = ""
    if sent is not None:
        if c_start > sent.start_char:
            time = ctx.when_in(sent.start_char, min(c_start, sent.end_char))
        if not time and c_end < sent.end_char and c_end > sent.start_char:
            time = ctx.when_in(c_end, sent.end_char)
    return FoundAttribution(
        record=record,
        cue_char=cue_span[0],
        content_start=c_start,
        content_end=c_end,
        speaker_actor=speaker_actor,
        speaker_source=source_name,
        time=time,
        passive=passive,
    )


RELATIVE_PRONOUNS = {"who", "that", "which", "whom"}
FIRST_PERSON = {"i", "we", "me", "us"}


def _antecedent(speaker_span: Span) -> Span:
    """"The truce was praised by Trump, who said it would save lives": the relative pronoun stands for the
    noun its clause hangs on, and that noun (with its determiners and modifiers, not the clause) is the
    speaker.  Left as a pronoun, "who" would reach the analyst as the source of a position."""
    root = speaker_span.root
    if len(speaker_span) != 1 or root.lower_ not in RELATIVE_PRONOUNS or root.head.dep_ != "relcl":
        return speaker_span
    noun = root.head.head
    if noun.pos_ not in ("NOUN", "PROPN", "PRON") or noun.i >= root.i:
        return speaker_span
    return noun.doc[noun.left_edge.i : noun.i + 1]


def _fill_chains(ctx: DocContext, found: list[FoundAttribution], lex: Lexicon) -> None:
    """via chains: nesting inside another attribution's content, then the outlet being reported from
    (else the wire tag), then definite unnamed sources resolved to the ones named before them."""
    own_outlet = (lex.outlet_name(ctx.outlet) or ctx.outlet).lower()
    wire = wire_of(ctx.title, doc_text(ctx.doc))
    wire = "" if wire.lower() in own_outlet else wire  # "CNN" in "CNN (Web News)": the article's own outlet
    for f in found:
        outer = [
            o for o in found
            if o is not f and o.content_start <= f.cue_char < o.content_end and o.content_end - o.content_start > 0
        ]
        if outer:
            o = min(outer, key=lambda o: o.content_end - o.content_start)
            if o.speaker_actor and o.speaker_actor == f.speaker_actor:
                continue  # "Trump said he had told them ...": the same speaker, no chain
            if f.speaker_actor is None and f.record.speaker.lower() in FIRST_PERSON:
                _same_speaker(f, o)  # "I can tell you the Palestinians are ready," Trump said: "I" is Trump
                continue
            chain = [s for s in o.sources if s]
            f.record.via = list(dict.fromkeys([*f.record.via, *chain]))
    current_outlet: tuple[str, int] | None = None
    for f in found:
        para = ctx.paragraph_of(f.cue_char)
        if f.record.speaker_kind == "outlet":
            name = f.speaker_source
            if name.lower() != own_outlet:
                current_outlet = (name, para)
            continue
        if f.record.via:
            if lex.outlet_name(f.record.via[-1]):
                current_outlet = (f.record.via[-1], para)
            continue
        if f.record.speaker_kind == "anonymous" or f.passive:
            if current_outlet and para - current_outlet[1] <= 2:
                f.record.via = [current_outlet[0]]
            elif wire:
                f.record.via = [wire]
        if f.record.speaker_kind == "named" and not f.passive:
            current_outlet = None if current_outlet and para - current_outlet[1] > 0 else current_outlet
    _resolve_definite_sources(found, lex)
    for f in found:
        if f.record.via and f.record.via[0] == f.speaker_source:
            f.record.via = f.record.via[1:]


def _same_speaker(inner: FoundAttribution, outer: FoundAttribution) -> None:
    """The statement quoted inside another's words, by the first person of those words: the quoted
    speaker's own, with the quoted speaker's name, kind and chain."""
    inner.record.speaker = outer.record.speaker
    inner.record.speaker_kind = outer.record.speaker_kind
    inner.record.via = list(outer.record.via)
    inner.speaker_actor = outer.speaker_actor
    inner.speaker_source = outer.speaker_source


def _resolve_definite_sources(found: list[FoundAttribution], lex: Lexicon) -> None:
    """"Four sources told Reuters ... According to the sources, ...": a bare definite unnamed speaker ("the
    sources", "these officials", "the two diplomats") is the last unnamed one (``origins.is_anonymous``)
    named before it with the same head noun ("the sources" may be any unnamed people), and takes its
    name and chain; statements nested in it follow."""
    named: list[FoundAttribution] = []  # the unnamed speakers introduced so far, in text order
    for f in found:
        if f.record.speaker_kind != "anonymous":
            continue
        words = f.speaker_source.split()
        head = head_word(f.speaker_source)
        if not words or words[0].lower() not in DEFINITE:
            if is_anonymous(f.speaker_source):
                named.append(f)
            continue
        if len(words) < 2 or head not in lex.anonymous_heads or len(words) > 2 + (words[1].lower() in NUMBERS):
            continue  # "the prime minister", "the defence officials": a role of its own, not a reference back
        antecedent = next((g for g in reversed(named) if _same_kind(head, head_word(g.speaker_source))), None)
        if antecedent is None:
            continue
        old = f.speaker_source
        f.speaker_source = antecedent.speaker_source
        f.record.via = list(antecedent.record.via)
        for h in found:
            if h is not f and f.content_start <= h.cue_char < f.content_end and old in h.record.via:
                at = h.record.via.index(old)
                h.record.via = list(dict.fromkeys([*h.record.via[:at], *f.sources]))


def _same_kind(head: str, earlier: str) -> bool:
    """Can a definite "the <head>" refer back to an earlier "<earlier>"?  Same noun, either number."""
    if head in ("source", "sources"):
        return True
    return head.rstrip("s") == earlier.rstrip("s")


def _dedupe(found: list[FoundAttribution]) -> list[FoundAttribution]:
    """One attribution per content: keep the most specific when two cues claim the same words."""
    result: list[FoundAttribution] = []
    for f in sorted(found, key=lambda f: (f.content_start, -(f.content_end - f.content_start))):
        dup = next(
            (r for r in result if r.content_start == f.content_start and r.content_end == f.content_end), None
        )
        if dup is None:
            result.append(f)
        elif dup.record.kind != "direct" and f.record.kind == "direct":
            result[result.index(dup)] = f
    return result


# ---- small helpers -----------------------------------------------------------------------------


def _child(tok: Token, dep: str) -> Token | None:
    return next((c for c in tok.children if c.dep_ == dep), None)


def _inside(tok: Token, span: Span) -> bool:
    return span.start <= tok.i < span.end


def _clause_span(head: Token) -> tuple[int, int] | None:
    toks = [t for t in head.subtree]
    while toks and (toks[0].dep_ == "mark" or toks[0].is_punct and toks[0].text not in QUOTE_CHARS):
        toks = toks[1:]
    while toks and toks[-1].is_punct and toks[-1].text not in QUOTE_CHARS:
        toks = toks[:-1]
    if not toks:
        return None
    return toks[0].idx, toks[-1].idx + len(toks[-1])


def _speaker_span(tok: Token) -> Span:
    """The noun phrase of a speaker, without relative clauses or appositions after a comma."""
    doc = tok.doc
    start, end = tok.left_edge.i, tok.i + 1
    for t in tok.subtree:
        if t.i <= tok.i:
            continue
        if t.dep_ == "appos" and t.head.i == tok.i and doc[t.left_edge.i - 1].text not in SPEAKER_STOP:
            end = t.right_edge.i + 1  # "Ruritania's paramilitary Border Guard Force": one name, no comma
            continue
        if t.i < end:
            continue
        if t.dep_ in ("relcl", "acl", "appos", "advcl") or t.text in SPEAKER_STOP:
            break
        end = t.i + 1
    # "a ‘senior international official’": drop quote marks at the edges, keep the words;
    # "On Saturday Donald Trump said": the date the parser glued to the name is not part of it
    while start < end and (doc[start].text in QUOTE_CHARS or (doc[start].ent_type_ in ("DATE", "TIME") and start < tok.i)):
        start += 1
    while end > start and (doc[end - 1].text in QUOTE_CHARS or doc[end - 1].is_punct):
        end -= 1
    if start >= end:
        return doc[tok.i : tok.i + 1]
    return doc[start:end]


def _relayed_by(tok: Token, lex: Lexicon) -> list[str]:
    """"four Russian sources cited by Reuters": the outlets that relayed a speaker, named in a participle
    on it (the speaker span stops before it)."""
    outlets = []
    for acl in (c for c in tok.children if c.dep_ == "acl" and c.lemma_ in RELAY_VERBS):
        for agent in (c for c in acl.children if c.dep_ == "agent" or (c.dep_ == "prep" and c.lower_ == "by")):
            for pobj in (c for c in agent.children if c.dep_ == "pobj"):
                outlet = _outlet_in(tok.doc[pobj.left_edge.i : pobj.right_edge.i + 1], lex)
                if outlet:
                    outlets.append(outlet)
    return outlets


def _outlet_meant(ctx: DocContext, tok: Token, lex: Lexicon) -> str | None:
    """"told the news agency": the outlet last named before it in the article, else the wire tag; None
    when the phrase is no outlet named by its kind, or means the article's own outlet (never in a chain)."""
    if tok.lemma_.lower() not in GENERIC_OUTLETS or not any(c.lower_ in DEFINITE for c in tok.children):
        return None
    text = doc_text(ctx.doc)
    mentions = [m for m in _outlet_pattern(lex).finditer(text, 0, tok.idx) if m.group(0)[:1].isupper()]
    outlet = lex.outlet_name(mentions[-1].group(0)) if mentions else wire_of(ctx.title, text)
    own = (lex.outlet_name(ctx.outlet) or ctx.outlet).lower()
    return outlet if outlet and outlet.lower() not in own else None


_OUTLET_PATTERNS: dict[int, re.Pattern[str]] = {}


def _outlet_pattern(lex: Lexicon) -> re.Pattern[str]:
    """Any outlet name or alias of the lexicon as whole words (longest first), case-insensitive."""
    key = id(lex.outlet_aliases)
    if key not in _OUTLET_PATTERNS:
        names = sorted(lex.outlet_aliases, key=len, reverse=True)
        body = "|".join(re.escape(n).replace("'", "['’]") for n in names)
        _OUTLET_PATTERNS[key] = re.compile(r"(?<![\w-])(?:" + body + r")(?![\w-])", re.IGNORECASE)
    return _OUTLET_PATTERNS[key]


OBJECT_CUES = {"accuse", "deny", "report", "describe", "urge", "claim", "demand", "allege", "acknowledge", "admit"}


def _object_content(verb: Token) -> tuple[int, int] | None:
    """"It accuses Ruritania of arming the militia", "Ruritania denies sending guns": the object
    and what follows it are the reported content."""
    parts = [c for c in verb.children if c.i > verb.i and c.dep_ in ("dobj", "xcomp", "prep", "oprd", "ccomp")
             and not (c.dep_ == "prep" and c.lower_ in ("on", "in", "at", "during", "after", "before"))]
    if not any(c.dep_ in ("dobj", "xcomp") for c in parts):
        return None
    toks = sorted((t for c in parts for t in c.subtree), key=lambda t: t.i)
    while toks and toks[-1].is_punct:
        toks.pop()
    if not toks:
        return None
    return toks[0].idx, toks[-1].idx + len(toks[-1])


def _reported_before(content_head: Token, speaker: Span) -> bool:
    """"Commanders are due to meet next week, the mediators said": the clause, a comma, then the cue."""
    end = content_head.right_edge.i
    doc = content_head.doc
    return end + 1 < len(doc) and doc[end + 1].text == "," and speaker.start == end + 2


def _named_apposition(span: Span) -> Span:
    """"Amina Osei, the rebels' spokeswoman who headed the delegation, said": the person, not the title."""
    doc = span.doc
    if span.start >= 2 and doc[span.start - 1].text == "," and span.root.ent_type_ != "PERSON":
        prev = doc[span.start - 2]
        if prev.ent_type_ == "PERSON":
            ent = next((e for e in doc.ents if e.start <= prev.i < e.end), None)
            if ent is not None and ent.end == prev.i + 1:
                return ent
    return span


def _clean_speaker(text: str) -> str:
    text = "".join(ch for ch in text if ch not in "‘’“”\"") if "’s" not in text else text.replace("‘", "").replace("“", "").replace("”", "")
    return " ".join(text.split()).strip(" ,.:;")


def _outlet_in(span: Span, lex: Lexicon) -> str | None:
    """The outlet a phrase names ("Germany’s Der Spiegel", "a reporter for Newsweek magazine").

    An outlet's name is a proper name, so the words that make it up are capitalised: "the EU foreign policy
    chief" names no magazine."""
    words = [t.text for t in span]
    for n in range(min(5, len(words)), 0, -1):
        for i in range(0, len(words) - n + 1):
            chunk = " ".join(words[i : i + n]).replace(" ’s", "’s").replace(" 's", "'s")
            if not (words[i][:1].isupper() and words[i + n - 1][:1].isupper()):
                continue
            name = lex.outlet_name(chunk)
            if name:
                return name
    return None


QUANTIFIERS = {"one", "some", "two", "three", "four", "five", "several", "many", "most", "none", "few", "each",
               "any", "all", "both", "half", "dozens"}


def _speaker_kind(span: Span, actor_kind: str | None, lex: Lexicon) -> str:
    root = span.root
    if root.lower_ in QUANTIFIERS:
        of = next((c for c in root.children if c.dep_ == "prep" and c.lower_ == "of"), None)
        pobj = _child(of, "pobj") if of is not None else None
        if pobj is not None:
            root = pobj
    low = root.lower_
    if _outlet_in(span, lex) is not None and (low not in lex.anonymous_heads or "journalist" in low or "correspondent" in low):
        return "outlet"
    if any(t.lower_ in lex.outlet_words for t in span) and root.pos_ == "PROPN" and root.ent_type_ != "PERSON":
        return "outlet"
    if root.pos_ == "PRON":
        if actor_kind == "person":
            return "named"
        return "institution" if actor_kind else "anonymous"
    if (root.ent_type_ == "PERSON" and root.dep_ != "poss") or (actor_kind == "person" and root.pos_ == "PROPN"):
        return "named"
    if root.lemma_.lower() in lex.document_heads or low in lex.document_heads:
        return "document"
    if low in lex.anonymous_heads or root.lemma_ in lex.anonymous_heads:
        if any(t.ent_type_ == "PERSON" and t.dep_ not in ("poss",) and t.head == root and t.i > root.i for t in span):
            return "named"
        return "anonymous"
    if low in lex.institution_heads or root.lemma_ in lex.institution_heads:
        return "institution"
    if actor_kind in ("state", "armed_group", "organisation", "institution"):
        return "institution"
    if root.ent_type_ in ("ORG", "GPE", "NORP") or root.pos_ == "PROPN":
        return "institution"
    return "anonymous"


def _quotes_around(ctx: DocContext, verb: Token) -> list[Quote]:
    """The quotes a cue can introduce: outermost ones, or those nested in the quote the cue stands in."""
    outer = ctx.quote_at(verb.idx)
    if outer is None:
        return ctx.top_quotes
    inner = [q for q in ctx.quotes if q.level > outer.level and outer.start <= q.open_mark and q.end <= outer.end]
    return [q for q in inner if not any(o is not q and o.level < q.level and o.start <= q.open_mark and q.end <= o.end
                                        and o.level > outer.level for o in inner)]


def _mostly_quoted(span: tuple[int, int], quotes: list[Quote]) -> bool:
    covered = sum(max(0, min(q.end, span[1]) - max(q.start, span[0])) for q in quotes)
    return covered >= 0.8 * (span[1] - span[0])


def _quote_after_colon(ctx: DocContext, end_char: int, quotes: list[Quote]) -> Quote | None:
    text = doc_text(ctx.doc)
    for q in quotes:
        if q.open_mark >= end_char:
            gap = text[end_char : q.open_mark]
            return q if gap.strip() in (":", ".:") and len(gap) <= 3 else None
    return None


def _adjacent_quote(ctx: DocContext, verb: Token, speaker: Span, quotes: list[Quote] | None = None) -> Quote | None:
    """A quote right after the cue clause ("told Time: ‘...’") or right before it ("‘...,’ he said")."""
    doc = ctx.doc
    text = doc_text(doc)
    quotes = ctx.top_quotes if quotes is None else quotes
    clause_tokens = [verb, *speaker]
    for c in verb.children:
        if c.dep_ in ("dobj", "dative", "advmod", "prep", "npadvmod", "prt") and c.i > verb.i:
            clause_tokens.extend(c.subtree)
    last = max(clause_tokens, key=lambda t: t.i)
    first = min(clause_tokens, key=lambda t: t.i)
    end_char = last.idx + len(last)
    for q in quotes:
        if q.open_mark >= end_char:
            gap = text[end_char : q.open_mark]
            if len(gap) <= 4 and gap.strip() in ("", ":", ",", ".", ",:"):
                return q
            break
    right = verb.right_edge
    q = _quote_after_colon(ctx, right.idx + len(right), quotes)
    if q is not None:
        return q
    start_char = first.idx
    before = [q for q in quotes if q.end <= start_char]
    if before:
        q = before[-1]
        gap = text[q.end : start_char]
        if len(gap) <= 4 and all(ch in " ,.!?’”\"'…\n" for ch in gap) and "\n" not in gap:
            return q
    return None


def _near(q: Quote, content: tuple[int, int]) -> bool:
    return abs(q.start - content[1]) < 5 or abs(content[0] - q.end) < 5


