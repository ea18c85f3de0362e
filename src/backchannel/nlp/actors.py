"""Canonical actors inside one article: names, titles, metonyms and pronouns.

No coreference model runs offline here, so mentions are resolved with rules:
the alias registry (``registry.py``) names people, states, groups and the
titles and capitals that stand for them; a surname seen after a full name
takes the full name; "he"/"she" take the most recent person, preferring
grammatical subjects; "they" takes the most recent group or state; "the
group", "the president" take the most recent actor of that kind.  A named
person or organisation missing from the registry is still an actor, under
its own name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import spacy
from spacy.matcher import PhraseMatcher
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc, Span, Token

from .lexicon import lexicon
from .registry import ActorEntry, ActorRegistry
from .sentindex import doc_text, sent_of
from .timex import find_times

MALE_FEMALE = {"he", "him", "his", "himself", "she", "her", "hers", "herself"}
PLURAL = {"they", "them", "their", "theirs", "themselves"}
FIRST_PERSON = {"i", "me", "my", "we", "us", "our", "ours", "myself", "ourselves"}
GROUP_WORDS = {"group", "militia", "movement", "rebels", "insurgents", "militants", "organisation", "organization", "faction"}
PERSON_TITLE_WORDS = {"president", "leader", "minister", "premier", "chancellor", "king", "emir", "general", "chief"}
HONORIFIC = re.compile(r"^(mr|mrs|ms|dr|sir|sheikh|gen|general|president|prime minister|then)[.\s-]+", re.I)
STATE_KINDS = {"state"}
TITLE_HEADS = {"chair", "chairman", "chief", "head", "minister", "envoy", "spokesman", "spokeswoman", "leader",
               "president", "premier", "chancellor", "secretary", "commander", "ambassador", "negotiator",
               "representative", "delegation", "negotiators", "mediators", "mediator", "foreign"}


MEDIATION = re.compile(r"mediat|broker|host|guarant|go-between|intermediar|facilitat")
BARE_INSTITUTIONS = {"cabinet", "government", "army", "military", "junta", "parliament", "leadership", "regime",
                     "authorities", "administration"}
BOTH_SIDES = re.compile(
    r"^(?:both|the two|the warring|the rival)\s+(?:sides|parties|countries|governments|neighbours|neighbors|"
    r"nations|states|delegations)$|^the two$|^both$|^the parties$|^the warring parties$"
)


def is_both_sides(span: Span) -> bool:
    """"both sides", "the two countries", "the warring parties": the two parties of the article's conflict."""
    return bool(BOTH_SIDES.match(" ".join(span.text.lower().split())))


@dataclass(frozen=True)
class Mention:
    """A stretch of text that names an actor."""

    start: int
    end: int
    actor: str
    kind: str  # person, state, armed_group, organisation, institution
    is_subject: bool


_MATCHERS: dict[tuple[int, int], tuple[ActorRegistry, object, PhraseMatcher]] = {}
_MAX_MATCHERS = 4


def _matcher_for(registry: ActorRegistry, doc: Doc) -> PhraseMatcher:
    """One PhraseMatcher per registry and vocab, built once (it holds ~9,000 patterns); a few are kept."""
    key = (id(registry), id(doc.vocab))
    cached = _MATCHERS.get(key)
    if cached is not None and cached[0] is registry and cached[1] is doc.vocab:
        return cached[2]
    matcher = PhraseMatcher(doc.vocab, attr="LOWER")
    tokenizer = _english_tokenizer()
    seen: set[str] = set()
    forms = []
    for form, _name in registry.surface_forms():
        low = form.lower()
        if low in seen or len(low) < 2:
            continue
        seen.add(low)
        forms.append(form)
    # patterns tokenised exactly as texts are ("Ben-Gvir" -> Ben - Gvir), in the text's vocab
    patterns = [Doc(doc.vocab, words=[t.text for t in d], spaces=[bool(t.whitespace_) for t in d])
                for d in tokenizer.pipe(forms)]
    matcher.add("ACTOR", patterns)
    while len(_MATCHERS) >= _MAX_MATCHERS:
        _MATCHERS.pop(next(iter(_MATCHERS)))
    _MATCHERS[key] = (registry, doc.vocab, matcher)
    return matcher


@lru_cache(maxsize=1)
def _english_tokenizer() -> Tokenizer:
    return spacy.blank("en").tokenizer


class DocumentActors:
    """Resolves the noun phrases and pronouns of one document to canonical actors."""

    def __init__(self, doc: Doc, registry: ActorRegistry, on: date | None = None) -> None:
        self.doc = doc
        self.registry = registry
        self.on = on
        self.lex = lexicon()
        self._surname_to_name: dict[str, str] = {}
        self.mentions: list[Mention] = []
        self._registry_hits: list[tuple[int, int, ActorEntry]] = []  # token spans
        self._sides: list[str] | None = None
        self._sentence_dates: dict[int, date | None] = {}  # sentence start -> _date_of's answer
        self._collect()

    # ---- building -------------------------------------------------------------------------
    def _collect(self) -> None:
        doc = self.doc
        matcher = _matcher_for(self.registry, doc)
        hits = []
        for _, start, end in matcher(doc):
            span = doc[start:end]
            entry = self.registry.lookup(span.text, on=self._date_of(span))
            if entry is not None:
                hits.append((start, end, entry))
        # keep the longest non-overlapping hits
        hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
        kept: list[tuple[int, int, ActorEntry]] = []
        last_end = -1
        for h in hits:
            if h[0] >= last_end:
                kept.append(h)
                last_end = h[1]
        self._registry_hits = kept
        covered = set()
        for start, end, entry in kept:
            covered.update(range(start, end))
            span = doc[start:end]
            self._add(span, entry.name, entry.kind)
            if entry.kind == "person":
                self._remember_surname(entry.name)
        for ent in doc.ents:
            if any(t.i in covered for t in ent):
                continue
            if ent.label_ == "PERSON":
                ent = _join_hyphenated(ent)
                name = self._person_name(ent)
                if name:
                    self._add(ent, name, "person")
            elif ent.label_ == "NORP":
                state = self.registry.state_for_demonym(ent.text)
                if state:
                    self._add(ent, state, "state")
        self.mentions.sort(key=lambda m: m.start)

    def _date_of(self, span: Span) -> date | None:
        """The date a title refers to: an explicit date in its sentence ("the then army chief ... in March 2019"),
        else the article's date, so that "the US president" is whoever held the office then."""
        if self.on is None:
            return None
        try:
            sent = sent_of(span.root)
        except ValueError:
            return self.on
        if sent.start not in self._sentence_dates:  # asked once per title in the sentence
            self._sentence_dates[sent.start] = self._explicit_date(sent.text)
        return self._sentence_dates[sent.start]

    def _explicit_date(self, text: str) -> date | None:
        assert self.on is not None
        for m in find_times(text, self.on):
            if m.explicit_year and len(m.value) >= 7:
                year, month = int(m.value[:4]), int(m.value[5:7])
                day = int(m.value[8:10]) if len(m.value) == 10 else 15
                return date(year, month, day)
        return self.on

    def _add(self, span: Span, name: str, kind: str) -> None:
        is_subject = any(t.dep_ in ("nsubj", "nsubjpass") for t in span) or span.root.dep_ in ("nsubj", "nsubjpass")
        self.mentions.append(Mention(span.start_char, span.end_char, name, kind, is_subject))

    def _remember_surname(self, full_name: str) -> None:
        parts = full_name.split()
        if len(parts) >= 2:
            self._surname_to_name.setdefault(parts[-1].lower(), full_name)

    def _person_name(self, ent: Span) -> str:
        text = _strip_possessive(HONORIFIC.sub("", ent.text.strip()))
        text = text.strip(" ,.;:'\"‘’“”")
        if not text or not any(c.isupper() for c in text):
            return ""
        entry = self.registry.lookup(text, on=self.on)
        if entry is not None:
            return entry.name
        parts = text.split()
        if len(parts) == 1:
            return self._surname_to_name.get(parts[0].lower(), text)
        self._remember_surname(text)
        return text

    # ---- queries --------------------------------------------------------------------------
    def mentions_in(self, start: int, end: int) -> list[Mention]:
        """Mentions inside a character range, in order."""
        return [m for m in self.mentions if m.start >= start and m.end <= end]

    def entry(self, name: str) -> ActorEntry | None:
        return self.registry.by_name(name)

    def kind_of(self, name: str) -> str:
        entry = self.registry.by_name(name)
        if entry is not None:
            return entry.kind
        for m in self.mentions:
            if m.actor == name:
                return m.kind
        return "organisation"

    def resolve_span(self, span: Span, speaker_actor: str | None = None) -> Mention | None:
        """The actor a noun phrase names, or None when it names none (an analyst, an outlet, "officials")."""
        root = span.root
        low = root.lower_
        if root.pos_ == "PRON" or low in MALE_FEMALE | PLURAL | FIRST_PERSON:
            return self.resolve_pronoun(root, speaker_actor)
        inside = self.mentions_in(span.start_char, span.end_char)
        if inside:
            # the mention holding the phrase's head wins ("Russia's Ministry of Defence" -> Russia only when
            # nothing better); a person named in the phrase beats a state modifying it
            for m in inside:
                if m.start <= root.idx < m.end:
                    return m
            persons = [m for m in inside if m.kind == "person"]
            if persons:
                return persons[0]
            if low in self.lex.institution_heads or low in self.lex.anonymous_heads:
                return inside[0]
            if root.ent_type_ in ("ORG", "GPE") or root.pos_ == "PROPN":
                return inside[0]
            if low in TITLE_HEADS:
                return inside[0]  # "the then head of the French navy": the state, when the person is unknown
        # "Russian officials", "the Ukrainian side": a demonym modifying an institution or official
        if low in self.lex.institution_heads or low in self.lex.anonymous_heads:
            for child in root.children:
                if child.dep_ in ("amod", "compound", "nmod"):
                    state = self.registry.state_for_demonym(child.text)
                    if state:
                        return Mention(span.start_char, span.end_char, state, "state", root.dep_.startswith("nsubj"))
        # "both sides", "the two countries": the two actors the article is most about
        if is_both_sides(span):
            return None
        # "the cabinet", "the army", "the government": the state the article last named
        if low in BARE_INSTITUTIONS and len(span) <= 2 and any(t.lower_ == "the" for t in root.children):
            found = self._institution_of_main_states(low)
            if found is not None:
                return Mention(span.start_char, span.end_char, found.name, found.kind, root.dep_.startswith("nsubj"))
            sides = self.sides()
            if sides:  # the main party of the story, not whichever state was named last
                return Mention(span.start_char, span.end_char, sides[0], "state", root.dep_.startswith("nsubj"))
            return self._most_recent(span.start_char, kinds={"state"})
        # "the group", "the militia", "the president": the most recent actor of that kind
        if low in GROUP_WORDS and any(t.lower_ == "the" for t in root.children):
            return self._most_recent(span.start_char, kinds={"armed_group", "organisation"})
        if low in PERSON_TITLE_WORDS and any(t.lower_ == "the" for t in root.children) and len(span) <= 3:
            return self._most_recent(span.start_char, kinds={"person"})
        if root.ent_type_ in ("PERSON",):
            ent = next((e for e in self.doc.ents if e.start <= root.i < e.end), None)
            if ent is not None:
                name = self._person_name(ent)
                if name:
                    return Mention(ent.start_char, ent.end_char, name, "person", True)
        if root.ent_type_ in ("ORG",) and root.pos_ == "PROPN":
            ent = next((e for e in self.doc.ents if e.start <= root.i < e.end), None)
            if ent is not None and self.lex.outlet_name(ent.text) is None:
                name = _strip_possessive(ent.text.strip())
                name = re.sub(r"^the\s+", "", name, flags=re.I)
                return Mention(ent.start_char, ent.end_char, name, "organisation", True)
        return None

    def _institution_of_main_states(self, noun: str) -> ActorEntry | None:
        """"the army" in a story about Sudan: the registry's "Sudanese army", if the article's states have one."""
        counts: dict[str, int] = {}
        for m in self.mentions:
            name = self.registry.country_of(m.actor) if m.kind == "person" else m.actor
            if name and (m.kind == "person" or m.kind == "state"):
                counts[name] = counts.get(name, 0) + 1
        for state in sorted(counts, key=lambda n: -counts[n]):
            entry = self.registry.by_name(state)
            names = [state, *(entry.demonyms if entry else ())]
            for prefix in names:
                found = self.registry.lookup(f"{prefix} {noun}", on=self.on)
                if found is not None and found.name != state and found.kind != "person":
                    return found
        return None

    def sides(self) -> list[str]:
        """The two parties an article is most about: the most-mentioned states and armed groups
        (a person counts for the state they lead).  Used for "both sides", "the two countries"."""
        if self._sides is not None:
            return self._sides
        counts: dict[str, int] = {}
        brokering: dict[str, int] = {}
        for m in self.mentions:
            name = m.actor
            if m.kind == "person":
                name = self.registry.country_of(m.actor) or ""
            elif m.kind not in ("state", "armed_group"):
                continue
            if name:
                counts[name] = counts.get(name, 0) + 1
                context = doc_text(self.doc)[max(0, m.start - 120) : m.end + 120].lower()
                if MEDIATION.search(context):
                    brokering[name] = brokering.get(name, 0) + 1
        # a state named mostly around mediation words is the go-between, not a side
        parties = [n for n in counts if brokering.get(n, 0) < 0.6 * counts[n]] or list(counts)
        ranked = sorted(parties, key=lambda n: -counts[n])
        self._sides = ranked[:2] if len(ranked) >= 2 else []
        return self._sides

    def resolve_pronoun(self, token: Token, speaker_actor: str | None = None) -> Mention | None:
        low = token.lower_
        if low in FIRST_PERSON:
            if speaker_actor:
                return Mention(token.idx, token.idx + len(token), speaker_actor, self.kind_of(speaker_actor), True)
            return None
        if low in MALE_FEMALE:
            return self._most_recent(token.idx, kinds={"person"}, prefer_subject=True, sentence=sent_of(token))
        if low in PLURAL:
            return self._most_recent(token.idx, kinds={"state", "armed_group", "organisation", "institution"})
        return None

    def _most_recent(
        self,
        before: int,
        kinds: set[str],
        prefer_subject: bool = False,
        sentence: Span | None = None,
    ) -> Mention | None:
        candidates = [m for m in self.mentions if m.end <= before and m.kind in kinds]
        if not candidates:
            return None
        if prefer_subject:
            if sentence is not None:
                same = [m for m in candidates if m.start >= sentence.start_char]
                subj = [m for m in same if m.is_subject]
                if subj:
                    return subj[-1]
                if same:
                    return same[-1]
            window = [m for m in candidates if before - m.end < 1200]
            subj = [m for m in window if m.is_subject]
            if subj:
                return subj[-1]
        return candidates[-1]


def _join_hyphenated(ent: Span) -> Span:
    """"Phumzile Mlambo-Ngcuka": the tagger often ends the name at the hyphen."""
    doc, end = ent.doc, ent.end
    while end + 1 < len(doc) and doc[end].text in ("-", "‐") and not doc[end - 1].whitespace_ and doc[end + 1].is_title:
        end += 2
    return doc[ent.start : end] if end != ent.end else ent


def _strip_possessive(text: str) -> str:
    return re.sub(r"(’s|'s|’|')$", "", text.strip())
