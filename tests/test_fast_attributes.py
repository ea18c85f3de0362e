"""The fast attribute-ruler matcher finds exactly what spaCy's Matcher finds, so the pipeline's tags,
POS, morphology and lemmas are the same with it."""

from __future__ import annotations

import spacy

from backchannel.nlp.fast_attributes import FastTokenMatcher, install
from backchannel.nlp.loading import available_model

TEXTS = [
    "Sudan's army said on Thursday it would not join talks in Jeddah.\n\n\"We ain't gonna stop,\" a "
    "commander told reporters, adding that there was nothin' to discuss.  The RSF said it had accepted "
    "the truce proposed by the United States and Saudi Arabia.",
    "Qatar's prime minister, who has been mediating since 2023, said Hamas and Israel were close to a deal "
    "-- but 'not there yet'. Officials can't confirm that hostages will be freed; I'm not sure, he said.",
    "   Leading spaces, a tab\there, numbers like 3.5 and 1,200, e-mail me at desk@example.org!\n\nEnd.",
    "",
]


def test_fast_matcher_finds_exactly_the_matchers_matches():
    nlp = spacy.load(available_model())
    ruler = nlp.get_pipe("attribute_ruler")
    fast = FastTokenMatcher(ruler.matcher, ruler.patterns, nlp.vocab)
    with nlp.select_pipes(disable=["attribute_ruler", "lemmatizer", "ner"]):
        docs = list(nlp.pipe(TEXTS))
    total = 0
    for doc in docs:
        expected = sorted(set(ruler.matcher(doc, allow_missing=True, as_spans=False)))
        got = sorted(fast(doc, allow_missing=True))
        assert got == expected, doc.text
        total += len(got)
    assert total > sum(len(d) for d in docs)  # every token has its tag-map rule, some have more
    two_token = {(s, e) for d in docs for _, s, e in fast(d, allow_missing=True) if e - s == 2}
    assert two_token  # "gon na" and "ai n't": the multi-token patterns ran too


def test_pipeline_annotations_are_the_same_with_the_fast_matcher():
    plain, fast = spacy.load(available_model()), spacy.load(available_model())
    assert install(fast)
    assert isinstance(fast.get_pipe("attribute_ruler").matcher, FastTokenMatcher)
    assert fast.get_pipe("attribute_ruler").patterns == plain.get_pipe("attribute_ruler").patterns
    for a, b in zip(plain.pipe(TEXTS), fast.pipe(TEXTS), strict=True):
        assert [(t.tag_, t.pos_, str(t.morph), t.lemma_) for t in a] == [
            (t.tag_, t.pos_, str(t.morph), t.lemma_) for t in b]
