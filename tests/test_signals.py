"""Signal rules: stance, negation, hedges, several parties, channel, sources, when, repeats."""

from __future__ import annotations


def sig(result, actor: str):
    return [s for s in result.signals if s.actor == actor]


def test_open_to_ceasefire_through_intermediaries_is_private_with_sources(extract):
    text = (
        "Moscow has been quietly probing for a settlement. Two people familiar with the contacts told Reuters "
        "that Vladimir Putin is willing to agree a ceasefire along the current front lines."
    )
    r = extract(text, published="2025-03-14")
    (s,) = sig(r, "Vladimir Putin")
    assert s.stance == "open"
    assert s.topic == "ceasefire"
    assert s.channel == "private"
    assert s.sources == ["Two people familiar with the contacts", "Reuters"]
    assert s.when == "2025-03-14"
    assert r.article.text[s.evidence_span[0] : s.evidence_span[1]] == s.evidence


def test_negated_willingness_is_a_refusal(extract):
    text = (
        "Abdel Fattah al-Burhan visited troops near Khartoum as fighting raged. "
        "There are no signs that he is willing to join the truce talks proposed by Washington."
    )
    r = extract(text)
    (s,) = sig(r, "Abdel Fattah al-Burhan")
    assert s.stance == "refuses"


def test_not_ruling_out_a_truce_is_openness(extract):
    r = extract("The war in Gaza is in its second year. Hamas said on Tuesday it was not ruling out a longer truce.")
    (s,) = sig(r, "Hamas")
    assert s.stance == "open"
    assert s.channel == "public"


def test_hedged_forecast_gives_no_signal(extract):
    r = extract(
        "The war in Sudan grinds on. An analyst at Chatham House said the RSF might accept a ceasefire if "
        "the army withdrew from Omdurman."
    )
    assert r.signals == []


def test_the_side_itself_saying_it_would_accept_a_ceasefire_is_a_signal(extract):
    """The twin of the hedged forecast: the RSF's own spokesman, and "would" for "might"."""
    r = extract(
        "The war in Sudan grinds on. A spokesman for the RSF said the RSF would accept a ceasefire if "
        "the army withdrew from Omdurman."
    )
    assert [(s.actor, s.stance, s.topic) for s in r.signals] == [("Rapid Support Forces", "agrees", "ceasefire")]


def test_conditional_gives_no_signal(extract):
    r = extract("The war goes on. If Hamas rejects the deal, Israel will resume its offensive, Netanyahu warned.")
    assert not [s for s in r.signals if s.actor == "Hamas"]


def test_a_stated_rejection_is_a_refusal(extract):
    """The twin of the conditional: the rejection happened (and is not Netanyahu's accusation)."""
    r = extract("The war goes on. Hamas rejected the deal, and Israel will resume its offensive.")
    assert [(s.actor, s.stance, s.topic) for s in r.signals] == [("Hamas", "refuses", "deal")]


def test_one_sentence_naming_several_mediators_gives_one_signal_each(extract):
    r = extract(
        "The ceasefire between Israel and Hamas was brokered by Qatar, Egypt and the United States after "
        "months of war.",
        published="2025-01-16",
    )
    urged = {s.actor for s in r.signals if s.stance == "urges"}
    assert {"Qatar", "Egypt", "United States"} <= urged


def test_since_at_least_september_resolves_against_the_article_date(extract):
    r = extract(
        "The war has reached a stalemate. Officials said Mr Putin has been signalling since at least September "
        "that he is open to a ceasefire.",
        published="2024-02-01",
    )
    (s,) = sig(r, "Vladimir Putin")
    assert s.when == "2023-09"


def test_pull_quote_gives_no_second_signal(extract):
    text = (
        "The war in Ukraine is in its third winter. Officials said Vladimir Putin would prefer a peace deal "
        "before the spring.\n\n“Vladimir Putin would prefer a peace deal before the spring”\n\nThe fighting went on."
    )
    r = extract(text)
    assert len(sig(r, "Vladimir Putin")) == 1


def test_trade_truce_is_not_a_signal(extract):
    r = extract(
        "The United States and China agreed a 90-day truce in their trade war on Monday, cutting tariffs after "
        "talks in Geneva, officials said."
    )
    assert r.signals == []


def test_a_truce_in_a_war_is_a_signal_for_both_sides(extract):
    """The twin of the trade truce: the same sentence about a war between two states."""
    r = extract(
        "Russia and Ukraine agreed a 90-day truce in their war on Monday, halting strikes after talks in "
        "Geneva, officials said."
    )
    assert {(s.actor, s.stance, s.topic) for s in r.signals} == {
        ("Russia", "agrees", "ceasefire"), ("Ukraine", "agrees", "ceasefire")}


def test_football_contract_talks_are_not_signals(extract):
    r = extract(
        "Liverpool and Mohamed Salah agreed a new two-year deal on Friday after months of talks. The forward "
        "said he was ready to sign and refused offers from Saudi Arabia."
    )
    assert r.signals == []


def test_a_truce_agreed_after_months_of_talks_is_a_signal(extract):
    """The twin of the football contract: the same sentences about two sides of a war and a truce."""
    r = extract(
        "Israel and Hamas agreed a new two-month truce on Friday after months of talks. The group said it "
        "was ready to sign and refused offers from Saudi Arabia."
    )
    assert {(s.actor, s.stance, s.topic) for s in r.signals} == {
        ("Israel", "agrees", "ceasefire"), ("Hamas", "agrees", "ceasefire")}


def test_public_refusal_and_proposal_in_a_speech(extract):
    r = extract(
        "In a televised speech on 14 June, Vladimir Putin proposed a ceasefire if Ukraine withdrew its troops "
        "from four regions. Kyiv rejected the proposal as an ultimatum, officials said.",
        published="2024-06-20",
    )
    putin = sig(r, "Vladimir Putin")
    assert putin and putin[0].stance == "proposes" and putin[0].channel == "public" and putin[0].when == "2024-06-14"
    ukraine = sig(r, "Ukraine")
    assert ukraine and ukraine[0].stance == "refuses"


def test_a_short_wire_item_about_a_ceasefire_is_enough_context(extract):
    r = extract("Hamas said it had accepted a ceasefire proposal from Egypt and Qatar.")
    assert [(s.actor, s.stance) for s in r.signals] == [("Hamas", "agrees")]


def test_a_truce_on_tariffs_is_not_a_signal(extract):
    assert extract("The United States and China agreed a 90-day truce on tariffs after talks in Geneva.").signals == []


def test_a_truce_on_the_border_is_a_signal(extract):
    """The twin of the truce on tariffs."""
    r = extract("India and Pakistan agreed a 90-day truce on the border after talks in Geneva.")
    assert {(s.actor, s.stance, s.topic) for s in r.signals} == {
        ("India", "agrees", "ceasefire"), ("Pakistan", "agrees", "ceasefire")}


def test_stopping_at_the_front_lines_is_a_ceasefire_position(extract):
    r = extract("The war in Sudan goes on. The RSF said it was willing to halt along the current front lines.",
                published="2025-10-02")
    assert [(s.actor, s.stance, s.topic) for s in r.signals] == [("Rapid Support Forces", "open", "ceasefire")]
