"""The spaCy components, registered in one place with their default config.

``nlp.add_pipe("backchannel_signals")`` is all a user needs in their own
pipeline (it runs the attribution rules itself when
``backchannel_attributions`` is not in the pipeline).  Results are stored on
the Doc as plain dicts (``doc._.backchannel``) so that Docs stay serialisable
for ``nlp.pipe(n_process=...)`` and DocBin.
"""

from __future__ import annotations

import os
from dataclasses import asdict
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from spacy.language import Language
from spacy.tokens import Doc, Span

from ..errors import ModelError
from ..records import STANCES, Signal
from .attribution import FoundAttribution, extract_attributions
from .candidates import find_candidates
from .cascade import cascade_scores
from .conflicts import ConflictRegistry
from .context import DocContext, article_text
from .decision import Threshold, decide, explain, to_signals
from .origins import origins_of
from .registry import ActorRegistry
from .scope import about_war
from .sentindex import forget
from .signals import extract_signals

#: A data registry a user's file extends (``ActorRegistry``, ``ConflictRegistry``: ``default``, ``from_file``,
#: ``extended``).
T = TypeVar("T", ActorRegistry, ConflictRegistry)

for _name, _default in (("bc_published", ""), ("bc_outlet", ""), ("bc_title", ""), ("bc_found", None), ("backchannel", None)):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=_default)


#: ``doc.user_data`` key set by the extractor in its default mode, where only what can hold a signal is parsed
#: (``nlp/subset.py``) and the encoder reads only the pairs the linear scorer does not rule out (``nlp/cascade.py``).
GATED = "bc_gated"
#: ``doc.user_data`` key set by the extractor when it has already asked the model's article filter and the
#: article passed (``Extractor._may_parse``): the component does not score the article a second time.
ARTICLE_PASSED = "bc_article_passed"


def require_parse(doc: Doc) -> None:
    """The rules read the dependency parse; a pipeline without a parser cannot run them."""
    if len(doc) and not doc.has_annotation("DEP"):
        raise ModelError(
            "backchannel components need a dependency parse: add them after 'parser' in an English "
            "pipeline such as en_core_web_sm"
        )


def registry_for(actors_file: str) -> ActorRegistry:
    """The bundled actor registry, extended by a user's ``--actors`` file when one is given."""
    return _with_user_file(ActorRegistry, actors_file)


def conflicts_for(conflicts_file: str) -> ConflictRegistry:
    """The bundled conflicts, extended by a user's ``--conflicts`` file when one is given."""
    return _with_user_file(ConflictRegistry, conflicts_file)


def _with_user_file(kind: type[T], path: str) -> T:
    """``kind.default()``, extended by ``kind.from_file(path)`` when a path is given (cached per file and
    modification time, so an edited file is read again in a long-running process; a missing file is
    reported by ``from_file`` with its name)."""
    if not path:
        return kind.default()
    return _extended(kind, path, _mtime(Path(path)))


@lru_cache(maxsize=16)
def _extended(kind: type[T], path: str, mtime: int) -> T:
    del mtime  # part of the cache key only
    return kind.default().extended(kind.from_file(path))


class AttributionComponent:
    """Finds attributions; leaves them on ``doc._.bc_found`` for the signal component."""

    def __init__(self, nlp: Language, name: str, actors_file: str, conflicts_file: str = "") -> None:
        self.name = name
        self.nlp = nlp
        self.registry = registry_for(actors_file)
        self.conflicts = conflicts_for(conflicts_file)

    def __call__(self, doc: Doc) -> Doc:
        require_parse(doc)
        ctx = DocContext.build(doc, self.registry, doc._.bc_published, doc._.bc_outlet, doc._.bc_title,
                               self.conflicts)
        found = extract_attributions(ctx)
        doc._.backchannel = {"attributions": [f.record.to_dict() for f in found], "signals": []}
        # hand the working objects to the signal component only when it runs next; a Doc leaving the
        # pipeline must hold plain data (DocBin, n_process)
        names = self.nlp.pipe_names
        following = names[names.index(self.name) + 1 :] if self.name in names else []
        signals_follow = "backchannel_signals" in following or "backchannel_decision" in following
        doc._.bc_found = (ctx, found) if signals_follow else None
        forget(doc)
        return doc


class SignalComponent:
    """Finds signals; runs the attribution rules first when no attribution component ran."""

    def __init__(self, nlp: Language, name: str, actors_file: str, conflicts_file: str = "") -> None:
        self.name = name
        self.registry = registry_for(actors_file)
        self.conflicts = conflicts_for(conflicts_file)

    def __call__(self, doc: Doc) -> Doc:
        require_parse(doc)
        ctx, attributions = found_or_built(doc, self.registry, self.conflicts)
        signals = extract_signals(ctx, attributions)
        doc._.backchannel = {
            "attributions": [f.record.to_dict() for f in attributions],
            "signals": [s.to_dict() for s in signals],
            "actors": actor_infos(self.registry, signals),
            "origins": origins_of((s.sources for s in signals), ctx.outlet, ctx.title, article_text(doc), self.registry),
        }
        doc._.bc_found = None  # drop the working objects: the Doc must stay serialisable
        forget(doc)
        return doc


class DecisionComponent:
    """Finds signals with the learned model: candidate pairs (``candidates.py``) scored by the encoder,
    decided above the model's threshold (``decision.py``).  Replaces ``backchannel_signals``; the
    attributions still come from the attribution rules.  ``doc.spans["bc_candidates"]`` keeps the
    candidate sentences, labelled with the decided stance or ``none``."""

    def __init__(self, nlp: Language, name: str, actors_file: str, model_dir: str, threshold: float,
                 quantized: bool, conflicts_file: str = "") -> None:
        self.name = name
        self.registry = registry_for(actors_file)
        self.conflicts = conflicts_for(conflicts_file)
        self.model = load_model(model_dir, quantized, _mtime(Path(model_dir) / "model.onnx"))
        self.threshold: Threshold = threshold if threshold > 0 else card_threshold(self.model.card,
                                                                                  Path(model_dir) / "card.json")

    def __call__(self, doc: Doc) -> Doc:
        require_parse(doc)
        ctx, attributions = found_or_built(doc, self.registry, self.conflicts)
        candidates = find_candidates(ctx, attributions) if about_war(doc) and self.article_relevant(doc) else []
        relevance = self.model.relevance
        sentences = {c.sent.start: c.sent.text for c in candidates}  # each candidate sentence scored once
        sentence_score = dict(zip(sentences, relevance.sentence_scores(list(sentences.values())), strict=True))
        # a pair below the sentence floor can become a signal only through the grammar (``decision.filtered``):
        # the others are not worth the encoder's time, and leaving them out changes no decision
        live = [c for c in candidates if c.rule is not None or sentence_score[c.sent.start] >= relevance.sentence_floor]
        pairs = [c.pair() for c in live]
        if not pairs:
            scores = []
        elif doc.user_data.get(GATED):
            ruled = {i for i, c in enumerate(live) if c.rule is not None}
            scores = cascade_scores(self.model, pairs, always=ruled)
        else:
            scores = self.model.predict(pairs)
        decisions = decide(live, scores, self.threshold, [sentence_score[c.sent.start] for c in live],
                           relevance.sentence_floor, relevance.holder_ratio)
        signals = to_signals(ctx, attributions, decisions)
        best: dict[int, str] = {}
        for d in sorted(decisions, key=lambda d: -d.probability):
            best.setdefault(d.candidate.sent.start, d.stance)
        doc.spans["bc_candidates"] = [Span(doc, start, end, label=best.get(start, "none"))
                                      for start, end in sorted({(c.sent.start, c.sent.end) for c in candidates})]
        doc._.backchannel = {
            "attributions": [f.record.to_dict() for f in attributions],
            "signals": [s.to_dict() for s in signals],
            "explanations": [explain(d, s) for d, s in zip(decisions, signals, strict=True)],
            "actors": actor_infos(self.registry, signals),
            "origins": origins_of((s.sources for s in signals), ctx.outlet, ctx.title, article_text(doc), self.registry),
        }
        doc._.bc_found = None
        forget(doc)
        return doc


    def article_relevant(self, doc: Doc) -> bool:
        """Whether the model's article filter lets the article through (``model/relevance.py``): read from
        the whole article's text and title, so a Doc of the gated sentences answers as the full one does."""
        if doc.user_data.get(ARTICLE_PASSED):
            return True
        return self.model.relevance.article_relevant(doc._.bc_title or "", article_text(doc))


def card_threshold(card: dict, path: Path) -> Threshold:
    """The card's decision threshold: its ``stance_thresholds`` (one per stance, chosen end to end on the
    validation articles by ``training.stance_thresholds``) when it has them, else its one ``threshold``."""
    per_stance = card.get("stance_thresholds")
    if per_stance is not None:
        if not (isinstance(per_stance, dict) and set(per_stance) <= set(STANCES) and all(
                isinstance(v, (int, float)) and not isinstance(v, bool) and 0 < v <= 1 for v in per_stance.values())):
            raise ModelError(f"{path}: stance_thresholds must map stance labels to numbers in (0, 1]")
        return {k: float(v) for k, v in per_stance.items()}
    single = card.get("threshold")
    if not isinstance(single, (int, float)) or isinstance(single, bool):
        raise ModelError(f"{path}: no decision threshold (write the model with `backchannel train`, or give the "
                         "component a threshold)")
    return float(single)


def found_or_built(doc: Doc, registry: ActorRegistry,
                   conflicts: ConflictRegistry | None = None) -> tuple[DocContext, list[FoundAttribution]]:
    """The attribution component's working objects, or the same built here when it did not run first."""
    found: tuple[DocContext, list[FoundAttribution]] | None = doc._.bc_found
    if found is None:
        ctx = DocContext.build(doc, registry, doc._.bc_published, doc._.bc_outlet, doc._.bc_title, conflicts)
        found = (ctx, extract_attributions(ctx))
    return found


def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0  # the reader (PairModel, the registries' from_file) reports the missing file with its name


@lru_cache(maxsize=4)
def load_model(model_dir: str, quantized: bool = False, mtime: int = 0):
    """The pair model of a folder (cached per folder, precision and modification time: one session per
    process, and a model retrained into the same folder is read again).  It scores on every core of
    the machine, unless ``BACKCHANNEL_MODEL_THREADS`` says otherwise: worker processes set it to 1, as
    they already share the cores among themselves."""
    del mtime  # part of the cache key only
    from ..model.runtime import PairModel

    threads = int(os.environ.get("BACKCHANNEL_MODEL_THREADS") or os.cpu_count() or 1)
    return PairModel(Path(model_dir), quantized=quantized, threads=threads)


@Language.component("backchannel_paragraphs")
def paragraph_boundaries(doc: Doc) -> Doc:
    """A line break ends a sentence: headlines, datelines and pull quotes must not run into the next line.

    Runs before the parser, which keeps sentence starts that are already set.
    """
    for tok in doc[1:]:
        prev = doc[tok.i - 1]
        if "\n" in prev.whitespace_ or (prev.is_space and "\n" in prev.text):
            tok.is_sent_start = True
    return doc


@Language.factory("backchannel_attributions", default_config={"actors_file": "", "conflicts_file": ""})
def make_attribution_component(nlp: Language, name: str, actors_file: str,
                               conflicts_file: str) -> AttributionComponent:
    return AttributionComponent(nlp, name, actors_file, conflicts_file)


@Language.factory("backchannel_decision",
                  default_config={"actors_file": "", "model_dir": "", "threshold": 0.0, "quantized": False,
                                  "conflicts_file": ""},
                  assigns=["doc._.backchannel", "doc.spans"])
def make_decision_component(nlp: Language, name: str, actors_file: str, model_dir: str,
                            threshold: float, quantized: bool, conflicts_file: str) -> DecisionComponent:
    return DecisionComponent(nlp, name, actors_file, model_dir, threshold, quantized, conflicts_file)


@Language.factory("backchannel_signals", default_config={"actors_file": "", "conflicts_file": ""})
def make_signal_component(nlp: Language, name: str, actors_file: str, conflicts_file: str) -> SignalComponent:
    return SignalComponent(nlp, name, actors_file, conflicts_file)


def actor_infos(registry: ActorRegistry, signals: list[Signal]) -> list[dict[str, Any]]:
    """``ActorRegistry.info`` of each signal's actor, as plain dicts (a Doc holds plain data)."""
    return [asdict(registry.info(name)) for name in dict.fromkeys(s.actor for s in signals)]


def results_of(doc: Doc) -> dict[str, Any]:
    """The attributions, signals, their actors (``actor_infos``) and origins (``nlp.origins``) the components
    left on a Doc, as plain data."""
    return doc._.backchannel or {"attributions": [], "signals": [], "actors": [], "origins": []}
