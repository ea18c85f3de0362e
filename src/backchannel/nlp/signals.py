"""Negotiation signals: one actor's position on ending or pausing the fighting, per sentence.

A sentence gives a signal when a *stance trigger* ("ready", "rejected",
"proposed", "agreed", "urged", "opposition", "no ceasefire") is tied, in the
parse, to a *topic word* (ceasefire/truce, talks/negotiations, deal/agreement)
and its subject resolves to an actor.  Negation flips open/refuses ("there is
no sign that she would", "not ruling out"); hedged, conditional and
interrogative triggers ("may agree", "if the rebels reject", "whether ...") give
nothing, because analysts' forecasts and hypotheticals are not positions.
Channel, sources and ``when`` come from the sentence and from the attribution
that carries it (``attribution.py``); the conflict, counterpart and role from where
the article's conflicts place the actor (``DocContext.conflict_fields``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from spacy.tokens import Span, Token

from ..records import Signal
from .actors import is_both_sides
from .attributes import channel_of, markers_in, sources_of, terms_of, time_basis_of, when_of
from .attribution import FoundAttribution
from .context import DocContext
from .lexicon import Lexicon, lexicon
from .scope import is_about_war
from .sentindex import doc_text, sent_of, sentences

STRONG_TOPIC = {
    "ceasefire", "cease-fire", "truce", "armistice", "negotiation", "negotiate", "dialogue", "mediation",
    "mediate", "mediator", "diplomacy", "deal", "agreement", "settlement", "accord", "treaty", "bargaining",
    "negotiator", "talk", "talks", "negotiations",
}
WEAK_TOPIC_NEEDS_PEACE = {"plan", "proposal", "framework", "process", "initiative", "roadmap", "declaration", "solution",
                          "compromise", "arrangement", "understanding", "conference", "summit", "meeting", "round",
                          "pact"}
FIGHTING_WORDS = {"fighting", "hostilities", "war", "fire", "attacks", "strikes", "combat", "violence", "offensive",
                  "bombardment", "bombing", "shelling", "operations", "clashes", "conflict", "campaign", "assault",
                  "advance", "shooting", "firing", "bombings", "raids", "airstrikes", "operation", "action"}
NON_WAR_MODIFIERS = {"trade", "tariff", "tariffs", "economic", "commercial", "contract", "transfer", "wage", "pay",
                     "budget", "debt", "minerals", "mineral", "arms", "grain", "gas", "oil", "energy", "weapons",
                     "loan", "aid", "security", "nuclear", "investment", "business", "coalition", "sponsorship",
                     "licensing", "tv", "broadcast", "salary", "merger", "sale", "purchase", "export", "import",
                     "fishing", "climate", "labour", "labor", "union", "plea", "bail", "defence", "defense"}
HEDGE_AUX = {"may", "might", "could"}
MAX_SENTENCE_TOKENS = 200
MEETING_VERBS = {"take", "host", "hold", "attend", "convene", "join", "chair", "organise", "organize", "arrange", "broker"}
CONDITION_MARKS = {"if", "unless", "whether"}
LIGHT_VERBS = {"put", "make", "issue", "present", "voice", "express", "offer", "announce", "table", "submit",
               "send", "deliver", "outline", "unveil", "have", "give", "lay"}
CONDITION = re.compile(
    r"\b(only (?:if|after|once|when)|on (?:the )?condition|conditional on|in exchange for|in return for|"
    r"provided (?:that)?|must (?:first|be tied to|include)|as a precondition|precondition|unless)\b"
)
PRIORITY = {"refuses": 6, "agrees": 5, "proposes": 4, "open": 3, "opposes": 2, "urges": 1}


#: "There's no deal until there's a deal": a figure of speech about deals in general, not anyone's position on
#: this one (no refusal, no pressure), so no word inside it triggers a signal or opens the candidate gate.
TAUTOLOGY = re.compile(r"\bno\s+(\w+)\s+until\s+there(?:'s|’s|\s+is)\s+(?:an?\s+)?\1\b", re.IGNORECASE)


def figures_of_speech(sent: Span) -> list[tuple[int, int]]:
    """The document character spans of the sentence's figures of speech (``TAUTOLOGY``)."""
    return [(sent.start_char + m.start(), sent.start_char + m.end()) for m in TAUTOLOGY.finditer(sent.text)]


@dataclass
class Trigger:
    token: Token
    stance: str
    topic: str
    topic_token: Token | None
    linked: bool  # tied to the topic in the parse, not just the same sentence
    distance: int = 0  # arcs between trigger and topic word: the closest reading wins


def extract_signals(ctx: DocContext, attributions: list[FoundAttribution], lex: Lexicon | None = None) -> list[Signal]:
    """All signals of a document, in text order: the rule decision."""
    return read_signals(ctx, attributions, lex)


def read_signals(ctx: DocContext, attributions: list[FoundAttribution], lex: Lexicon | None = None) -> list[Signal]:
    """What the grammar rules read in a document, in text order: the rule decision's signals, and what the
    learned decision's candidates carry (``candidates.Candidate.rule``).  Two names for two uses, so that a
    test replacing the rule decision (``tests/decider_mutants.py``) leaves the candidates' reading alone."""
    lex = lex or lexicon()
    if not is_about_war(ctx.doc):
        return []
    signals: list[Signal] = []
    seen_text: list[str] = []
    title = _norm(ctx.title)
    for sent in sentences(ctx.doc):
        if len(sent) > MAX_SENTENCE_TOKENS:
            continue  # not prose (a run-on scrape, a table): the tree rules would cost its length squared
        norm = _norm(sent.text)
        if title and norm == title:
            continue  # the headline restates the story; positions are taken from the body
        if len(norm) > 20 and any(norm in earlier for earlier in seen_text):
            seen_text.append(norm)
            continue  # a pull quote repeating an earlier sentence gives no second signal
        seen_text.append(norm)
        if not _has_topic_word(sent, lex):
            continue
        candidates: list[tuple[Signal, Token]] = []
        figures = figures_of_speech(sent)
        for trig in _triggers(sent, lex):
            if any(a <= trig.token.idx < b for a, b in figures):
                continue
            candidates.extend((sig, trig.token) for sig in _signals_for(ctx, sent, trig, attributions, lex))
        chosen = _one_per_actor(_drop_pressed(candidates))
        chosen += _parties_between(ctx, sent, chosen, attributions, lex)
        signals.extend(sorted(chosen, key=lambda s: (s.evidence_span or (0, 0))[0]))
    return _third_party_welcomes(signals, ctx)


def _parties_between(
    ctx: DocContext, sent: Span, chosen: list[Signal], attributions: list[FoundAttribution], lex: Lexicon
) -> list[Signal]:
    """"A truce between Ruritania and the Northern Front, brokered by ...": the two sides are parties to it;
    "notes carried between the ministry and rebel delegates": both sides are talking."""
    chosen = [s for s in chosen if s.stance != "proposes"]  # "offered to host a meeting between X and Y": not theirs
    if not chosen:
        return []
    have = {s.actor for s in chosen}
    base = chosen[0]
    out: list[Signal] = []
    for tok in sent:
        topic = _topic_of_token(tok, lex) or ("talks" if tok.lemma_.lower() == "message" else None)
        if topic is None:
            continue
        for prep in (c for c in tok.children if c.dep_ == "prep" and c.lower_ == "between"):
            for pobj in (c for c in prep.children if c.dep_ == "pobj"):
                for party in _expand_conj(pobj):
                    span = sent.doc[party.left_edge.i : party.i + 1]
                    mention = ctx.actors.resolve_span(span)
                    if mention is None or mention.actor in have:
                        continue
                    have.add(mention.actor)
                    stance = "open" if topic == "talks" else "agrees"
                    out.append(Signal(
                        actor=mention.actor, stance=stance, topic=topic, channel=base.channel,
                        evidence=base.evidence, terms=[], when=base.when, sources=list(base.sources),
                        evidence_span=base.evidence_span, confidence=0.55, **ctx.conflict_fields(mention.actor),
                    ))
    return out


OUTER_WINS = {"urges", "opposes", "proposes", "refuses"}


def _drop_pressed(candidates: list[tuple[Signal, Token]]) -> list[tuple[Signal, Token]]:
    """"X pushed for the rebels to negotiate", "urging the two camps to sign": the pressure is X's position;
    what the pressed side is asked to do is not the pressed side's position."""
    keep = []
    for sig, tok in candidates:
        pressed = any(
            other.stance in ("urges", "opposes") and other.actor != sig.actor and other_tok.i != tok.i
            and _is_ancestor(other_tok, tok) and other_tok.lemma_.lower() not in SUCCESS_CONTROL
            for other, other_tok in candidates
        )
        if not pressed:
            keep.append((sig, tok))
    return keep


def _one_per_actor(candidates: list[tuple[Signal, Token]]) -> list[Signal]:
    """One signal per actor and sentence.

    When one trigger governs another, the outer one decides if it is pressure, a demand or a refusal
    ("urging the two camps to sign" is urging, "refused to accept" a refusal), the inner one otherwise
    ("ready to accept a ceasefire" is agreeing).  Otherwise the best-supported reading wins.
    """
    by_actor: dict[str, list[tuple[Signal, Token]]] = {}
    for sig, tok in candidates:
        by_actor.setdefault(sig.actor, []).append((sig, tok))
    chosen = []
    for group in by_actor.values():
        scores = [sig.confidence + 0.001 * PRIORITY[sig.stance] for sig, _ in group]
        for i, (a, ta) in enumerate(group):
            for j, (b, tb) in enumerate(group):
                if i != j and ta.i != tb.i and _is_ancestor(ta, tb):
                    # "ready to sign a final accord" is openness; "ready to accept the proposal" is acceptance
                    if b.stance == "refuses" and a.stance == "proposes":
                        scores[i] -= 1  # "insisting on talks without a ceasefire": the refusal is the news
                    elif a.stance in OUTER_WINS or (a.stance == "open" and b.stance == "agrees" and tb.lemma_ != "accept"):
                        scores[j] -= 1
                    else:
                        scores[i] -= 1
        best = max(range(len(group)), key=lambda k: scores[k])
        chosen.append(group[best][0])
    return chosen


def _is_ancestor(a: Token, b: Token) -> bool:
    return any(x.i == a.i for x in b.ancestors)


def _third_party_welcomes(signals: list[Signal], ctx: DocContext | None = None) -> list[Signal]:
    """"Iran welcomed the agreement": a party welcoming a deal agrees, anyone else is urging it on.
    Likewise a demand or insistence from outside the two sides ("we demanded that the summit go ahead",
    said Trump of Russia–Ukraine talks) is pressure, not a party's terms."""
    parties = {s.actor for s in signals if s.stance in ("open", "refuses", "proposes", "agrees") and not getattr(s, "_welcome", False)}
    sides = set(ctx.actors.sides()) if ctx is not None else set()
    registry = ctx.actors.registry if ctx is not None else None
    for s in signals:
        if getattr(s, "_welcome", False) and s.actor not in parties:
            s.stance = "urges"
        elif getattr(s, "_demand", False) and sides and s.stance == "proposes":
            side = (registry.country_of(s.actor) if registry else None) or s.actor
            if side not in sides and s.actor not in sides:
                s.stance = "urges"
    return signals


# ---- topics -------------------------------------------------------------------------------------


WELCOMING = {"welcome", "announce", "hail", "praise", "applaud", "celebrate"}
MESSAGE_VERBS = {"pass", "carry", "relay", "convey", "deliver", "shuttle", "ferry"}
FRONT_WORDS = {"line", "lines", "position", "positions", "front", "frontline", "contact"}
STOP_VERBS = {"stop", "halt", "cease", "end", "suspend", "pause", "freeze", "lay"}
PLAN_VERBS = {"rule", "oppose", "refuse", "spurn", "abandon", "scrap", "vote", "confirm", "extend", "set", "unveil", "present", "put", "table", "submit", "outline", "accept", "endorse", "approve",
              "sign", "back", "reject", "initial", "ratify", "finalise", "finalize", "draft", "propose", "agree",
              "rebuff", "dismiss", "welcome", "announce"}
ANAPHORS = {"it", "this", "these", "them", "that", "those"}
PLAN_WORDS = {"plan", "proposal", "framework", "roadmap", "declaration", "text", "terms", "draft", "blueprint",
              "initiative", "offer", "arrangement", "understanding", "compromise"}


def _stops_fighting(tok: Token) -> bool:
    """"cease every attack and raid", "halt its shelling": a verb ending the fighting."""
    if tok.pos_ != "VERB" or tok.lemma_.lower() not in STOP_VERBS:
        return False
    for c in tok.children:
        if c.dep_ == "prep" and c.lower_ in ("at", "along", "on") and tok.lemma_.lower() in ("stop", "halt", "freeze"):
            # "stop at the current front lines", "freeze along the line of contact": a ceasefire in place
            if any(p.lemma_.lower() in FRONT_WORDS for p in c.children if p.dep_ == "pobj"):
                return True
        if c.dep_ in ("dobj", "nsubjpass", "nsubj") or (c.dep_ == "prt" and tok.lemma_.lower() == "lay"):
            words = {t.lower_ for t in c.subtree} | {t.lemma_.lower() for t in c.subtree}
            if tok.lemma_.lower() == "lay":
                if {"down", "arms", "weapons"} <= words | {c.lower_}:
                    return True
                continue
            if c.lemma_.lower() in ("operation", "action", "activity") and not (
                {m.lower_ for m in c.children} & {"military", "combat", "offensive", "ground", "air", "bombing", "armed"}
            ):
                continue  # "halted operations" at a mine is not a truce
            if c.lower_ in FIGHTING_WORDS or c.lemma_.lower() in FIGHTING_WORDS or (
                c.dep_ == "dobj" and words & {"fighting", "firing", "hostilities", "shooting", "attacks", "strikes"}
            ):
                return True
    return False


def _topic_candidates(lex: Lexicon) -> frozenset[str]:
    """Every word that can open one of the branches of ``_topic_of_token``: any other token has no topic.
    Asked of every token of every sentence, so the common answer must be one set lookup (kept on the
    lexicon object itself, which is frozen but not hashable)."""
    found = lex.__dict__.get("_topic_candidates")
    if found is None:
        found = frozenset(lex.topic_words) | STOP_VERBS | PLAN_WORDS | ANAPHORS | {
            "accept", "agree", "sign", "demand", "call", "idea", "proposal", "offer", "initiative"}
        lex.__dict__["_topic_candidates"] = found
    return found


def _topic_of_token(tok: Token, lex: Lexicon) -> str | None:
    lemma = tok.lemma_.lower()
    low = tok.lower_
    candidates = _topic_candidates(lex)
    if lemma not in candidates and low not in candidates:
        return None
    if _stops_fighting(tok):
        return "ceasefire"
    topic = lex.topic_words.get(lemma) or lex.topic_words.get(low)
    if topic is None and lemma in ("accept", "agree", "sign") and tok.dep_ == "xcomp" and not any(
        c.dep_ in ("dobj", "prep") for c in tok.children
    ) and tok.head.lemma_.lower() in ("press", "urge", "push", "encourage", "persuade", "pressure"):
        return "deal"  # "will press it to accept": the deal on the table
    if lemma in ("demand", "call", "idea", "proposal", "offer", "initiative") and tok.dep_ in ("dobj", "pobj") and any(
        c.dep_ == "det" and c.lower_ in ("that", "this", "the") for c in tok.children
    ) and not _noun_owner(tok) and not any(c.dep_ == "prep" and c.lower_ == "for" for c in tok.children):
        found = _antecedent_topic(tok, lex)
        if found:
            return found  # "backed that demand": the truce called for just before
    if topic is None and low in PLAN_WORDS | ANAPHORS and tok.dep_ in ("dobj", "nsubjpass", "pobj") and (
        tok.head.lemma_.lower() in PLAN_VERBS or (tok.head.dep_ == "prep" and tok.head.head.lemma_.lower() in PLAN_VERBS)
    ):
        return _antecedent_topic(tok, lex) if low in ANAPHORS | {"text"} else "deal"
    if topic is None:
        return None
    if tok.pos_ not in ("NOUN", "PROPN", "ADJ") and lemma not in ("negotiate", "mediate", "cease", "talk"):
        return None  # "according" is not an accord
    mods = {c.lower_ for c in tok.children if c.dep_ in ("compound", "amod", "nmod", "poss")}
    if tok.dep_ == "compound":
        mods.add(tok.head.lower_)
    for prep in (c for c in tok.children if c.dep_ == "prep" and c.lower_ in ("in", "over", "on")):
        for pobj in (c for c in prep.children if c.dep_ == "pobj"):  # "a truce in the tariff fight", "on tariffs"
            mods |= {pobj.lower_} | {c.lower_ for c in pobj.children if c.dep_ in ("compound", "amod", "nmod")}
    if mods & NON_WAR_MODIFIERS:
        return None
    if lemma in STRONG_TOPIC or low in STRONG_TOPIC:
        if lemma == "talk" and tok.pos_ == "VERB":
            return None
        return topic
    peace_mod = any(m in lex.__dict__.get("_peace", ()) for m in mods)
    if lemma in WEAK_TOPIC_NEEDS_PEACE:
        if mods & {"peace", "ceasefire", "truce", "negotiated", "diplomatic", "hostage"} or peace_mod:
            return topic
        if lemma in ("meeting", "summit", "round") and tok.head.lemma_ in MEETING_VERBS:
            return "talks"
        if tok.dep_ in ("dobj", "nsubjpass") and tok.head.lemma_.lower() in PLAN_VERBS:
            return "deal"  # "rejected the proposal", "set out the framework"
        if lemma in OWNED_BY_OF and _noun_owner(tok) and not _aims_elsewhere(tok, lex):
            return "deal"  # "the 20-point Trump plan", "Egypt's proposal"
        if tok.i + 2 < len(tok.doc) and tok.nbor(1).lower_ in ("for", "to", "of") and tok.nbor(2).lower_ in ("peace", "end"):
            return topic
        return None
    if lemma == "peace":
        lasting = any(c.lower_ in ("lasting", "durable", "permanent", "just", "comprehensive") for c in tok.children)
        return "deal" if tok.dep_ in ("dobj", "pobj") or lasting else None
    if lemma in ("pause", "halt", "freeze", "cessation", "standstill", "cease", "hostilities", "de-escalation"):
        window = {t.lower_ for t in tok.subtree} | {tok.head.lower_}
        if lemma == "cessation" or lemma == "hostilities" or window & FIGHTING_WORDS:
            return "ceasefire"
        if lemma == "cease" and any(c.dep_ == "nsubj" and c.lower_ in ("operations", "fighting", "hostilities") for c in tok.children):
            return "ceasefire"
        return None
    if lemma in ("envoy", "intermediary", "contact", "channel", "delegation", "discussion", "consultation", "conversation"):
        sent_off = tok.head.lemma_.lower() in ("send", "dispatch", "despatch")
        return "talks" if lemma in ("delegation", "envoy") and tok.dep_ in ("dobj", "conj") and (
            sent_off or lemma == "delegation") else None
    return None


def _aims_elsewhere(tok: Token, lex: Lexicon) -> bool:
    """"Israel's plan to occupy Gaza City": a plan whose aim is not a settlement."""
    for c in tok.children:
        if c.dep_ in ("acl", "relcl") and any(a.dep_ == "aux" and a.lower_ == "to" for a in c.children):
            words = {t.lemma_.lower() for t in c.subtree}
            return not (words & (set(lex.topic_words) | {"peace", "end", "stop"}))
    return False


def _antecedent_topic(tok: Token, lex: Lexicon) -> str | None:
    """"The cabinet approved it": the topic of the deal or truce named in the previous sentences."""
    doc = tok.doc
    start = max(0, tok.i - 80)
    for t in reversed(doc[start : tok.i]):
        if t.lower_ in ANAPHORS | {"text"}:
            continue
        topic = lex.topic_words.get(t.lemma_.lower())
        if topic and t.pos_ in ("NOUN", "PROPN") and t.lemma_.lower() in STRONG_TOPIC:
            return topic
    return None


def _has_topic_word(sent: Span, lex: Lexicon) -> bool:
    low = sent.text.lower()
    if any(p in low for p, _ in lex.topic_phrases):
        return True
    return any(_topic_of_token(t, lex) for t in sent)


def _phrase_topic(sent: Span, lex: Lexicon) -> tuple[str, int] | None:
    text = sent.text
    lowered = text.lower()
    for phrase, topic in lex.topic_phrases:
        if phrase not in lowered:
            continue  # the phrases are lower-case: the cheap test first
        m = re.search(re.escape(phrase), text, re.IGNORECASE)
        if m:
            return topic, sent.start_char + m.start()
    return None


# ---- triggers -----------------------------------------------------------------------------------


def _triggers(sent: Span, lex: Lexicon) -> list[Trigger]:
    topics = [(t, _topic_of_token(t, lex)) for t in sent]
    topics = [(t, tp) for t, tp in topics if tp]
    phrase = _phrase_topic(sent, lex)
    found: list[Trigger] = []
    own_topics = {t.i: tp for t, tp in topics}
    for tok in sent:
        stance = _stance_of(tok, lex)
        if stance is None and tok.i in own_topics:
            stance = _self_trigger(tok)
            if stance is not None:
                found.append(Trigger(tok, stance, own_topics[tok.i], tok, True, 0))
            continue
        if stance is None:
            continue
        if tok.i in own_topics and tok.lemma_.lower() in STOP_VERBS | {"cease"}:
            continue
        if tok.i in own_topics and tok.pos_ in ("NOUN", "PROPN"):
            if stance == "proposes" and tok.dep_ not in ("nsubj", "nsubjpass", "ROOT", "appos"):
                continue  # "lean towards a conditional yes to the envoy's plan": the plan is not news here
            found.append(Trigger(tok, stance, own_topics[tok.i], tok, True, 0))
            continue
        topic_tok, topic, linked = _link(tok, topics)
        if topic is None and phrase is not None:
            topic, linked = phrase[0], abs(phrase[1] - tok.idx) < 80
        if topic is None and tok.lemma_.lower() == "meet" and markers_in(sent.text, lex.channel_private):
            topic, linked = "talks", True  # "met Putin behind closed doors": a meeting is talks when it is secret
        if topic is None:
            continue
        distance = 0
        if topic_tok is not None:
            distance = _depth(topic_tok, tok) or _depth(tok, topic_tok) or 6
        found.append(Trigger(tok, stance, topic, topic_tok, linked, distance))
    lowered = sent.text.lower()
    for rp, pattern in _refusal_patterns(lex.refusal_phrases):
        if rp not in lowered:
            continue  # the cheap test first: most sentences hold none of the phrases
        for m in pattern.finditer(sent.text):
            char = sent.start_char + m.start()
            tok = next((t for t in sent if t.idx >= char), None)
            if tok is None:
                continue
            topic_tok, topic, linked = _link(tok, topics)
            if topic is None:
                word_topic = next((tp for w, tp in (("ceasefire", "ceasefire"), ("truce", "ceasefire"), ("negotiat", "talks"),
                                                    ("talk", "talks"), ("deal", "deal")) if w in rp), None)
                topic = word_topic or (phrase[0] if phrase else (topics[0][1] if topics else None))
                linked = word_topic is not None
            if topic is None:
                continue
            if rp.startswith("no ") or rp in ("total victory", "only victory", "complete victory"):
                stance = "refuses"
            else:
                stance = "refuses"
            found.append(Trigger(tok, stance, _topic_for_refusal(rp, topic), topic_tok, linked))
    return found


@lru_cache(maxsize=4)
def _refusal_patterns(phrases: tuple[str, ...]) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Each refusal phrase (lower-cased) with its compiled whole-word pattern."""
    return tuple((rp.lower(), re.compile(r"\b" + re.escape(rp) + r"\b", re.IGNORECASE)) for rp in phrases)


CONDITION_HEADS = {"require", "depend", "hinge", "need"}
TALKS_START = {"begin", "start", "resume", "open", "restart", "continue", "reopen"}
SELF_TRIGGERS = {"negotiate": "open", "mediate": "urges", "mediator": "urges", "broker": "urges",
                 "guarantor": "urges", "facilitator": "urges"}


def _self_trigger(tok: Token) -> str | None:
    """Topic words that carry a stance themselves: "X will negotiate", "X mediated", "stop firing"."""
    lemma = tok.lemma_.lower()
    if _stops_fighting(tok):
        # "agreed to stop firing", "the militia would not halt its offensive"; not "the best chance for ending this war"
        return "agrees" if tok.dep_ in ("ROOT", "ccomp", "xcomp", "conj", "advcl") and tok.tag_ != "VBG" else None
    if tok.pos_ in ("NOUN", "PROPN") and tok.dep_ in ("nsubj", "nsubjpass"):
        head = tok.head
        if head.lemma_.lower() in CONDITION_HEADS or any(
            c.dep_ == "aux" and c.lower_ in ("must", "should") for c in head.children
        ):
            return "proposes"  # "a truce has to come with ...", "lasting peace requires ...": a condition
        if head.lemma_.lower() in TALKS_START and lemma in ("talk", "negotiation", "dialogue"):
            return "open"  # "Talks began in Caracas": both sides are talking
    if tok.pos_ == "VERB" and tok.dep_ in ("amod", "compound", "acl"):
        return None  # "a negotiated solution", "a brokered truce": a description, not an act
    if lemma in SELF_TRIGGERS and (tok.pos_ == "VERB" or lemma in ("mediator", "guarantor", "facilitator")):
        return SELF_TRIGGERS[lemma]
    return None


def _topic_for_refusal(phrase: str, default: str) -> str:
    if "negotiat" in phrase or "talk" in phrase:
        return "talks"
    if "victory" in phrase:
        return "talks"
    return default


def _stance_of(tok: Token, lex: Lexicon) -> str | None:
    lemma = tok.lemma_.lower()
    children = {c.lower_ for c in tok.children}
    if tok.pos_ == "VERB" and lemma in MESSAGE_VERBS:
        if any(c.dep_ == "dobj" and c.lemma_.lower() in ("message", "proposal", "offer") for c in tok.children):
            return "urges"  # "Norway carried notes between ...": a go-between
        if lemma == "shuttle":
            return "urges"
    if tok.pos_ == "VERB" and lemma in SUCCESS_CONTROL and any(c.dep_ in ("dobj", "dative") for c in tok.children) and any(
        c.dep_ in ("xcomp", "ccomp") for c in tok.children
    ):
        return "urges"  # "persuaded the general to sign up to the truce plan": the broker's work
    if tok.pos_ in ("VERB", "AUX") and lemma in lex.stance_verbs:
        options = lex.stance_verbs[lemma]
        if lemma == "rule":
            return "refuses" if "out" in children else None
        if lemma == "walk":
            return "refuses" if children & {"away", "out"} else None
        if lemma == "stay":
            return "refuses" if "away" in children else None
        if lemma == "meet":
            return "open"
        if lemma == "break":
            return "refuses" if "off" in children else None
        if lemma == "call":
            if "off" in children:
                return "refuses"
            return "urges" if children & {"for", "on", "upon"} else None
        if lemma in ("cancel", "suspend", "quit", "abandon", "scrap", "tear"):
            # "suspended peace talks", "the truce deal that the junta dropped"
            target = tok.head if tok.dep_ == "relcl" else None
            if _object_is_talks(tok, lex) or _object_is_topic(tok, lex) or (
                target is not None and _topic_of_token(target, lex)
            ):
                return "refuses"
            return None
        if lemma in ("withdraw", "end", "halt", "freeze"):
            return "refuses" if _object_is_talks(tok, lex) else None
        if lemma in ("hold", "send", "join", "attend", "engage", "resume", "participate"):
            return "open" if _object_is_talks(tok, lex) or lemma in ("attend", "participate") else None
        if lemma in ("insist", "demand", "require", "condition", "set"):
            if lemma == "set":
                return "proposes" if "out" in children or "conditions" in {c.lower_ for c in tok.subtree} else None
            return "proposes"
        if lemma in ("accept", "agree", "welcome"):
            return "agrees"
        if lemma in ("oppose", "block", "torpedo"):
            return "opposes"
        if lemma == "put":
            return "proposes" if "forward" in children else None
        if lemma == "speak":
            grand = {g.lower_ for c in tok.children for g in c.children}
            return "urges" if "for" in children or ("out" in children and "for" in grand) else None
        if lemma in ("argue",):
            return "urges" if "for" in children else None
        if lemma in ("signal",):
            return "open"
        if lemma in ("announce", "confirm", "extend", "hail", "praise", "applaud", "celebrate"):
            return "agrees" if _object_is_topic(tok, lex) else None
        if lemma == "vote":
            return "opposes" if "against" in children else ("agrees" if "for" in children else None)
        if lemma in ("observe", "implement", "respect", "honour", "honor", "extend", "help", "expect"):
            return None
        return options[0]
    if tok.pos_ == "ADJ" and lemma in lex.stance_adjectives:
        return lex.stance_adjectives[lemma]
    if tok.pos_ == "ADJ" and tok.lower_ in lex.stance_adjectives:
        return lex.stance_adjectives[tok.lower_]
    if tok.pos_ in ("NOUN", "PROPN") and lemma in lex.stance_nouns:
        stance = lex.stance_nouns[lemma]
        if stance == "proposes" and not _noun_owner(tok):
            return None
        if lemma == "call" and not children & {"for", "on"}:
            return None
        if lemma == "pressure":
            return "urges" if tok.head.lemma_.lower() in ("put", "apply", "exert", "increase", "step", "pile", "mount") else None
        if lemma in ("interest", "agreement", "ban", "victory", "push"):
            return None
        return stance
    return None


def _object_is_topic(tok: Token, lex: Lexicon) -> bool:
    return any(c.dep_ in ("dobj", "nsubjpass") and _topic_of_token(c, lex) for c in tok.children)


TALKS_PEOPLE = {"delegation", "delegates", "negotiators", "envoy", "envoys", "team", "emissary", "emissaries"}


def _object_is_talks(tok: Token, lex: Lexicon) -> bool:
    """"held talks", "sent a delegation", "joined the negotiations", "participate in talks": the object itself."""
    for c in tok.children:
        objects = [c] if c.dep_ in ("dobj", "nsubjpass") else []
        if c.dep_ == "prep" and c.lower_ in ("to", "in", "into", "from"):
            objects = [p for p in c.children if p.dep_ == "pobj"]
        for o in objects:
            if _topic_of_token(o, lex) == "talks" or o.lower_ in TALKS_PEOPLE:
                return True
    return False


def _link(tok: Token, topics: list[tuple[Token, str | None]]) -> tuple[Token | None, str | None, bool]:
    """The topic word a trigger governs (or is governed by), nearest first."""
    best: tuple[int, Token, str] | None = None
    subtree = {t.i for t in tok.subtree}
    for t, tp in topics:
        if tp is None or t.i == tok.i:
            continue
        dist = None
        if t.i in subtree:
            dist = _depth(t, tok)
        elif tok.i in {x.i for x in t.subtree}:
            d = _depth(tok, t)
            if d is not None and d <= 3:
                dist = d
        if dist is not None and (best is None or dist < best[0]):
            best = (dist, t, tp)
    if best is not None:
        return best[1], best[2], True
    # the same sentence, close by: weaker evidence of a link
    near = [(abs(t.i - tok.i), t, tp) for t, tp in topics if tp and abs(t.i - tok.i) <= 12]
    if near:
        _, t, tp = min(near, key=lambda x: x[0])
        return t, tp, False
    return None, None, False


def _depth(node: Token, ancestor: Token) -> int | None:
    d = 0
    cur = node
    while cur.i != ancestor.i:
        if cur.head.i == cur.i:
            return None
        cur = cur.head
        d += 1
        if d > 8:
            return None
    return d


# ---- actors ------------------------------------------------------------------------------------


def _subject_tokens(tok: Token) -> list[Token]:
    """The tokens naming who holds the position a trigger expresses."""
    if tok.pos_ == "NOUN" and tok.lemma_.lower() in SELF_TRIGGERS:
        if tok.dep_ == "nsubj" and tok.head.lemma_ == "be":
            attrs = [c for c in tok.head.children if c.dep_ == "attr"]
            if attrs:
                return attrs  # "The mediators were X, Y and Z"
        if tok.dep_ == "attr":
            return [c for c in tok.head.children if c.dep_ == "nsubj"]  # "X was the mediator"
        if tok.dep_ == "appos":
            return [tok.head]
    cur = tok
    for _ in range(5):
        subj = [c for c in cur.children if c.dep_ == "nsubj"]
        if subj and subj[0].lower_ in ("who", "which", "that") and cur.dep_ == "relcl":
            return [cur.head]  # "the envoy, who has urged both armies to halt"
        if subj:
            return subj
        agents = [p for c in cur.children if c.dep_ == "agent" for p in c.children if p.dep_ == "pobj"]
        if agents:
            return agents
        if cur.pos_ in ("NOUN", "PROPN"):
            owner = _noun_owner(cur)
            if owner:
                return owner
            if cur.dep_ in ("dobj", "pobj", "attr") and cur.head.lemma_ in LIGHT_VERBS | {"for", "by", "of"}:
                cur = cur.head if cur.dep_ != "pobj" else cur.head.head
                continue
        if cur.dep_ == "xcomp" and cur.head.lemma_.lower() in OBJECT_CONTROL:
            objs = [c for c in cur.head.children if c.dep_ in ("dobj", "dative")]
            if objs:
                return objs  # "persuaded the rebel commander to accept the offer": the commander accepts
        if cur.dep_ in ("xcomp", "acomp", "conj", "ccomp", "advcl", "pcomp", "prep", "pobj", "dobj", "attr", "oprd",
                        "amod", "acl", "relcl", "det", "appos", "npadvmod", "nmod", "compound", "dep", "parataxis"):
            if cur.dep_ == "relcl":
                return [cur.head]
            if cur.dep_ == "acl":
                return []
            cur = cur.head
            continue
        break
    return []


def _noun_owner(tok: Token) -> list[Token]:
    owners = [c for c in tok.children if c.dep_ == "poss"]
    if owners:
        return owners
    comps = [c for c in tok.children if c.dep_ in ("compound", "nmod", "amod") and (c.pos_ == "PROPN" or c.ent_type_)]
    if comps:
        return comps
    owner_preps = ("by", "from", "of") if tok.lemma_.lower() in OWNED_BY_OF else ("by", "from")
    for prep in (c for c in tok.children if c.dep_ == "prep" and c.lower_ in owner_preps):
        objs = [c for c in prep.children if c.dep_ == "pobj"]
        if objs:
            return objs
    return []


OWNED_BY_OF = {"demand", "call", "proposal", "offer", "plan", "initiative", "condition", "request", "appeal"}
SUCCESS_CONTROL = {"get", "persuade", "convince", "bring"}
OBJECT_CONTROL = {"get", "persuade", "force", "urge", "press", "push", "ask", "convince", "allow", "invite",
                  "encourage", "pressure", "compel", "lead", "tell"}
GROUP_VERBS = {"make", "comprise", "include", "consist", "compose"}


def _members(tok: Token) -> list[Token]:
    """"The Contact Group, made up of Norway, Chile and Ghana": the members, not the group."""
    for c in tok.children:
        if c.dep_ in ("acl", "relcl", "appos") and c.lemma_ in GROUP_VERBS:
            for t in c.subtree:
                if t.dep_ in ("pobj", "dobj") and (t.ent_type_ in ("GPE", "ORG", "NORP") or t.pos_ == "PROPN"):
                    return _expand_conj(t)
    return []


def _expand_conj(tok: Token) -> list[Token]:
    members = _members(tok)
    if members:
        return members
    out = [tok]
    for c in tok.children:
        if c.dep_ == "conj":
            out.extend(_expand_conj(c))
        if c.dep_ == "appos":
            out.extend(_expand_conj(c))
    return out


def _carriers(char: int, attributions: list[FoundAttribution]) -> list[FoundAttribution]:
    """The attributions whose content holds a character, innermost first."""
    covering = [a for a in attributions if a.content_start <= char < a.content_end]
    return sorted(covering, key=lambda a: a.content_end - a.content_start)


def _speaker_for(char: int, attributions: list[FoundAttribution]) -> FoundAttribution | None:
    chain = _carriers(char, attributions)
    return chain[0] if chain else None


def _signals_for(
    ctx: DocContext, sent: Span, trig: Trigger, attributions: list[FoundAttribution], lex: Lexicon
) -> list[Signal]:
    tok = trig.token
    if _hedged(tok) or _conditional(tok) or (sent.text.rstrip().endswith("?") and ctx.quote_at(tok.idx) is None):
        return []
    stance = trig.stance
    negated = _negated(tok, sent, lex)
    if negated:
        flipped = {"open": "refuses", "refuses": "open", "agrees": "refuses"}.get(stance)
        if flipped is None:
            return []
        stance = flipped
    carrier = _speaker_for(tok.idx, attributions)
    if carrier is not None and _is_forecaster(carrier, lex):
        return []
    speaker_actor = carrier.speaker_actor if carrier is not None and carrier.record.kind != "indirect" else None
    actors: list[str] = []
    confidence = (0.75 if tok.pos_ in ("VERB", "ADJ", "AUX") else 0.65) if trig.linked else 0.5
    confidence -= 0.01 * min(trig.distance, 6)
    for subj in _subject_tokens(tok):
        for s in _expand_conj(subj):
            span = tok.doc[s.left_edge.i : s.right_edge.i + 1] if s.pos_ not in ("PRON",) else tok.doc[s.i : s.i + 1]
            if len(span) > 12:
                span = tok.doc[s.i : s.i + 1]
            if s.lower_ in lex.forecast_heads:
                return []
            if is_both_sides(span) or (s.lower_ in ("two", "both") and s.dep_.startswith("nsubj")):
                for side in ctx.actors.sides():
                    if side not in actors:
                        actors.append(side)
                continue
            mention = None
            if s.pos_ == "PRON" and carrier is not None and carrier.speaker_actor and carrier.record.kind != "direct":
                # "X said (that) it/he would ...": the pronoun is the speaker
                speaker_kind = ctx.actors.kind_of(carrier.speaker_actor)
                if (s.lower_ in ("he", "she", "his", "her")) == (speaker_kind == "person"):
                    mention = ctx.actors.resolve_pronoun(s, speaker_actor=carrier.speaker_actor) if s.lower_ in (
                        "we", "i") else None
                    if mention is None:
                        from .actors import Mention

                        mention = Mention(s.idx, s.idx + len(s), carrier.speaker_actor, speaker_kind, True)
            if mention is None:
                mention = ctx.actors.resolve_span(span, speaker_actor=speaker_actor)
            if mention is None:
                group = _group_actor(span)
                if group and group not in actors:
                    actors.append(group)
                    continue
            if mention is None and s.pos_ == "PRON" and s.lower_ in ("it", "its"):
                mention = ctx.actors._most_recent(s.idx, kinds={"state", "armed_group", "organisation", "institution"})
            if mention is not None and mention.actor not in actors:
                actors.append(mention.actor)
    if tok.lemma_.lower() == "meet" and actors:
        for c in tok.children:  # "X met Putin", "X met with Lavrov": both sat down
            objs = [c] if c.dep_ == "dobj" else [p for p in c.children if p.dep_ == "pobj"] if c.lower_ == "with" else []
            for o in objs:
                for t in _expand_conj(o):
                    m = ctx.actors.resolve_span(tok.doc[t.left_edge.i : t.i + 1])
                    if m is not None and m.actor not in actors:
                        actors.append(m.actor)
    if not actors and tok.head.lemma_.lower() in TALKS_START and trig.stance == "open" and tok.i == (
        trig.topic_token.i if trig.topic_token is not None else -1
    ):
        actors = ctx.actors.sides()
    if not actors and carrier is not None and carrier.speaker_actor:
        actors = [carrier.speaker_actor]  # "the general said a truce has to come with ...": the speaker's condition
        confidence -= 0.2
    if not actors:
        return []
    if stance in ("refuses", "opposes") and carrier is not None and carrier.speaker_actor:
        # "They do not want this war to stop," the minister wrote: an accusation about the other side
        speaker_side = ctx.actors.registry.country_of(carrier.speaker_actor) or carrier.speaker_actor
        actors = [a for a in actors if a == carrier.speaker_actor or (ctx.actors.registry.country_of(a) or a) == speaker_side]
        if not actors:
            return []
    evidence_start, evidence_end = _evidence_bounds(sent, tok)
    evidence = doc_text(ctx.doc)[evidence_start:evidence_end]
    chain = _carriers(tok.idx, attributions)
    channel = channel_of(ctx, sent, chain, actors, lex, tok.lemma_.lower(), stance, tok.dep_)
    sources = sources_of(ctx, chain, actors)
    when = when_of(ctx, sent, carrier, attributions)
    terms = terms_of(ctx, sent, tok, trig.topic_token)
    if stance in ("open", "agrees") and CONDITION.search(doc_text(ctx.doc)[tok.idx : sent.end_char].lower()):
        stance = "proposes"  # "would weigh a truce only once ...": a condition is a demand
    if stance == "agrees" and trig.topic == "talks":
        stance = "open"  # agreeing to hold talks is willingness to talk, not an agreement
    out = []
    for actor in actors:
        out.append(
            Signal(
                actor=actor,
                stance=stance,
                topic=trig.topic,
                channel=channel,
                evidence=evidence,
                terms=terms,
                when=when,
                sources=[s for s in sources if s != actor],
                evidence_span=(evidence_start, evidence_end),
                confidence=confidence,
                **ctx.conflict_fields(actor),
                time_basis=time_basis_of(sent),
            )
        )
        out[-1]._welcome = tok.lemma_.lower() in WELCOMING  # type: ignore[attr-defined]
        out[-1]._demand = tok.lemma_.lower() in ("insist", "demand")  # type: ignore[attr-defined]
    return out


GROUP_HEADS = {"country", "state", "nation", "government", "leader", "power", "ally", "partner", "neighbour",
               "neighbor", "monarchy", "mediator"}
GROUP_DROP = re.compile(r"^(?:the|many|most|some|several|all|other|both|leaders of(?: the)?|(?:the )?leaders of)\s+", re.I)


def _group_actor(span: Span) -> str | None:
    """"the heads of several Gulf and African states" -> "Gulf and African states": a group of states
    named by what they have in common is an actor under that name."""
    root = span.root
    if root.lemma_.lower() == "leader":
        of = next((c for c in root.children if c.dep_ == "prep" and c.lower_ == "of"), None)
        pobj = next((c for c in of.children if c.dep_ == "pobj"), None) if of is not None else None
        if pobj is None:
            return None
        root = pobj
        span = span.doc[pobj.left_edge.i : pobj.i + 1]
    if root.lemma_.lower() not in GROUP_HEADS or root.tag_ not in ("NNS", "NNPS"):
        return None
    if not any(c.dep_ in ("amod", "compound") and (c.ent_type_ in ("NORP", "GPE") or c.text[:1].isupper())
               for c in root.subtree if c.i < root.i):
        return None
    words = span.doc[span.start : root.i + 1].text
    while True:
        cut = GROUP_DROP.sub("", words)
        if cut == words:
            break
        words = cut
    return " ".join(words.split()) or None


def _is_forecaster(carrier: FoundAttribution, lex: Lexicon) -> bool:
    """Analysts, experts and specialists forecast; their words are context, not a party's position."""
    words = set(carrier.record.speaker.lower().split())
    return bool(words & lex.forecast_heads)


HEDGE_ADVERBS = re.compile(r"\b(perhaps|possibly|probably|presumably|conceivably|close to|near to|nearing)\b")


def _hedged(tok: Token) -> bool:
    """Under "may", "might" or "could", or after "perhaps": a possibility, not a position."""
    before = doc_text(tok.doc)[max(sent_of(tok).start_char, tok.idx - 80) : tok.idx].lower()
    if HEDGE_ADVERBS.search(before):
        return True
    cur = tok
    for _ in range(5):
        if any(c.dep_ == "aux" and c.lower_ in HEDGE_AUX for c in cur.children):
            return True
        if cur.dep_ not in ("xcomp", "acomp", "conj", "dobj", "pobj", "prep", "amod", "compound", "attr") or cur.head.i == cur.i:
            break
        cur = cur.head
    return False


HYPOTHETICAL_VERBS = {"assume", "suppose", "imagine"}


def _conditional(tok: Token) -> bool:
    """Inside an "if", "unless", "whether" or "assuming" clause: a hypothesis, not a position."""
    cur = tok
    for _ in range(6):
        if any(c.dep_ == "mark" and c.lower_ in CONDITION_MARKS for c in cur.children):
            return True
        if cur.dep_ in ("advcl", "ccomp") and cur.head.lemma_.lower() in HYPOTHETICAL_VERBS:
            return True
        if cur.lemma_.lower() in HYPOTHETICAL_VERBS and cur.tag_ == "VBG" and cur.i != tok.i:
            return True
        if cur.dep_ in ("ROOT",) or cur.head.i == cur.i:
            break
        if cur.dep_ == "ccomp" and cur.head.lemma_ in ("say", "tell"):
            break
        cur = cur.head
    return False


def _negated(tok: Token, sent: Span, lex: Lexicon) -> bool:
    cur = tok
    for _ in range(3):
        if any(c.dep_ == "neg" or (c.dep_ == "det" and c.lower_ == "no") for c in cur.children):
            return True
        if cur.dep_ not in ("xcomp", "acomp", "attr", "conj") or cur.head.i == cur.i:
            break
        cur = cur.head
    before = doc_text(sent.doc)[sent.start_char : tok.idx].lower()
    return any(p in before for p in lex.negating_phrases if p not in ("refused to", "refuses to", "declined to", "declines to"))


# ---- attributes of the signal ------------------------------------------------------------------


SEGMENT_BREAK = re.compile(r"(?:[:;]|\.{3,}|…)[’”\"']?\s+")
EVIDENCE_MAX_WORDS = 40


def _evidence_bounds(sent: Span, tok: Token) -> tuple[int, int]:
    """The smallest readable unit holding the trigger.

    The part of the sentence between colons/semicolons ("...on television: no truce, no talks, nothing short
    of winning"), else the sentence; a sentence still too long to be evidence gives way to the
    trigger's clause.
    """
    text = doc_text(sent.doc)
    start, end = sent.start_char, sent.end_char
    cuts = [start] + [m.end() for m in SEGMENT_BREAK.finditer(text, start, end)] + [end]
    for a, b in zip(cuts, cuts[1:], strict=False):
        if a <= tok.idx < b and len(text[a:b].split()) >= 4:
            start, end = a, b
            break
    if len(text[start:end].split()) > EVIDENCE_MAX_WORDS:
        head = tok
        while head.head.i != head.i:
            if any(c.dep_ in ("nsubj", "nsubjpass") for c in head.children) and head.pos_ in ("VERB", "AUX"):
                break
            head = head.head
        toks = [t for t in head.subtree if start <= t.idx < end]
        if len(toks) >= 4:
            start, end = toks[0].idx, toks[-1].idx + len(toks[-1])
    while start < end and (text[start] in " \n\t" or text[start] in "‘“\"'"):
        start += 1
    while end > start and text[end - 1] in " \n\t:;,":
        end -= 1
    return start, end


def _norm(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower().replace("’", "'")))
