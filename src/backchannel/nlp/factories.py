"""The spaCy components, registered in one place with their default config.

``nlp.add_pipe("backchannel_signals")`` is all a user needs in their own
pipeline (it runs the attribution rules itself when
``backchannel_attributions`` is not in the pipeline).  Results are stored on
the Doc as plain dicts (``doc._.backchannel``) so that Docs stay serialisable
for ``nlp.pipe(n_process=...)`` and DocBin.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from ..errors import ModelError
from .attribution import FoundAttribution, extract_attributions
from .context import DocContext
from .registry import ActorRegistry
from .sentindex import forget
from .signals import extract_signals

for _name, _default in (("bc_published", ""), ("bc_outlet", ""), ("bc_title", ""), ("bc_found", None), ("backchannel", None)):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=_default)


def require_parse(doc: Doc) -> None:
    """The rules read the dependency parse; a pipeline without a parser cannot run them."""
    if len(doc) and not doc.has_annotation("DEP"):
        raise ModelError(
            "backchannel components need a dependency parse: add them after 'parser' in an English "
            "pipeline such as en_core_web_sm"
        )


def registry_for(actors_file: str) -> ActorRegistry:
    """The bundled registry, extended by a user's file when one is given (cached per file and
    modification time, so an edited file is read again in a long-running process)."""
    if not actors_file:
        return ActorRegistry.default()
    try:
        mtime = os.stat(actors_file).st_mtime_ns
    except OSError:
        mtime = 0  # from_file reports the problem with the file's name
    return _registry_for(actors_file, mtime)


@lru_cache(maxsize=8)
def _registry_for(actors_file: str, mtime: int) -> ActorRegistry:
    del mtime  # part of the cache key only
    return ActorRegistry.default().extended(ActorRegistry.from_file(actors_file))


class AttributionComponent:
    """Finds attributions; leaves them on ``doc._.bc_found`` for the signal component."""

    def __init__(self, nlp: Language, name: str, actors_file: str) -> None:
        self.name = name
        self.nlp = nlp
        self.registry = registry_for(actors_file)

    def __call__(self, doc: Doc) -> Doc:
        require_parse(doc)
        ctx = DocContext.build(doc, self.registry, doc._.bc_published, doc._.bc_outlet, doc._.bc_title)
        found = extract_attributions(ctx)
        doc._.backchannel = {"attributions": [f.record.to_dict() for f in found], "signals": []}
        # hand the working objects to the signal component only when it runs next; a Doc leaving the
        # pipeline must hold plain data (DocBin, n_process)
        names = self.nlp.pipe_names
        signals_follow = "backchannel_signals" in names[names.index(self.name) + 1 :] if self.name in names else False
        doc._.bc_found = (ctx, found) if signals_follow else None
        forget(doc)
        return doc


class SignalComponent:
    """Finds signals; runs the attribution rules first when no attribution component ran."""

    def __init__(self, nlp: Language, name: str, actors_file: str) -> None:
        self.name = name
        self.registry = registry_for(actors_file)

    def __call__(self, doc: Doc) -> Doc:
        require_parse(doc)
        found: tuple[DocContext, list[FoundAttribution]] | None = doc._.bc_found
        if found is None:
            ctx = DocContext.build(doc, self.registry, doc._.bc_published, doc._.bc_outlet, doc._.bc_title)
            found = (ctx, extract_attributions(ctx))
        ctx, attributions = found
        signals = extract_signals(ctx, attributions)
        doc._.backchannel = {
            "attributions": [f.record.to_dict() for f in attributions],
            "signals": [s.to_dict() for s in signals],
        }
        doc._.bc_found = None  # drop the working objects: the Doc must stay serialisable
        forget(doc)
        return doc


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


@Language.factory("backchannel_attributions", default_config={"actors_file": ""})
def make_attribution_component(nlp: Language, name: str, actors_file: str) -> AttributionComponent:
    return AttributionComponent(nlp, name, actors_file)


@Language.factory("backchannel_signals", default_config={"actors_file": ""})
def make_signal_component(nlp: Language, name: str, actors_file: str) -> SignalComponent:
    return SignalComponent(nlp, name, actors_file)


def results_of(doc: Doc) -> dict[str, Any]:
    """The attributions and signals the components left on a Doc, as plain dicts."""
    return doc._.backchannel or {"attributions": [], "signals": []}
