"""A faster matcher for spaCy's ``attribute_ruler``: the same matches, found with dictionary lookups.

en_core_web_sm's attribute ruler (tag -> POS mapping and a few lemma exceptions) holds 180 patterns,
almost all of one token, and runs them through the general ``Matcher``, which checks every pattern
at every token: some 10-25 ms of a ~150 ms parse of a 600-word article.  Here each one-token pattern
is filed under the value it requires (its TAG or LOWER), so a token is checked only against the few
patterns that can match it; the handful of two-token patterns stay with a ``Matcher`` of their own.
The ruler itself is untouched (it still sorts the matches and sets the attributes), so the output is
the same by construction; ``tests/test_fast_attributes.py`` compares the two matchers token by token.

Patterns outside the supported subset (an operator, an attribute other than TAG, LOWER, DEP or
IS_SPACE, a predicate other than IN, NOT_IN or REGEX) make ``install`` leave the ruler as it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from spacy.attrs import DEP, IS_SPACE, LOWER, TAG
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Token

_ATTRS: dict[str, Callable[[Token], Any]] = {
    "TAG": lambda t: t.tag_,
    "LOWER": lambda t: t.lower_,
    "DEP": lambda t: t.dep_,
    "IS_SPACE": lambda t: t.is_space,
}
#: A pattern that requires a value of one of these is filed under it (in this order of preference).
_INDEXED = ("TAG", "LOWER", "DEP", "IS_SPACE")


class UnsupportedPattern(ValueError):
    """A pattern this matcher does not implement; the original Matcher is kept."""


def _predicate(attr: str, spec: Any) -> Callable[[Token], bool]:
    get = _ATTRS.get(attr)
    if get is None:
        raise UnsupportedPattern(attr)
    if not isinstance(spec, dict):
        return lambda t: get(t) == spec
    if len(spec) != 1:
        raise UnsupportedPattern(str(spec))
    ((op, value),) = spec.items()
    if op == "IN":
        allowed = frozenset(value)
        return lambda t: get(t) in allowed
    if op == "NOT_IN":
        banned = frozenset(value)
        return lambda t: get(t) not in banned
    if op == "REGEX":
        pattern = re.compile(value)
        return lambda t: pattern.search(get(t)) is not None
    raise UnsupportedPattern(op)


class FastTokenMatcher:
    """Drop-in for the ruler's ``Matcher``: ``__call__(doc, allow_missing=..., as_spans=False)``; anything
    else (``get``, ``__len__``, serialisation) is answered by the original matcher."""

    def __init__(self, original: Matcher, patterns: list[dict[str, Any]], vocab: Any) -> None:
        self.original = original
        #: (attribute, hash of the value) -> [(rule key, test of the other conditions or None)]
        self._indexed: dict[tuple[str, int], list[tuple[int, Callable[[Token], bool] | None]]] = {}
        self._unindexed: list[tuple[int, Callable[[Token], bool]]] = []
        self._long = Matcher(vocab)
        for rule_index, rule in enumerate(patterns):
            key = vocab.strings.add(str(rule_index))  # the ruler's own key for this rule
            for pattern in rule["patterns"]:
                if len(pattern) != 1:
                    self._long.add(key, [pattern])
                else:
                    self._file(key, dict(pattern[0]), vocab)

    def _file(self, key: int, conditions: dict[str, Any], vocab: Any) -> None:
        """File a one-token pattern under the values one of its conditions requires."""
        values: list[tuple[str, int]] = []
        for attr in _INDEXED:
            spec = conditions.get(attr)
            if isinstance(spec, bool):
                values = [(attr, int(spec))]
            elif isinstance(spec, str):
                values = [(attr, vocab.strings.add(spec))]
            elif isinstance(spec, dict) and list(spec) == ["IN"]:
                values = [(attr, vocab.strings.add(v)) for v in spec["IN"]]
            else:
                continue
            del conditions[attr]  # guaranteed by where the pattern is filed
            break
        checks = [_predicate(attr, spec) for attr, spec in conditions.items()]
        if not values:
            self._unindexed.append((key, _all(checks) if checks else (lambda t: True)))
            return
        test = _all(checks) if checks else None
        for value in values:
            self._indexed.setdefault(value, []).append((key, test))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.original, name)

    def __call__(self, doc: Doc, allow_missing: bool = False, as_spans: bool = False) -> list[tuple[int, int, int]]:
        if as_spans:
            return self.original(doc, allow_missing=allow_missing, as_spans=True)
        found: set[tuple[int, int, int]] = set()
        indexed, unindexed = self._indexed, self._unindexed
        if len(doc):
            columns = doc.to_array([TAG, LOWER, DEP, IS_SPACE]).T.tolist()
            for i, (tag, lower, dep, space) in enumerate(zip(*columns, strict=True)):
                for candidates in (indexed.get(("TAG", tag)), indexed.get(("LOWER", lower)),
                                   indexed.get(("DEP", dep)), indexed.get(("IS_SPACE", space))):
                    if candidates:
                        for key, test in candidates:
                            if test is None or test(doc[i]):
                                found.add((key, i, i + 1))
            if unindexed:
                for tok in doc:
                    for key, test in unindexed:
                        if test(tok):
                            found.add((key, tok.i, tok.i + 1))
        if len(self._long):
            found.update(self._long(doc, allow_missing=allow_missing))
        return sorted(found, key=lambda m: (m[1], m[2], m[0]))


def _all(checks: list[Callable[[Token], bool]]) -> Callable[[Token], bool]:
    if len(checks) == 1:
        return checks[0]
    return lambda t: all(check(t) for check in checks)


def install(nlp: Language) -> bool:
    """Give the pipeline's attribute ruler the fast matcher; False (and nothing changed) when its patterns
    are outside what the fast matcher implements."""
    if "attribute_ruler" not in nlp.pipe_names:
        return False
    ruler = nlp.get_pipe("attribute_ruler")
    try:
        ruler.matcher = FastTokenMatcher(ruler.matcher, ruler.patterns, nlp.vocab)
    except UnsupportedPattern:
        return False
    return True
