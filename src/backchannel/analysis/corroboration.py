"""Which positions are confirmed by independent origins, and which are one report echoed many times.

Grouping (a *claim* = signals reporting the same position):

1. same actor (or the same state with ``group_state``), same stance, same
   topic;
2. close dates: the signal's date (``when``, else the article's date) lies
   within ``window_days`` (default 7) of the claim's first signal (the
   *seed*); date intervals are compared, so ``2025-03`` is close to
   ``2025-03-20``.  Anchoring on the seed keeps a claim from drifting over a
   chain of weekly reports into a months-long blur;
3. similar wording: the Jaccard of content words of evidence + terms
   (``similarity.tokens``) with the seed or one of the claim's last
   ``_COMPARE_RECENT`` members is at least ``min_similarity`` (default
   0.2).  A signal that fits several claims joins the most similar one.

Undated signals are left out: "close dates" cannot be judged for them; so are
signals an analyst marked "not a signal" (``store.corrections``).

Counting independent origins:

* each signal's origin is the innermost identifiable link of its source
  chain, decided by the extractor (``nlp.origins``) and stored with the
  signal; ``origins.origin_of`` makes it a key: ten outlets citing one NYT
  report are one origin, the NYT;
* syndicated copies count once: when articles of a claim are near-duplicate
  texts (shingle resemblance >= ``similarity.COPY_THRESHOLD``, 0.8), their
  origins are merged (the wire original and the copy that carries it under
  another outlet's name are one report);
* ``origin_count`` is the number of origins left; a claim is
  ``corroborated`` when it is at least 2, however many outlets carry it:
  a scoop relayed by every paper is still one origin (the chain of
  sources leads each relay back to it, ``nlp.attribution``).

Memory: signals are streamed in date order and a claim is finished (and its
origins counted) as soon as the stream is more than ``window_days`` past its
seed, so only the claims of the last window are held.  Article texts are read
one at a time, only for claims with two or more origins, and only their
sketches (at most 256 hashes, 2 KB) are kept, in an LRU cache.
"""

from __future__ import annotations

import heapq
import itertools
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from backchannel.analysis.actors import ActorGroups, stream_signals
from backchannel.analysis.dates import Span, gap_days, shifted, signal_date
from backchannel.analysis.origins import origin_of
from backchannel.analysis.similarity import COPY_THRESHOLD, jaccard, resemblance, sketch, tokens
from backchannel.store import Store

_COMPARE_RECENT = 8
CORROBORATED = "Corroborated"
NOT_CORROBORATED = "Not corroborated"


@dataclass
class Origin:
    """One independent origin of a claim: its name, the names merged into it, and what rests on it."""

    name: str
    names: list[str] = field(default_factory=list)
    article_ids: list[str] = field(default_factory=list)
    signal_ids: list[int] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "names": list(self.names), "article_ids": list(self.article_ids),
                "signal_ids": list(self.signal_ids)}


@dataclass
class Claim:
    """Signals from one or more articles reporting the same position, with their independent origins."""

    actor: str
    stance: str
    topic: str
    first_date: str
    last_date: str
    signal_ids: list[int]
    article_ids: list[str]
    outlets: list[str]
    origins: list[Origin]
    actors: list[str] = field(default_factory=list)
    evidence: str = ""  # the first signal's, to show what the claim is
    terms: list[str] = field(default_factory=list)
    copies: list[list[str]] = field(default_factory=list)  # groups of article ids that are near-duplicates

    @property
    def id(self) -> int:
        """The first signal's id: stable for a claim as long as the signals it rests on are."""
        return self.signal_ids[0]

    @property
    def origin_count(self) -> int:
        return len(self.origins)

    @property
    def corroborated(self) -> bool:
        """Two independent origins at least: outlets repeating one origin never corroborate it."""
        return self.origin_count >= 2

    @property
    def verdict(self) -> str:
        """The verdict's one wording, which the CLI table and the web page both print."""
        return CORROBORATED if self.corroborated else NOT_CORROBORATED

    @property
    def origin_names(self) -> list[str]:
        return [o.name for o in self.origins]

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "actor": self.actor, "actors": list(self.actors), "stance": self.stance, "topic": self.topic,
                "first_date": self.first_date, "last_date": self.last_date, "signal_ids": list(self.signal_ids),
                "article_ids": list(self.article_ids), "outlets": list(self.outlets),
                "origins": [o.to_dict() for o in self.origins], "origin_count": self.origin_count,
                "corroborated": self.corroborated, "verdict": self.verdict, "evidence": self.evidence,
                "terms": list(self.terms), "copies": [list(c) for c in self.copies]}


@dataclass
class _Item:
    """What a claim needs of a signal (no article text)."""

    signal_id: int
    article_id: str
    actor: str
    span: Span
    words: frozenset[str]
    origin_key: str
    origin_name: str
    outlet: str
    evidence: str
    terms: list[str]


@dataclass
class _Open:
    key: tuple[str, str, str]
    seed: _Item
    members: list[_Item]


class SketchCache:
    """Shingle sketches of article texts by article id, computed on first use, least recently used evicted."""

    def __init__(self, store: Store, maxsize: int = 4096) -> None:
        self._store = store
        self._maxsize = maxsize
        self._cache: OrderedDict[str, Sequence[int]] = OrderedDict()

    def __call__(self, article_id: str) -> Sequence[int]:
        found = self._cache.get(article_id)
        if found is not None:
            self._cache.move_to_end(article_id)
            return found
        article = self._store.article(article_id)
        value = sketch(article["text"]) if article else ()
        self._cache[article_id] = value
        if len(self._cache) > self._maxsize:
            self._cache.popitem(last=False)
        return value


def corroboration(store: Store, since: str | None = None, until: str | None = None, actor: str | None = None,
                  stance: str | None = None, topic: str | None = None, group_state: bool = False,
                  window_days: int = 7, min_similarity: float = 0.2, min_signals: int = 1,
                  sketches: SketchCache | None = None) -> list[Claim]:
    """Every claim in the period (see the module docstring), oldest first.

    ``min_signals`` drops claims resting on fewer signals (1 keeps claims
    reported once, which are the uncorroborated ones an analyst may want).
    """
    claims = iter_claims(store, since, until, actor, stance, topic, group_state, window_days, min_similarity,
                         sketches)
    kept = [c for c in claims if len(c.signal_ids) >= min_signals]
    return sorted(kept, key=lambda c: (c.first_date, c.actor, c.stance, c.topic, c.signal_ids[0]))


def iter_claims(store: Store, since: str | None = None, until: str | None = None, actor: str | None = None,
                stance: str | None = None, topic: str | None = None, group_state: bool = False,
                window_days: int = 7, min_similarity: float = 0.2,
                sketches: SketchCache | None = None) -> Iterator[Claim]:
    """``corroboration`` as a stream, each claim yielded once the date-ordered signals are past its window."""
    groups = ActorGroups(store, group_state)
    sketches = sketches or SketchCache(store)
    open_by_key: dict[tuple[str, str, str], list[_Open]] = {}
    closing: list[tuple[Any, int, _Open]] = []  # (last day a signal can join, sequence, claim)
    sequence = itertools.count()
    watermark = None
    for signal in stream_signals(store, actor, groups, since=since, until=until, stance=stance, topic=topic):
        item = _item(signal)
        if item is None:
            continue
        watermark = item.span.start if watermark is None else max(watermark, item.span.start)
        while closing and closing[0][0] < watermark:
            done = heapq.heappop(closing)[2]
            still_open = open_by_key[done.key]
            still_open.remove(done)
            if not still_open:
                del open_by_key[done.key]
            yield _finish(done, sketches)
        key = (groups.label(actor) if actor is not None and group_state else groups.label(item.actor),
               signal["stance"], signal["topic"])
        target = _best(open_by_key.get(key, ()), item, window_days, min_similarity)
        if target is not None:
            target.members.append(item)
            continue
        claim = _Open(key, item, [item])
        open_by_key.setdefault(key, []).append(claim)
        last_day = item.span.end + timedelta(days=window_days)
        heapq.heappush(closing, (last_day, next(sequence), claim))
    while closing:
        yield _finish(heapq.heappop(closing)[2], sketches)


def claim_for(store: Store, signal_id: int, group_state: bool = False, window_days: int = 7,
              min_similarity: float = 0.2, lookback_days: int | None = 28) -> Claim | None:
    """The claim holding one signal (the "corroborating reports" of a signal page), or None.

    Reads only that actor's signals of the same stance and topic, from
    ``lookback_days`` before the signal to ``window_days`` after it.  Claims
    are formed in date order, so later signals cannot change which claim it
    is in; earlier ones can only through a chain of claims each seeded
    within a window of the next, so a lookback of four windows gives the
    claim ``corroboration`` finds over the whole store in all but
    contrived cases.  ``lookback_days=None`` reads from the beginning (exact,
    slower for prolific actors).
    """
    signal = _signal_row(store, signal_id)
    if signal is None:
        return None
    span = signal_date(signal)
    if span is None:
        return None
    since = None if lookback_days is None else (span.start - timedelta(days=lookback_days)).isoformat()
    # The store filters and groups on corrected values alike (``store.corrections``, ``queries._as_corrected``).
    for claim in iter_claims(store, since=since, until=shifted(span, window_days), actor=signal["actor"],
                             stance=signal["stance"], topic=signal["topic"], group_state=group_state,
                             window_days=window_days, min_similarity=min_similarity):
        if int(signal_id) in claim.signal_ids:
            return claim
    return None


def _signal_row(store: Store, signal_id: int) -> dict[str, Any] | None:
    detail = store.signal(signal_id)
    if detail is None or detail.get("superseded_by"):
        return None
    return detail


def _item(signal: dict[str, Any]) -> _Item | None:
    span = signal_date(signal)
    if span is None or signal.get("not_a_signal"):  # an analyst said it is no position: it corroborates nothing
        return None
    terms = list(signal.get("terms") or [])
    key, name = origin_of(signal.get("origin") or "", signal.get("url") or "", signal.get("article_id") or "")
    return _Item(int(signal["id"]), signal.get("article_id") or "", signal.get("actor") or "", span,
                 tokens(signal.get("evidence") or "", *terms), key, name, signal.get("outlet") or "",
                 signal.get("evidence") or "", terms)


def _best(candidates: Any, item: _Item, window_days: int, min_similarity: float) -> _Open | None:
    best, best_score = None, -1.0
    for claim in candidates:
        if gap_days(claim.seed.span, item.span) > window_days:
            continue
        compared = [claim.seed, *claim.members[-_COMPARE_RECENT:]]
        score = max(jaccard(item.words, m.words) for m in compared)
        if score >= min_similarity and score > best_score:
            best, best_score = claim, score
    return best


def _finish(claim: _Open, sketches: SketchCache) -> Claim:
    items = claim.members
    article_ids = list(dict.fromkeys(i.article_id for i in items))
    # Union-find over origin keys: copies of one text merge the origins they were filed under.
    parent: dict[str, str] = {i.origin_key: i.origin_key for i in items}

    def root(k: str) -> str:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    copies: list[list[str]] = []
    if len(parent) > 1:
        origin_of_article = {}
        for i in items:
            origin_of_article.setdefault(i.article_id, i.origin_key)
        texts: list[tuple[Sequence[int], list[str]]] = []  # (representative sketch, article ids)
        for aid in article_ids:
            sk = sketches(aid)
            for rep, group in texts:
                if sk and resemblance(rep, sk) >= COPY_THRESHOLD:
                    group.append(aid)
                    break
            else:
                texts.append((sk, [aid]))
        for _, group in texts:
            if len(group) > 1:
                copies.append(group)
                first = root(origin_of_article[group[0]])
                for aid in group[1:]:
                    other = root(origin_of_article[aid])
                    if other != first:
                        parent[other] = first
    origins: dict[str, Origin] = {}
    for i in items:
        o = origins.setdefault(root(i.origin_key), Origin(i.origin_name))
        if i.origin_name not in o.names:
            o.names.append(i.origin_name)
        if i.article_id not in o.article_ids:
            o.article_ids.append(i.article_id)
        o.signal_ids.append(i.signal_id)
    first = min(items, key=lambda i: (i.span.start, i.span.end))
    last = max(items, key=lambda i: (i.span.end, i.span.start))
    actor, stance, topic = claim.key
    return Claim(
        actor=actor, stance=stance, topic=topic, first_date=first.span.text, last_date=last.span.text,
        signal_ids=[i.signal_id for i in items], article_ids=article_ids,
        outlets=list(dict.fromkeys(i.outlet for i in items if i.outlet)), origins=list(origins.values()),
        actors=list(dict.fromkeys(i.actor for i in items)), evidence=claim.seed.evidence,
        terms=list(dict.fromkeys(t for i in items for t in i.terms)), copies=copies,
    )
