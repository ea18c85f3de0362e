"""Turn an annotator's draft (quoted words) into an annotation file (spans).

A draft is the gold format of docs/SCHEMA.md, as in the shared examples, plus the
article ``id``, the ``annotator`` and ``attributions_annotated``: evidence,
evidence_alt, terms and attribution content are the words copied from the
text.  Anchoring finds each quote in the text (see ``spans``) and keeps only
its offsets, so the annotation file holds no text.  A quote that cannot be
found is a problem for the annotator to fix, never a silent guess.  Terms and
alternative evidence are looked for nearest to their signal's evidence.
"""

from __future__ import annotations

from typing import Any

from backchannel.corpus.spans import TextIndex
from backchannel.corpus.texts import CorpusArticle, text_sha256


def _quote(where: str, value: Any, index: TextIndex, problems: list[str],
           near: int | None = None) -> list[int] | None:
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{where}: must be words copied from the text")
        return None
    span = index.find(value, near)
    if span is None:
        short = value if len(value) <= 80 else value[:77] + "..."
        problems.append(f"{where}: not found in the text: {short!r}")
        return None
    return [span[0], span[1]]


def anchor(draft: dict[str, Any], article: CorpusArticle) -> tuple[dict[str, Any], list[str]]:
    """The annotation for ``draft`` and the problems found; the annotation is usable only without problems."""
    index = TextIndex(article.text)
    problems: list[str] = []
    signals = []
    for i, sig in enumerate(draft.get("signals") or []):
        sid = sig.get("id") or f"s{i + 1}"
        where = f"signal {sid}"
        evidence = _quote(f"{where}.evidence", sig.get("evidence"), index, problems)
        near = evidence[0] if evidence else None
        alts = [_quote(f"{where}.evidence_alt[{j}]", a, index, problems, near)
                for j, a in enumerate(sig.get("evidence_alt") or [])]
        terms = [_quote(f"{where}.terms[{j}]", t, index, problems, near)
                 for j, t in enumerate(sig.get("terms") or [])]
        signals.append({
            "id": sid,
            "actor": sig.get("actor"),
            "aliases": sig.get("aliases") or ([sig["actor"]] if sig.get("actor") else []),
            "stance": sig.get("stance"),
            "topic": sig.get("topic"),
            "channel": sig.get("channel"),
            "terms": [t for t in terms if t],
            "when": sig.get("when") or "",
            "sources": sig.get("sources") or [],
            "evidence": evidence,
            "evidence_alt": [a for a in alts if a],
        })
    attributions = []
    for i, att in enumerate(draft.get("attributions") or []):
        aid = att.get("id") or f"a{i + 1}"
        content = _quote(f"attribution {aid}.content", att.get("content"), index, problems)
        attributions.append({
            "id": aid,
            "speaker": att.get("speaker"),
            "aliases": att.get("aliases") or ([att["speaker"]] if att.get("speaker") else []),
            "speaker_kind": att.get("speaker_kind"),
            "cue": att.get("cue"),
            "content": content,
            "kind": att.get("kind"),
            "via": att.get("via") or [],
        })
    annotator = draft.get("annotator")
    annotation = {
        "id": article.id,
        "sha256": text_sha256(article.text),
        "annotators": [annotator] if isinstance(annotator, str) else list(annotator or []),
        "attributions_annotated": bool(draft.get("attributions_annotated", bool(attributions))),
        "signals": signals,
        "attributions": attributions,
    }
    if draft.get("adjudicated"):
        annotation["adjudicated"] = True
    return annotation, problems
