"""What the signal model reads and predicts: one (candidate holder, sentence) pair per example.

The same function builds the pair text for training and for inference, so the two can never drift:
segment A names the candidate holder and the rule features that concern it; segment B is the
sentence, with the holder's own mention wrapped in « » when it is named there.

A model of the ``sentence`` shape reads the same pairs, taken apart again (``slot_of``): the sentence
without marks, where the holder is named in it, and its features.  It reads each sentence once, whatever
the number of its holders (``runtime.encode_sentences``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from backchannel.records import CHANNELS, NONE, STANCES, TOPICS

#: Label orders of the model's three heads; index i of a head's logits is label i.
STANCE_LABELS: tuple[str, ...] = (NONE, *STANCES)
TOPIC_LABELS: tuple[str, ...] = TOPICS
CHANNEL_LABELS: tuple[str, ...] = CHANNELS

OPEN_MARK, CLOSE_MARK = "«", "»"
#: The holder features a sentence-shaped model reads, in the order of its feature input
#: (``nlp/candidates.py`` says what each means).  A pair naming another is ignored by that model.
HOLDER_FEATURES: tuple[str, ...] = (
    "named", "subject", "speaker", "pronoun", "quoted", "sides", "phrase", "before",
    "party", "third_party", "unplaced", "no_conflict")
#: How segment A marks the previous sentence (``pair_text``'s ``context``).
CONTEXT_PREFIX = "before: "


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
        a = f"{a} ; {CONTEXT_PREFIX}{context}"
    return a, "".join(marked)


def unmarked(text: str) -> str:
    """A pair's sentence without the holder's marks: the same for every holder of the sentence."""
    return text.replace(OPEN_MARK, "").replace(CLOSE_MARK, "")


@dataclass(frozen=True)
class SentenceSlot:
    """One pair as a sentence-shaped model reads it: the sentence, the holder's mentions in it (character
    spans of ``sentence``) and the holder's features."""

    sentence: str
    mentions: tuple[tuple[int, int], ...]
    features: tuple[str, ...]


def slot_of(pair: tuple[str, str]) -> SentenceSlot:
    """Take a ``pair_text`` pair apart again.  Why from the pair and not from the candidate: every caller
    (extraction, the cascade, training's selection) already holds pairs, and a pair is all either shape
    needs.  A sentence that itself holds « or » loses them, as the pair model reads them as marks too."""
    text_a, text_b = pair
    parts = text_a.split(" ; ")
    features = tuple(f for f in parts[1:] if f in HOLDER_FEATURES)
    sentence: list[str] = []
    mentions: list[tuple[int, int]] = []
    length, opened = 0, -1
    for ch in text_b:
        if ch == OPEN_MARK:
            opened = length
        elif ch == CLOSE_MARK:
            if opened >= 0:
                mentions.append((opened, length))
            opened = -1
        else:
            sentence.append(ch)
            length += 1
    return SentenceSlot("".join(sentence), tuple(mentions), features)
