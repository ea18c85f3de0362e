"""Time expressions in news text, resolved against the article's date.

A signal's ``when`` is when a position was expressed, which news text states
relative to the article ("last autumn", "on Sunday", "since at least
September") or with partial dates ("on 9 November", "in late December").
General-purpose date parsers resolve few of these and none the way docs/SCHEMA.md
wants (a month-level answer for "last weekend", the year for "last autumn"),
so the rules are written out here as regexes, one per kind of expression.

How it works: every rule's regex is run over the text; overlapping matches are
settled in favour of the earliest, then the longest (so "9 November 2022" beats
"November 2022"); the survivors are resolved left to right.  Some rules only
*block*: durations such as "in the past three years", "30-day" or "two-year"
are not points in time, and matching them stops their pieces ("three years",
"year") from being read as times.

Precision is capped at what the text says: a day when a day is named, a month
for "late December" or "on 21 and 30 September" (several days), a year for
seasons.  Output values are ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from ..read.dates import MONTHS, normalise_date


@dataclass(frozen=True)
class TimeMention:
    """One time expression: where it is in the text and the date it denotes."""

    start: int
    end: int
    text: str
    value: str
    explicit_year: bool


# --------------------------------------------------------------------------- vocabulary

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
                 "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}
# First month of each season (northern hemisphere); a winter is named by the year it starts in.
_SEASON_START = {"spring": 3, "summer": 6, "autumn": 9, "fall": 9, "winter": 12}

# Prepositions that attach an expression to the act ("said on Sunday"), as opposed to
# "of"/"before"/"after", which usually date something else ("the proposals of 2022").
_ANCHOR_PREPS = {"since", "on", "in", "at", "by", "during", "until", "till", "from", "as of",
                 "through", "throughout"}
_SEASON_PREPS = _ANCHOR_PREPS | {"over"}

# --------------------------------------------------------------------------- regex pieces
# Month and weekday names are case-sensitive (capitalised) so that "march" and "may" as
# verbs never match; the words around them are case-insensitive via scoped (?i:...).

_FULL_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_ABBR_MONTHS = "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec"


def _month(group: str, abbreviations: bool = True) -> str:
    """A month name; abbreviations ("Feb", "Sept.") only where a day or year must follow."""
    abbr = rf"|(?:{_ABBR_MONTHS})\b\.?" if abbreviations else ""
    return rf"(?P<{group}>(?:{_FULL_MONTHS})\b{abbr})"


_NUM = r"\d{1,2}|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
_START = r"(?<![\w-])"
_END = r"(?![\w-])"
_PREP = (r"(?:(?P<prep>(?i:since(?:\s+at\s+least)?|as\s+of|in|on|by|until|till|from|during|before"
         r"|after|of|at|throughout|through|over))\s+)?")
_MOD = r"(?:(?P<mod>(?i:early|late|mid|(?:the\s+)?(?:end|start|beginning|middle)\s+of))[\s-]+)?"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?(?![\w:]|,\d)"
# "9", "21 and 30", "9, 10 and 16", "9-16": several days make the answer month-level.
_DAYS = rf"(?P<days>(?<![\d,.]){_DAY}(?:(?:\s*,\s*|\s*,?\s+and\s+|\s*[-–]\s*|\s+to\s+){_DAY})*)"
# A year, optionally in editorial brackets ("September [2022]"); never part of a bigger number.
_YEAR = r"(?P<lb>\[)?(?P<year>(?:19|20)\d\d)(?(lb)\])(?![\d%]|[,.]\d)"
_SEASON = r"(?P<season>(?i:spring|summer|autumn|fall|winter))"
_WEEKDAY = r"(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"


def _rx(body: str) -> re.Pattern[str]:
    """A rule's regex: an optional preposition, then the expression itself as group ``t``."""
    return re.compile(_START + _PREP + body)


# --------------------------------------------------------------------------- resolution


@dataclass
class _Env:
    """What resolution needs besides the match: the article date, the narrative year, and the
    latest year written so far in the text (for "in July that year")."""

    ref: date | None
    hint: int | None
    last_year: int | None = None


def _shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def _ym(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def _ymd(day: date) -> str:
    return day.isoformat()


def _valid(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _year_for_month(month: int, env: _Env) -> int | None:
    """The year of a bare month: the narrative year if that is not after the article, else the
    most recent such month on or before the article's month (its own month → same year)."""
    ref = env.ref
    if env.hint is not None and (ref is None or (env.hint, month) <= (ref.year, ref.month)):
        return env.hint
    if ref is None:
        return None
    return ref.year if month <= ref.month else ref.year - 1


def _year_for_day(month: int, day: int, env: _Env) -> int | None:
    """As ``_year_for_month`` for a day; a day later in the article's own month keeps its year
    (news announces dates a few days ahead: "the sanctions take force on May 20")."""
    ref = env.ref
    if env.hint is not None:
        hinted = _valid(env.hint, month, day)
        if ref is None or (hinted is not None and hinted <= ref):
            return env.hint
    if ref is None:
        return None
    if month == ref.month or (month, day) <= (ref.month, ref.day):
        return ref.year
    return ref.year - 1


def _season_year(season: str, deixis: str, env: _Env) -> int | None:
    """The year a season starts in.  "this X" is the current year's (winter: the one under way in
    Jan/Feb); "last X" the latest that began at least two months before the article, so that
    "last winter" in February is the winter begun in December but "last autumn" in October is
    the previous year's; "next X" the first to begin after it; a bare "in the autumn" the
    narrative year's, else the latest begun by the article's month."""
    start = _SEASON_START[season]
    ref = env.ref
    if not deixis and env.hint is not None and (ref is None or (env.hint, start) <= (ref.year, ref.month)):
        return env.hint
    if ref is None:
        return None
    if deixis == "this":
        return ref.year - 1 if start == 12 and ref.month <= 2 else ref.year

    def gap(year: int) -> int:  # months from the season's start to the article's month
        return (ref.year - year) * 12 + ref.month - start

    year = ref.year + 1
    if deixis == "next":
        while gap(year - 1) < 0:
            year -= 1
        return year
    while gap(year) < (2 if deixis == "last" else 0):
        year -= 1
    return year


def _month_of(m: re.Match[str], group: str = "mon") -> int:
    return MONTHS[m.group(group).rstrip(".").lower()]


def _days_of(m: re.Match[str]) -> list[int]:
    return sorted({int(d) for d in re.findall(r"\d+", m.group("days"))})


def _explicit_year(m: re.Match[str], env: _Env) -> int:
    year = int(m.group("year"))
    env.last_year = year
    return year


Resolved = tuple[str | None, bool]  # (value, explicit_year); value None: no point in time


def _res_iso(m: re.Match[str], env: _Env) -> Resolved:
    day = _valid(_explicit_year(m, env), int(m.group("m")), int(m.group("d")))
    return (_ymd(day) if day else None), True


def _res_day_month(m: re.Match[str], env: _Env) -> Resolved:
    month, days = _month_of(m), _days_of(m)
    explicit = m.group("year") is not None
    if explicit:
        year = _explicit_year(m, env)
    elif len(days) > 1:
        year = _year_for_month(month, env)
    else:
        year = _year_for_day(month, days[0], env)
    if year is None:
        return None, False
    day = _valid(year, month, days[0]) if len(days) == 1 else None
    return (_ymd(day) if day else _ym(year, month)), explicit


def _res_month_year(m: re.Match[str], env: _Env) -> Resolved:
    month = _month_of(m)
    if m.group("year"):
        return _ym(_explicit_year(m, env), month), True
    year = env.last_year if env.last_year is not None else env.hint  # "in July that year"
    year = year if year is not None else _year_for_month(month, env)
    return (_ym(year, month) if year is not None else None), False


def _res_year(m: re.Match[str], env: _Env) -> Resolved:
    return str(_explicit_year(m, env)), True


def _res_month(m: re.Match[str], env: _Env) -> Resolved:
    month, deixis, ref = _month_of(m), (m.group("deix") or "").lower().split(), env.ref
    if not deixis:
        year = _year_for_month(month, env)
    elif ref is None:
        return None, False
    elif deixis[-1] == "last":  # the latest such month strictly before the article's month
        year = ref.year if month < ref.month else ref.year - 1
    elif deixis[-1] == "next":
        year = ref.year if month > ref.month else ref.year + 1
    else:  # "this May"
        year = ref.year
    return (_ym(year, month) if year is not None else None), False


def _res_season(m: re.Match[str], env: _Env) -> Resolved:
    deixis = (m.group("deix") or "").lower().split()
    word = deixis[-1] if deixis and deixis[-1] in ("last", "this", "next") else ""
    if m.groupdict().get("year"):
        return str(_explicit_year(m, env)), True
    year = _season_year(m.group("season").lower(), word, env)
    return (str(year) if year is not None else None), False


def _res_weekday(m: re.Match[str], env: _Env) -> Resolved:
    if env.ref is None:
        return None, False
    target, deixis = _WEEKDAYS.index(m.group("wd").lower()), (m.group("deix") or "").lower()
    if deixis == "next":
        ahead = (target - env.ref.weekday()) % 7 or 7
        return _ymd(env.ref + timedelta(days=ahead)), False
    back = (env.ref.weekday() - target) % 7
    if deixis == "last" and back == 0:
        back = 7
    return _ymd(env.ref - timedelta(days=back)), False


def _res_relative(m: re.Match[str], env: _Env) -> Resolved:
    ref, words = env.ref, m.group("t").lower().split()
    if ref is None:
        return None, False
    this_month = _ym(ref.year, ref.month)
    if words[-1] == "ago":
        count, unit = _NUMBER_WORDS.get(words[0]) or int(words[0]), words[1].rstrip("s")
        if unit == "day":
            return _ymd(ref - timedelta(days=count)), False
        if unit == "week":
            back = ref - timedelta(days=7 * count)
            return _ym(back.year, back.month), False
        if unit == "month":
            return _ym(*_shift_month(ref.year, ref.month, -count)), False
        return (_ym(ref.year - 1, ref.month) if count == 1 else str(ref.year - count)), False
    if words[-1] == "yesterday":
        return _ymd(ref - timedelta(days=2 if len(words) > 1 else 1)), False
    if words[-2:] == ["last", "night"]:
        return _ymd(ref - timedelta(days=1)), False
    if words[-1] in ("week", "weekend", "month", "year"):
        deixis, unit = words[-2], words[-1]
        step = {"last": -1, "this": 0, "next": 1}[deixis]
        if unit == "year":
            return str(ref.year + step), False
        if unit == "month":
            return _ym(*_shift_month(ref.year, ref.month, step)), False
        if unit == "week" and step:
            moved = ref + timedelta(days=7 * step)
            return _ym(moved.year, moved.month), False
    return this_month, False  # today, this week, last weekend, recently, in recent days ...


def _block(m: re.Match[str], env: _Env) -> Resolved:
    return None, False


# --------------------------------------------------------------------------- acceptance heuristics

_DETERMINER_BEFORE = re.compile(r"(?i:\b(?:the|a|an|its|his|her|their|our|this|that)|'s|’s)\s+$")
_LABEL_BEFORE = re.compile(r"(?:No\.?|Number|Resolution|Article|Flight|flight|Route|Highway|#)\s*$")
_PLURAL_AFTER = re.compile(r"\s+[a-z]+s\b")
_CAPITALISED_AFTER = re.compile(r"\s+[A-Z]")


def _prep(m: re.Match[str]) -> str:
    return " ".join((m.group("prep") or "").lower().split())


def _ok_year(m: re.Match[str], text: str) -> bool:
    """A bare year needs a preposition or modifier, or must not look like a count or a label:
    "in 2022" and "the 2022 talks" are years, "2000 troops" and "Resolution 2042" are not."""
    if _prep(m) or m.group("mod"):
        return True
    before, after = text[: m.start("t")], text[m.end():]
    if _LABEL_BEFORE.search(before):
        return False
    return not _PLURAL_AFTER.match(after) or bool(_DETERMINER_BEFORE.search(before))


def _ok_month(m: re.Match[str], text: str) -> bool:
    """"May" alone is usually the modal verb or a surname: require a preposition or modifier."""
    if m.group("mon") != "May":
        return True
    return bool(_prep(m) or m.group("mod") or m.group("deix"))


def _ok_season(m: re.Match[str], text: str) -> bool:
    """Seasons need "last/this/next" or an anchoring preposition ("in the autumn"): "before
    winter set in" and "the winter offensive" are not dates; "fall" also needs "the"."""
    deixis = (m.group("deix") or "").lower().split()
    if deixis and deixis[-1] in ("last", "this", "next"):
        return True
    if _prep(m) not in _SEASON_PREPS:
        return False
    return m.group("season").lower() != "fall" or deixis == ["the"]


def _ok_weekday(m: re.Match[str], text: str) -> bool:
    """"the Sunday Times", "Good Friday Agreement": a bare weekday followed by a capitalised
    word is a name, unless a preposition ("on Sunday Putin said") or "last"/"next" marks it."""
    if _prep(m) or m.group("deix"):
        return True
    return not _CAPITALISED_AFTER.match(text, m.end())


# --------------------------------------------------------------------------- rules


@dataclass(frozen=True)
class _Rule:
    name: str
    pattern: re.Pattern[str]
    resolve: Callable[[re.Match[str], _Env], Resolved]
    accept: Callable[[re.Match[str], str], bool] = lambda m, text: True
    relative: bool = False  # deictic by nature ("yesterday"): always dates the act


_RULES: tuple[_Rule, ...] = (
    _Rule("iso", _rx(r"(?P<t>(?<![\d/-])(?P<year>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?!\d))"), _res_iso),
    _Rule("day_month", _rx(rf"(?:(?i:the)\s+)?(?P<t>{_DAYS}(?:\s+of)?\s+{_month('mon')}(?:,?\s+{_YEAR})?)"),
          _res_day_month),
    _Rule("month_day", _rx(rf"(?P<t>{_month('mon')}\s+{_DAYS}(?:,?\s+{_YEAR})?)"), _res_day_month),
    _Rule("month_year", _rx(
        rf"(?P<t>{_MOD}{_month('mon')}(?:(?:\s*[-–/]\s*|\s+(?:and|to|or)\s+){_month('mon2')})?,?\s+"
        rf"(?:(?i:of)\s+)?(?:{_YEAR}|(?i:that|the\s+same)\s+(?i:year)))"), _res_month_year),
    _Rule("season_year", _rx(rf"(?P<t>(?:(?P<deix>(?i:the))\s+)?{_MOD}{_SEASON}\s+(?:(?i:of)\s+)?{_YEAR})"),
          _res_season),
    _Rule("year", _rx(rf"(?<![\w$£€#/.,:-])(?P<t>{_MOD}{_YEAR})(?![\w/-])"), _res_year, _ok_year),
    _Rule("month", _rx(rf"(?P<t>(?:(?P<deix>(?i:(?:early\s+|late\s+)?last|this|next))\s+)?{_MOD}"
                       rf"{_month('mon', abbreviations=False)})(?!\s*\[?\d){_END}"), _res_month, _ok_month),
    _Rule("season", _rx(rf"(?P<t>(?:(?P<deix>(?i:last|this|next|the|(?:earlier|later)\s+this))\s+)?"
                        rf"(?:(?i:early|late|mid)[\s-]+)?{_SEASON}){_END}(?!\s+of\s)"), _res_season, _ok_season),
    _Rule("weekday", _rx(rf"(?P<t>(?:(?P<deix>(?i:last|next|this|early|late|earlier|later))\s+(?:(?i:on)\s+)?)?"
                         rf"{_WEEKDAY}(?:\s+(?i:morning|afternoon|evening|night))?){_END}"),
          _res_weekday, _ok_weekday),
    _Rule("relative", _rx(
        rf"(?P<t>(?i:the\s+day\s+before\s+yesterday|yesterday|today|tonight|last\s+night"
        rf"|this\s+(?:morning|afternoon|evening)"
        rf"|(?:(?:earlier|later|early|late)\s+)?(?:this|last|next)\s+(?:week(?:end)?|month|year)"
        rf"|recently|in\s+recent\s+(?:days|weeks)|(?:{_NUM})\s+(?:day|week|month|year)s?\s+ago)){_END}"),
        _res_relative, relative=True),
    # Durations and quantities: matched only so that their pieces are not read as dates.
    _Rule("duration", re.compile(
        rf"{_START}(?i:(?:(?:in|over|for|during|within|throughout)\s+)?the\s+(?:past|last|next|coming"
        rf"|previous|first|following)\s+(?:(?:few|several|couple\s+of|{_NUM})\s+)?(?:day|week|month|year|decade)s?"
        rf"|(?:in|for|within|after|over)\s+(?:the\s+)?(?:{_NUM}|a\s+few|several|many)\s+"
        rf"(?:day|week|month|year|decade)s?(?!\s+ago)"
        rf"|(?:\d+|{_NUM})[-–](?:day|hour|week|month|year|point|minute|decade)s?){_END}"), _block),
    _Rule("quantity", re.compile(r"(?<![\d,.])\d{1,3}(?:,\d{3})+(?!\d)"), _block),
)


# --------------------------------------------------------------------------- public API


@dataclass(frozen=True)
class _Found:
    rule: _Rule
    match: re.Match[str]

    @property
    def span(self) -> tuple[int, int]:
        return self.match.start(), self.match.end()


def _scan(text: str, ref: date | None, year_hint: int | None) -> tuple[tuple[TimeMention | None, bool], ...]:
    """All expressions in order as (mention or None when not a point in time, anchored)."""
    if isinstance(ref, datetime):
        ref = ref.date()
    return _scan_cached(text, ref, year_hint)


@lru_cache(maxsize=2048)
def _scan_cached(text: str, ref: date | None, year_hint: int | None) -> tuple[tuple[TimeMention | None, bool], ...]:
    """Cached: the rules ask about the same sentence many times (each title in it, each signal), and the
    scan runs some thirty regular expressions.  The result is immutable, so sharing it is safe."""
    found = [_Found(rule, m) for rule in _RULES for m in rule.pattern.finditer(text) if rule.accept(m, text)]
    found.sort(key=lambda f: (f.span[0], -(f.span[1] - f.span[0])))
    chosen: list[_Found] = []
    for f in found:
        if not chosen or f.span[0] >= chosen[-1].span[1]:
            chosen.append(f)
    env, out = _Env(ref, year_hint), []
    for f in chosen:
        try:
            value, explicit = f.rule.resolve(f.match, env)
        except (OverflowError, ValueError):
            value, explicit = None, False  # "yesterday" on 0001-01-01: no date to give
        if value is None:
            out.append((None, False))
            continue
        start, end = f.match.span("t")
        deixis = (f.match.groupdict().get("deix") or "").lower()  # "last", "next", "this" ...
        anchored = f.rule.relative or deixis not in ("", "the") or _prep(f.match) in _ANCHOR_PREPS
        out.append((TimeMention(start, end, text[start:end], value, explicit), anchored))
    return tuple(out)


_YEAR_AFTER = re.compile(r"\s*,?\s+(?:of\s+)?(last|this|next)\s+year\b", re.I)


def _join_year_phrase(text: str, mentions: list[TimeMention], ref: date | None) -> list[TimeMention]:
    """"in August last year", "in February of this year": the month takes the year named after it."""
    if ref is None:
        return mentions
    out: list[TimeMention] = []
    skip_next = False
    for i, m in enumerate(mentions):
        if skip_next:
            skip_next = False
            continue
        follow = _YEAR_AFTER.match(text, m.end)
        if follow and not m.explicit_year and len(m.value) >= 7:
            year = ref.year + {"last": -1, "this": 0, "next": 1}[follow.group(1).lower()]
            value = f"{year}{m.value[4:]}"
            out.append(TimeMention(m.start, follow.end(), text[m.start : follow.end()], value, True))
            nxt = mentions[i + 1] if i + 1 < len(mentions) else None
            skip_next = nxt is not None and nxt.start < follow.end()
            continue
        out.append(m)
    return out


def find_times(text: str, ref: date | None, year_hint: int | None = None) -> list[TimeMention]:
    """Every time expression in ``text``, in order, resolved against ``ref`` (the article's date).

    ``year_hint`` is the year the narrative is in; a month or day without a year takes it when
    the result is not after ``ref``.  With ``ref`` None, only expressions that carry their year
    (or get it from ``year_hint``) are returned.
    """
    mentions = [mention for mention, _ in _scan(text, ref, year_hint) if mention is not None]
    return _join_year_phrase(text, mentions, ref)


def resolve_when(text: str, ref: date | None, year_hint: int | None = None) -> str:
    """The ``when`` of a sentence: its first time expression attached to the act by a
    preposition or deixis ("on Sunday", "since September", "last autumn", "yesterday"),
    else its first time expression of any kind, else ""."""
    scanned = [(mention, anchored) for mention, anchored in _scan(text, ref, year_hint) if mention]
    for mention, anchored in scanned:
        if anchored:
            return mention.value
    return scanned[0][0].value if scanned else ""


# --------------------------------------------------------------------------- the time a position applied

#: A position said to hold over time rather than at one moment: "has long rejected", "have consistently
#: refused", "has repeatedly said", "has for years resisted".  The adverb is what makes it standing: a bare
#: "has rejected" is a recent act, dated as usual.
STANDING = re.compile(
    r"(?<![\w-])(?i:has|have|'s|’s|'ve|’ve)\s+(?:(?i:long|consistently|repeatedly|always|persistently|steadfastly"
    r"|continually|for\s+(?:years|months|decades|weeks|a\s+long\s+time))\s+)+(?:(?i:been)\s+)?[a-z]{3,}(?![\w-])")
#: The bound of a state that held "until" a time: "until the weekend", "up until Sunday", "till March".
_UNTIL = re.compile(r"(?<![\w-])(?i:up\s+(?:until|till|to)|until|till)\s+")
_WEEKEND = re.compile(r"(?i:(?:the|last|this)\s+)?(?i:weekend)(?![\w-])")


def is_standing(text: str) -> bool:
    """Does the text state a standing position ("has long rejected", "has repeatedly said")?"""
    return STANDING.search(text) is not None


def before_bound(text: str, ref: date | None, year_hint: int | None = None) -> str:
    """When a state said to have held "until X" last applied: the day before X, at the precision the text
    gives X (the month before a month, the year before a year); '' when the text names no such bound or it
    is after ``ref``.  "Until the weekend" is the latest weekend on or before the article's date, so the
    answer is the Friday before it: a recounted past position is dated before the change, never at the
    article's date."""
    if ref is None:
        return ""
    if isinstance(ref, datetime):
        ref = ref.date()
    mentions = [m for m, _ in _scan(text, ref, year_hint) if m is not None]
    for bound in _UNTIL.finditer(text):
        if _WEEKEND.match(text, bound.end()):
            saturday = ref - timedelta(days=(ref.weekday() - 5) % 7)
            return _ymd(saturday - timedelta(days=1))
        mention = next((m for m in mentions if m.start == bound.end()), None)
        if mention is None:
            continue
        value = _step_back(mention.value)
        if value and value <= ref.isoformat()[: len(value)]:
            return value
    return ""


def _step_back(value: str) -> str:
    """The unit before a ``YYYY[-MM[-DD]]`` value, at the same precision ('' when not a date)."""
    try:
        if len(value) == 10:
            return _ymd(date.fromisoformat(value) - timedelta(days=1))
        if len(value) == 7:
            return _ym(*_shift_month(int(value[:4]), int(value[5:]), -1))
        return str(int(value) - 1) if len(value) == 4 else ""
    except ValueError:
        return ""


def parse_published(value: str) -> date | None:
    """An article's publication date (the first of the month for ``YYYY-MM``) in the readers' grammar
    (``read.dates.normalise_date``), found anywhere in the value; None when empty or unparseable."""
    iso = normalise_date(value or "", anywhere=True)
    if iso is None:
        return None
    parsed = date.fromisoformat(iso if len(iso) == 10 else iso + "-01")
    # years far from the news era are typos or placeholders; relative dates around them would overflow
    return parsed if 1900 <= parsed.year <= 2100 else None
