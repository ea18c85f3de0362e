"""What the signal model reads and predicts: one (candidate holder, sentence) pair per example.

The same function builds the pair text for training and for inference, so the two can never drift:
segment A names the candidate holder and the rule features that concern it; segment B is the
sentence, with the holder's own mention wrapped in « » when it is named there.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from backchannel.records import CHANNELS, NONE, STANCES, TOPICS

#: Label orders of the model's three heads; index i of a head's logits is label i.
STANCE_LABELS: tuple[str, ...] = (NONE, *STANCES)
TOPIC_LABELS: tuple[str, ...] = TOPICS
CHANNEL_LABELS: tuple[str, ...] = CHANNELS

OPEN_MARK, CLOSE_MARK = "«", "»"


@dataclass(frozen=True)
class PairExample:
    """One training or scoring example.  ``topic`` and ``channel`` are empty when ``stance`` is none."""

    text_a: str
    text_b: str
    stance: str = NONE
    topic: str = ""
    channel: str = ""
    article: str = ""  # corpus id, for splits by article and for error analysis
    features: tuple[str, ...] = field(default_factory=tuple)


def pair_text(holder: str, features: tuple[str, ...], sentence: str, sentence_start: int,
              mentions: list[tuple[int, int]], context: str = "") -> tuple[str, str]:
    """Segment A: "holder ; feature ; feature"; segment B: the sentence with the holder's mentions marked.

    ``mentions`` are character spans in the document; ``sentence_start`` maps them into ``sentence``.
    ``context`` (the previous sentence, when the holder is not named in this one) is prepended to
    segment A so the model can see where a pronoun or an unnamed speaker points.
    """
    marked, last = [], 0
    for start, end in sorted(mentions):
        s, e = start - sentence_start, end - sentence_start
        if s < last or s < 0 or e > len(sentence):
            continue
        marked += [sentence[last:s], OPEN_MARK, sentence[s:e], CLOSE_MARK]
        last = e
    marked.append(sentence[last:])
    a = " ; ".join([holder, *features])
    if context:
        a = f"{a} ; before: {context}"
    return a, "".join(marked)
