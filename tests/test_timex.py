"""Time expressions resolved against an article's date (backchannel.nlp.timex)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from backchannel.nlp.timex import TimeMention, find_times, parse_published, resolve_when

FEB = date(2024, 2, 1)  # a Thursday, as in the "peace feelers" article
MAY = date(2025, 5, 15)  # a Thursday, as in the Istanbul talks article
OCT = date(2025, 10, 2)


def pairs(text: str, ref: date | None, hint: int | None = None) -> list[tuple[str, str]]:
    """(matched text, value) for every mention, checking offsets on the way."""
    found = find_times(text, ref, hint)
    for mention in found:
        assert text[mention.start:mention.end] == mention.text
    return [(m.text, m.value) for m in found]


EXPLICIT = [
    ("on 9 November 2022", [("9 November 2022", "2022-11-09")]),
    ("on November 9, 2022,", [("November 9, 2022", "2022-11-09")]),
    ("the 9th November 2022 talks", [("9th November 2022", "2022-11-09")]),
    ("on the 9th of November 2022", [("9th of November 2022", "2022-11-09")]),
    ("signed Feb. 1, 2024 in Doha", [("Feb. 1, 2024", "2024-02-01")]),
    ("pushed hard in November 2022 for talks", [("November 2022", "2022-11")]),
    ("November 2022 was cold", [("November 2022", "2022-11")]),
    ("talks collapsed in 2022.", [("2022", "2022")]),
    ("noises in the autumn of 2022, after", [("the autumn of 2022", "2022")]),
    ("autumn of 2022", [("autumn of 2022", "2022")]),
    ("in the summer of 2023", [("the summer of 2023", "2023")]),
    ("reached by early April 2022, but", [("early April 2022", "2022-04")]),
    ("in late December 2023", [("late December 2023", "2023-12")]),
    ("by mid-May 2024", [("mid-May 2024", "2024-05")]),
    ("his 21 and 30 September [2022] speeches", [("21 and 30 September [2022]", "2022-09")]),
    ("on 21 and 30 September 2022", [("21 and 30 September 2022", "2022-09")]),
    ("a capitulation in March and April of 2022, when", [("March and April of 2022", "2022-03")]),
    ("Issue February - March 2024", [("February - March 2024", "2024-02")]),
    ("dated 2025-05-08 in the file", [("2025-05-08", "2025-05-08")]),
    ("in early 2023 and by mid-2022", [("early 2023", "2023"), ("mid-2022", "2022")]),
    ("Russia's 2022 invasion", [("2022", "2022")]),
    ("in Joe Biden's plan of May 2024", [("May 2024", "2024-05")]),
]


@pytest.mark.parametrize("text, expected", EXPLICIT)
def test_explicit_dates_resolve_to_what_they_say(text: str, expected: list[tuple[str, str]]) -> None:
    assert pairs(text, FEB) == expected
    assert pairs(text, None) == expected  # an explicit date needs no article date


def test_explicit_year_flag() -> None:
    [with_year] = find_times("on 9 November 2022", FEB)
    [without] = find_times("on 9 November", FEB)
    assert with_year.explicit_year and not without.explicit_year
    assert with_year == TimeMention(3, 18, "9 November 2022", "2022-11-09", True)


PARTIAL = [
    # text, ref, year_hint, expected
    ("on 9 November", FEB, None, [("9 November", "2023-11-09")]),
    ("on 17 January", FEB, None, [("17 January", "2024-01-17")]),
    ("called for a ceasefire on May 8.", MAY, None, [("May 8", "2025-05-08")]),
    ("May 8", MAY, None, [("May 8", "2025-05-08")]),
    ("on September 29th, Trump said", OCT, None, [("September 29th", "2025-09-29")]),
    ("In late December, the NYT revealed", FEB, None, [("late December", "2023-12")]),
    ("since at least September", FEB, None, [("September", "2023-09")]),
    ("in September", FEB, None, [("September", "2023-09")]),
    ("in February", FEB, None, [("February", "2024-02")]),  # ref's own month: same year
    ("into force on May 20", MAY, None, [("May 20", "2025-05-20")]),  # later in ref's month
    ("on 9, 10 and 16 November", FEB, None, [("9, 10 and 16 November", "2023-11")]),
    ("the March 8 movement", FEB, None, [("March 8", "2023-03-08")]),
    ("last October", FEB, None, [("last October", "2023-10")]),
    ("last December", FEB, None, [("last December", "2023-12")]),
    ("last December", date(2024, 12, 20), None, [("last December", "2023-12")]),
    # year_hint: the narrative's year wins when the result is not after the article ...
    ("on 9 November", FEB, 2022, [("9 November", "2022-11-09")]),
    ("on 9, 10 and 16 November", FEB, 2022, [("9, 10 and 16 November", "2022-11")]),
    ("in September", FEB, 2022, [("September", "2022-09")]),
    ("in the autumn", FEB, 2022, [("the autumn", "2022")]),
    # ... and is ignored when it would put the date after the article
    ("in March", FEB, 2024, [("March", "2023-03")]),
    ("on 20 February", FEB, 2024, [("20 February", "2024-02-20")]),
    # "that year" takes the latest year written before it
    ("flight MH17 in 2014, shot down in July that year", MAY, None, [("2014", "2014"), ("July that year", "2014-07")]),
]


@pytest.mark.parametrize("text, ref, hint, expected", PARTIAL)
def test_dates_without_a_year_take_the_most_recent_one(
    text: str, ref: date, hint: int | None, expected: list[tuple[str, str]]
) -> None:
    assert pairs(text, ref, hint) == expected


WEEKDAYS = [
    ("talks in Istanbul on Thursday", [("Thursday", "2025-05-15")]),  # ref's own weekday
    ("proposed talks on Sunday", [("Sunday", "2025-05-11")]),
    ("backed the demand Saturday.", [("Saturday", "2025-05-10")]),
    ("On Tuesday, Russia said", [("Tuesday", "2025-05-13")]),
    ("he will fly out next Monday", [("next Monday", "2025-05-19")]),
    ("as of Wednesday night", [("Wednesday night", "2025-05-14")]),
    ("on Sunday morning", [("Sunday morning", "2025-05-11")]),
    ("last Thursday", [("last Thursday", "2025-05-08")]),
    ("on Sunday Putin proposed talks", [("Sunday", "2025-05-11")]),  # preposition: not a name
]


@pytest.mark.parametrize("text, expected", WEEKDAYS)
def test_weekdays_are_the_most_recent_such_day(text: str, expected: list[tuple[str, str]]) -> None:
    assert pairs(text, MAY) == expected


RELATIVE = [
    ("yesterday", FEB, "2024-01-31"),
    ("today", FEB, "2024-02"),
    ("this week", FEB, "2024-02"),
    ("earlier this week", FEB, "2024-02"),
    ("this month", FEB, "2024-02"),
    ("last weekend", FEB, "2024-02"),
    ("recently", FEB, "2024-02"),
    ("last week", FEB, "2024-01"),  # ref - 7 days is 25 January
    ("last week", date(2024, 2, 20), "2024-02"),
    ("last month", FEB, "2024-01"),
    ("last month", date(2024, 1, 10), "2023-12"),
    ("last year", FEB, "2023"),
    ("a year ago", FEB, "2023-02"),
    ("earlier this year", OCT, "2025"),
    ("this year", FEB, "2024"),
    ("two years ago", FEB, "2022"),
    ("three days ago", FEB, "2024-01-29"),
    ("last autumn", FEB, "2023"),
    ("last autumn", OCT, "2024"),  # an autumn only just begun is not "last autumn"
    ("last winter", FEB, "2023"),  # the winter that started in December 2023
    ("this spring", FEB, "2024"),
    ("in the autumn", FEB, "2023"),
    ("next month", date(2024, 12, 5), "2025-01"),
]


@pytest.mark.parametrize("text, ref, value", RELATIVE)
def test_relative_expressions(text: str, ref: date, value: str) -> None:
    found = find_times(text, ref)
    assert [m.value for m in found] == [value]
    assert found[0].text in text
    assert not found[0].explicit_year


NOT_TIMES = [
    "Donald Trump may be re-elected president",
    "it may finally open the door",
    "May could not hold the party together",
    "Theresa May said she would go",
    "as reported by the Sunday Times last",
    "the Good Friday Agreement",
    "the release of 1,950 prisoners",
    "some 85,000 troops",
    "2000 troops crossed",
    "within 72 hours",
    "the 20-point plan",
    "a 30-day ceasefire",
    "the two-year war in Gaza",
    "in the past three years",
    "changes over the past three years",
    "a window of opportunity in the next 10 days",
    "the first direct talks in three years",
    "before winter set in",
    "the fall of Bakhmut",
    "UN Resolution 2042",
    "see economist.com/middle-east/2025/09/29/story",
    "at 1:30am [22:30 GMT]",
]


@pytest.mark.parametrize("text", NOT_TIMES)
def test_things_that_are_not_times(text: str) -> None:
    assert find_times(text, MAY) == []


def test_durations_do_not_hide_the_date_after_them() -> None:
    text = "their first direct talks in three years on Thursday"
    assert pairs(text, MAY) == [("Thursday", "2025-05-15")]


def test_in_may_with_a_preposition_is_a_month() -> None:
    assert pairs("In May, talks resumed", MAY) == [("May", "2025-05")]
    assert pairs("since early May", MAY) == [("early May", "2025-05")]


def test_without_an_article_date_relative_times_are_skipped() -> None:
    text = "on Sunday, last year, in September, yesterday, last autumn, and on 9 November 2022"
    assert pairs(text, None) == [("9 November 2022", "2022-11-09")]
    assert pairs("in September", None, 2022) == [("September", "2022-09")]


def test_datetime_ref_is_accepted() -> None:
    assert pairs("on Sunday", datetime(2025, 5, 15, 10, 0)) == [("Sunday", "2025-05-11")]


def test_mentions_come_in_text_order_with_correct_offsets() -> None:
    text = "Trump called for a 30-day ceasefire on May 8. Zelenskyy backed it on Saturday; Putin replied on Sunday."
    found = find_times(text, MAY)
    assert [m.value for m in found] == ["2025-05-08", "2025-05-10", "2025-05-11"]
    assert [m.start for m in found] == sorted(m.start for m in found)
    assert all(text[m.start:m.end] == m.text for m in found)


WHEN = [
    ("Putin proposed talks at a dawn media conference on Sunday", MAY, None, "2025-05-11"),
    ("He has signalled since at least September that he is open to a ceasefire", FEB, None, "2023-09"),
    ("The 2022 proposals were cited by Moscow on Wednesday", MAY, None, "2025-05-14"),  # prefers "on"
    ("Putin's September speech was praised on Sunday", MAY, None, "2025-05-11"),
    ("It met last October and again in 2023", FEB, None, "2023-10"),
    ("Russia's 2022 proposals remain the basis", MAY, None, "2022"),  # nothing better: first one
    ("Officials who met Russians last autumn said so", FEB, None, "2023"),
    ("Milley spoke out publicly on 9, 10 and 16 November", FEB, 2022, "2022-11"),
    ("Nothing has changed in the past three years", MAY, None, ""),
    ("Zelenskyy said he would attend the talks", MAY, None, ""),
    ("on Sunday", None, None, ""),
]


@pytest.mark.parametrize("text, ref, hint, expected", WHEN)
def test_resolve_when(text: str, ref: date | None, hint: int | None, expected: str) -> None:
    assert resolve_when(text, ref, hint) == expected


PUBLISHED = [
    ("2024-02-01", date(2024, 2, 1)),
    ("2024-02", date(2024, 2, 1)),
    ("2024-02-01T10:00:00Z", date(2024, 2, 1)),
    ("2025-10-02 08:15:00+00:00", date(2025, 10, 2)),
    ("1 February 2024", date(2024, 2, 1)),
    ("February 1, 2024", date(2024, 2, 1)),
    ("Feb 1 2024", date(2024, 2, 1)),
    ("Thursday, 15 May 2025", date(2025, 5, 15)),
    ("", None),
    ("   ", None),
    ("not a date", None),
    ("2024-13-01", None),
    ("31 February 2024", None),
]


@pytest.mark.parametrize("value, expected", PUBLISHED)
def test_parse_published(value: str, expected: date | None) -> None:
    assert parse_published(value) == expected


def test_month_followed_by_last_year_takes_that_year():
    (m,) = find_times("talks in Switzerland in August last year", date(2025, 11, 7))
    assert (m.text, m.value) == ("August last year", "2024-08")
