"""Attribution rules on sentences written for these tests (real events, our own words)."""

from __future__ import annotations


def by_cue(result, cue_word: str):
    return [a for a in result.attributions if cue_word in a.cue]


def test_indirect_speech_told_an_outlet_gives_a_via_chain(extract):
    r = extract("Two Sudanese officials told Reuters that the army would not attend the talks in Jeddah.")
    (a,) = by_cue(r, "told")
    assert a.speaker == "Two Sudanese officials"
    assert a.speaker_kind == "anonymous"
    assert a.kind == "indirect"
    assert a.via == ["Reuters"]
    assert a.content.startswith("the army would not attend the talks")
    text = r.article.text
    assert text[a.content_span[0] : a.content_span[1]] == a.content
    assert text[a.speaker_span[0] : a.speaker_span[1]] == "Two Sudanese officials"


def test_direct_quote_before_the_cue(extract):
    r = extract("“We are ready for a ceasefire tomorrow,” Hun Manet said on Monday.")
    (a,) = by_cue(r, "said")
    assert a.kind == "direct"
    assert a.content.startswith("We are ready for a ceasefire tomorrow")
    assert "Hun Manet" in a.speaker
    assert a.speaker_kind == "named"


def test_quote_split_by_its_cue_keeps_both_halves(extract):
    r = extract("‘The truce, one of the mediators said, does not cover the Red Sea.’")
    (a,) = r.attributions
    assert a.speaker == "one of the mediators"
    assert a.speaker_kind == "anonymous"
    assert a.content.startswith("The truce") and a.content.rstrip(".").endswith("Red Sea")


def test_according_to_an_outlet(extract):
    r = extract("According to the Financial Times, Kyiv has proposed a maritime truce in the Black Sea.")
    (a,) = by_cue(r, "according to")
    assert a.speaker_kind == "outlet"
    assert "Kyiv has proposed a maritime truce" in a.content


def test_passive_reporting_is_said_to(extract):
    text = (
        "The Washington Post reported that the envoy had met Houthi negotiators in Muscat. "
        "Witkoff is said to have told them that shipping attacks must stop first."
    )
    r = extract(text)
    (a,) = by_cue(r, "said to")
    assert "Witkoff" in a.speaker
    assert a.via == ["The Washington Post"]


def test_pronoun_speaker_resolves_to_the_person(extract):
    text = "Volodymyr Zelenskyy arrived in Jeddah on Monday. He said Ukraine was ready to accept a 30-day ceasefire."
    r = extract(text)
    (a,) = by_cue(r, "said")
    assert a.speaker == "Volodymyr Zelenskyy"
    assert a.speaker_kind == "named"


def test_statement_inside_a_reported_quote_inherits_the_chain(extract):
    text = (
        "A former diplomat told The New York Times: ‘One of the Kremlin aides said, “we can stop at the "
        "current lines”, and he meant it.’"
    )
    r = extract(text)
    inner = [a for a in r.attributions if a.speaker == "One of the Kremlin aides"]
    assert inner and inner[0].via[-1] == "The New York Times"


def test_a_date_glued_to_the_speaker_is_dropped_and_a_person_is_no_outlet_context(extract):
    text = (
        "On Saturday Donald Trump said he had told both leaders that trade talks would wait while the war "
        "went on. Two diplomats said Thai officials had signalled privately that they would attend."
    )
    r = extract(text)
    trump = [a for a in r.attributions if a.cue == "said" and "Trump" in a.speaker]
    assert trump and trump[0].speaker == "Donald Trump"
    diplomats = [a for a in r.attributions if a.speaker == "Two diplomats"]
    assert diplomats and diplomats[0].via == []
