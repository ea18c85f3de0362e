"""Score candidate pairs in two steps: the cheap linear scorer first, the encoder only where it could matter.

Why: in a war article the encoder is most of the extraction's cost (about 300 pairs/s on one core, while
the TF-IDF scorer reads over 15,000), and most candidate pairs are plainly not a position.  The shipped
decision mixes the two scorers' stance probabilities; a pair whose linear stance probabilities are all
below ``LINEAR_FLOOR`` would need the encoder to be nearly certain against the linear scorer to become a
signal.  Measured on 80 train articles (8,022 pairs, 975 signals), skipping the encoder for those pairs
skipped 65% of the encoder's work and lost no signal (at 0.15 it lost 5).  The floor was chosen on the
train split only; the dev figures of both modes are in bench/README.md.

A sentence-shaped model (``model/runtime.py``) reads a sentence once for all its holders, so there the
unit skipped is the sentence: one whose every pair the linear scorer rules out.  The other holders of a
sentence that is read get their real scores, which cost nothing more.

Only the default (gated) mode uses it; ``--full-parse`` and ``--all-articles`` score every pair with both,
as before.  A pair that skips the encoder gets the stance of an encoder certain of ``none`` mixed with
the linear scorer's: below the threshold, so the same decision as the skip, and its topic and channel are
never read.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING

from ..model.examples import NONE, unmarked
from ..model.linear import mix

if TYPE_CHECKING:
    from ..model.runtime import PairModel, PairScores

#: A pair goes to the encoder when the linear scorer gives one of the stances at least this probability.
LINEAR_FLOOR = 0.1


def cascade_scores(model: PairModel, pairs: Sequence[tuple[str, str]], floor: float = LINEAR_FLOOR,
                   always: Collection[int] = ()) -> list[PairScores]:
    """``model.predict(pairs)``, with the encoder run only on the pairs the linear scorer does not rule out
    and on those at the indexes ``always`` (the pairs the grammar rules read a stance for: the decision may
    settle them by the encoder's ranking, ``decision.confirmed_by_rule``, so that ranking must be real)."""
    if model.linear is None or not model.linear_weight:
        return model.predict(pairs)
    from ..model.runtime import HEADS, PairScores

    linear = model.linear.predict(pairs)
    wanted = [i for i, lin in enumerate(linear)
              if i in always or max(v for k, v in lin.items() if k != NONE) >= floor]
    if model.shape == "sentence":
        read = {unmarked(pairs[i][1]) for i in wanted}
        wanted = [i for i, pair in enumerate(pairs) if unmarked(pair[1]) in read]
    encoded = dict(zip(wanted, model.encoder_scores([pairs[i] for i in wanted]), strict=True))
    certain_none = {k: float(k == NONE) for k in HEADS["stance"]}
    flat = {head: {k: 1.0 / len(labels) for k in labels} for head, labels in HEADS.items()}
    out = []
    for i, lin in enumerate(linear):
        enc = encoded.get(i)
        if enc is None:
            out.append(PairScores(mix(certain_none, lin, model.linear_weight), flat["topic"], flat["channel"]))
        else:
            out.append(PairScores(mix(enc.stance, lin, model.linear_weight), enc.topic, enc.channel))
    return out
