from backchannel.nlp.quotes import find_quotes, outermost


def texts(text: str, top_only: bool = True) -> list[str]:
    quotes = find_quotes(text)
    if top_only:
        quotes = outermost(quotes)
    return [text[q.start : q.end] for q in quotes]


def test_curly_double_and_straight_double():
    assert texts("He said “we are ready” and \"we mean it\".") == ["we are ready", "we mean it"]


def test_apostrophes_do_not_close_a_british_quote():
    text = "An aide said: ‘Putin’s envoys weren’t bluffing.’ Then he left."
    assert texts(text) == ["Putin’s envoys weren’t bluffing."]


def test_nested_british_outside_double():
    text = "‘They say, “We are ready to talk”. They want calm,’ the official said."
    quotes = find_quotes(text)
    assert [text[q.start : q.end] for q in quotes if q.level == 0] == ["They say, “We are ready to talk”. They want calm,"]
    assert [text[q.start : q.end] for q in quotes if q.level == 1] == ["We are ready to talk"]


def test_nested_double_outside_single():
    text = "“The envoy told us ‘no deal yet’,” she said."
    quotes = find_quotes(text)
    assert {q.level: text[q.start : q.end] for q in quotes} == {0: "The envoy told us ‘no deal yet’,", 1: "no deal yet"}


def test_quote_continues_into_next_paragraph():
    text = "“First paragraph of a long quote.\n\n“Second paragraph ends it.” He left."
    (only,) = texts(text)
    assert only.startswith("First paragraph") and only.endswith("ends it.")


def test_unclosed_quote_ends_with_its_paragraph():
    text = "He said “we will never talk to them\n\nNext paragraph without quotes."
    assert texts(text) == ["we will never talk to them"]


def test_plural_possessive_outside_quote_is_ignored():
    assert texts("The officials’ message was clear.") == []
