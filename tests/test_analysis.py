"""The analyses over a real store: timeline and trend, divergence, corroboration by independent origins.

Articles are built by hand (no spaCy) and saved to a SQLite file, and to the
PostgreSQL server named by BACKCHANNEL_TEST_PG when it is set (start one with
``eval "$(.ci/postgres.sh start)"``); without it the PostgreSQL cases are
skipped, except under CI=true where they fail.
"""

from __future__ import annotations

import os
import uuid
from datetime import date
from urllib.parse import quote

import pytest

import builders
from backchannel.analysis import (
    BACK_CHANNEL,
    HARDENING,
    MIXED,
    REVERSE,
    STEADY,
    TOWARD_TALKS,
    SketchCache,
    TimelinePoint,
    claim_for,
    corroboration,
    divergence,
    iter_claims,
    plot_timeline,
    render_claims,
    render_divergences,
    render_timeline,
    timeline,
    trend,
)
from backchannel.analysis.dates import bucket, gap_days, parse_date
from backchannel.analysis.origins import origin_of
from backchannel.analysis.similarity import COPY_THRESHOLD, resemblance, sketch
from backchannel.errors import BackchannelError
from backchannel.nlp.origins import is_anonymous, origin_name
from backchannel.nlp.registry import ActorRegistry
from backchannel.records import Signal
from backchannel.store import Store, open_store

PG_ENV = "BACKCHANNEL_TEST_PG"


# ---- stores ----------------------------------------------------------------------------------------------
def _pg_base() -> str:
    base = os.environ.get(PG_ENV, "")
    if not base:
        message = f'{PG_ENV} is not set; start a server with: eval "$(.ci/postgres.sh start)"'
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + " (CI=true: the PostgreSQL analysis tests must run)")
        pytest.skip(message)
    return base


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    if request.param == "sqlite":
        with open_store(str(tmp_path / "a.db")) as s:
            yield s
        return
    base = _pg_base()
    import psycopg

    schema = "t_" + uuid.uuid4().hex[:16]
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    url = f"{base}{'&' if '?' in base else '?'}options={quote(f'-c search_path={schema}', safe='')}"
    try:
        with open_store(url) as s:
            yield s
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


# ---- hand-made articles ----------------------------------------------------------------------------------
def sig(evidence: str, actor: str = "Vladimir Putin", stance: str = "open", topic: str = "ceasefire",
        channel: str = "private", when: str = "", sources: tuple[str, ...] = (),
        terms: tuple[str, ...] = ()) -> Signal:
    return Signal(actor, stance, topic, channel, evidence, terms=list(terms), when=when, sources=list(sources))


def save(store: Store, outlet: str, url: str, published: str, signals: list[Signal], body: str = "",
         author: str = "Staff") -> str:
    """Save one article whose text is ``body`` plus every signal's evidence; returns the article id."""
    result = builders.result_of_evidence(signals, body, title=f"{outlet} report", outlet=outlet, author=author,
                                         published=published, url=url)
    outcome = store.save(result, extractor_version="test")
    assert outcome.written
    return outcome.article_id


NYT_EVIDENCE = ("Vladimir Putin has privately signalled that he is open to a ceasefire that freezes the "
                "fighting along the current front line, two former senior Russian officials said.")
ECHOES = [  # (outlet, url, published, sources as each outlet wrote them, its own wording)
    ("Peace News", "https://peacenews.example/a", "2025-03-11", ["The New York Times"],
     "Putin is open to a ceasefire freezing the current front line, The New York Times reported."),
    ("Daily Echo", "https://echo.example/b", "2025-03-11", ["two former senior Russian officials", "NYT"],
     "The Russian leader would accept a ceasefire along the current front line, officials told the NYT."),
    ("Kyiv Bulletin", "https://kyivbulletin.example/c", "2025-03-12", ["the New York Times"],
     "According to the New York Times, Putin signalled openness to a ceasefire on the current front line."),
    ("The Guardian", "https://guardian.example/d", "2025-03-12", ["New York Times"],
     "Putin has let it be known he is open to freezing the front line in a ceasefire, the New York Times said."),
    ("Le Courrier", "https://courrier.example/e", "2025-03-13", ["two former officials", "The New York Times"],
     "Putin signals he is open to a ceasefire freezing the war on the current front line, says the NYT."),
]


def save_nyt_and_echoes(store: Store) -> list[str]:
    ids = [save(store, "The New York Times", "https://nytimes.example/putin", "2025-03-10",
                [sig(NYT_EVIDENCE, when="2025-03-10", sources=("two former senior Russian officials",),
                     terms=("freezes the fighting along the current front line",))])]
    for outlet, url, published, sources, evidence in ECHOES:
        ids.append(save(store, outlet, url, published, [sig(evidence, when=published, sources=tuple(sources))]))
    return ids


WIRE = """By Jane Doe, Associated Press

KYIV, Ukraine (AP) — Russian President Vladimir Putin has told intermediaries that he is open to a
ceasefire along the current front line, according to the wire's reporting, as envoys from Washington and
Moscow prepared for another round of meetings in the Gulf. The proposal, which would freeze the fighting
without settling the status of the occupied regions, was carried to Kyiv by a Turkish delegation earlier
this week. Ukrainian officials have not publicly responded, and President Volodymyr Zelenskyy said on
Tuesday that any pause in the fighting must be backed by security guarantees from Western allies. The
Kremlin declined to comment on the reported message. Analysts in Europe said the move could be an attempt
to shape the agenda before the talks, which are expected to take place in Riyadh next month, and noted that
Moscow has made similar overtures before without following through on them. Fighting continued overnight in
the eastern Donetsk region, where Ukrainian forces reported repelling several assaults near Pokrovsk."""
WIRE_EVIDENCE = ("Putin has told intermediaries that he is open to a ceasefire along the current front line, "
                 "the agency reported.")


# ---- dates -----------------------------------------------------------------------------------------------
def test_dates_parse_with_their_precision_and_reject_invalid_ones():
    assert parse_date("2025").start == date(2025, 1, 1) and parse_date("2025").end == date(2025, 12, 31)
    march = parse_date("2025-03")
    assert (march.start, march.end, march.precision) == (date(2025, 3, 1), date(2025, 3, 31), "month")
    assert parse_date("2025-03-14T09:30:00Z").text == "2025-03-14"
    for bad in ("", "last autumn", "2025-13", "2025-02-30", "20250314"):
        assert parse_date(bad) is None
    assert gap_days(march, parse_date("2025-03-20")) == 0
    assert gap_days(parse_date("2025-03-01"), parse_date("2025-03-09")) == 8
    assert bucket(parse_date("2025-03-14")) == "2025-03" and bucket(parse_date("2025")) == "2025"
    assert bucket(parse_date("2025-05-02"), "quarter") == "2025-Q2"


# ---- timeline ------------------------------------------------------------------------------------------
def test_timeline_orders_by_when_else_article_date_and_keeps_provenance(store):
    save(store, "Reuters", "https://reuters.example/1", "2025-02-20",
         [sig("Putin said Russia would never freeze the conflict on Ukraine's terms.", stance="refuses",
              channel="public", when="2025-02-10")])
    save(store, "TASS", "https://tass.example/2", "2025-03-05",
         [sig("Putin told reporters Russia was ready for talks with Kyiv.", topic="talks", channel="public",
              when="", sources=("Kremlin spokesman Dmitry Peskov",))])
    save(store, "Meduza", "https://meduza.example/3", "2025-04-02",
         [sig("In January Putin ruled out any pause in the fighting.", stance="refuses", channel="public",
              when="2025-01")])
    save(store, "Kommersant", "https://kommersant.example/4", "2025-04-03",
         [sig("This year Putin set out terms for a settlement.", stance="proposes", topic="deal",
              channel="public", when="2025")])
    save(store, "Interfax", "https://interfax.example/5", "",
         [sig("Putin is said to favour a truce.", channel="unknown", when="")])
    save(store, "Reuters", "https://reuters.example/6", "2025-03-20",
         [sig("Zelenskyy refused talks.", actor="Volodymyr Zelenskyy", stance="refuses", topic="talks",
              channel="public", when="2025-03-20")])

    points = timeline(store, "Putin")  # an alias: the store resolves it
    assert [p.date for p in points] == ["2025", "2025-01", "2025-02-10", "2025-03-05", ""]
    assert [p.stance for p in points] == ["proposes", "refuses", "refuses", "open", "open"]
    by_date = {p.date: p for p in points}
    assert by_date["2025-03-05"].when == "" and by_date["2025-03-05"].published == "2025-03-05"
    assert by_date["2025-03-05"].chain == ["Kremlin spokesman Dmitry Peskov", "TASS"]
    assert all(isinstance(p.signal_id, int) and p.evidence for p in points)
    assert {p.actor for p in points} == {"Vladimir Putin"}

    # The store's rule: a coarser date is kept when its period contains ``since`` ("2025" for 2025-02).
    assert [p.date for p in timeline(store, "Vladimir Putin", since="2025-02", until="2025-03")] == [
        "2025", "2025-02-10", "2025-03-05"]
    # Scored and dated: +1 (2025), -1, -1, +1 -> last two (-1, +1) against the first two (+1, -1): no move.
    assert trend(points) == MIXED

    text = " ".join(render_timeline(points, width=100).split())  # wrapped lines re-joined
    assert "Putin told reporters Russia was ready for talks with Kyiv." in text
    assert "Kremlin spokesman Dmitry Peskov → TASS" in text and "trend: mixed" in text


def test_timeline_group_state_adds_the_state_and_its_officials(store):
    save(store, "Reuters", "https://reuters.example/r", "2025-03-01",
         [sig("Russia rejected a ceasefire.", actor="Russia", stance="refuses", channel="public",
              when="2025-03-01")])
    save(store, "Reuters", "https://reuters.example/p", "2025-03-02",
         [sig("Putin is open to talks.", topic="talks", channel="public", when="2025-03-02")])
    assert [p.actor for p in timeline(store, "Putin")] == ["Vladimir Putin"]
    grouped = timeline(store, "Putin", group_state=True)
    assert [p.actor for p in grouped] == ["Russia", "Vladimir Putin"]


def _points(*scores: int) -> list[TimelinePoint]:
    stance = {1: "open", 0: "urges", -1: "refuses"}
    return [TimelinePoint(i + 1, f"2025-{i + 1:02d}-01", "X", stance[s], "talks", "public", "e")
            for i, s in enumerate(scores)]


def test_trend_compares_the_recent_points_with_the_earlier_ones():
    assert trend(_points(-1, -1, -1, 1, 1, 1)) == TOWARD_TALKS
    assert trend(_points(1, 1, 1, 1, -1, -1)) == HARDENING
    assert trend(_points(1, 1, 1, 1)) == STEADY
    assert trend(_points(-1, 1, -1, 1)) == MIXED
    assert trend(_points(1)) == STEADY and trend([]) == STEADY
    assert trend(_points(-1, 1)) == TOWARD_TALKS  # two points: the last against the first
    # Order comes from the dates, not the list order.
    assert trend(list(reversed(_points(-1, -1, -1, 1, 1, 1)))) == TOWARD_TALKS
    # Only the last five points count as recent: an old refusal streak followed by openness.
    assert trend(_points(-1, -1, -1, -1, -1, -1, 1, 1, 1, 1, 1)) == TOWARD_TALKS


# ---- divergence ----------------------------------------------------------------------------------------
def test_public_refusal_beside_private_opening_is_a_divergence_with_both_evidences(store):
    refusal = "Putin told a televised rally that Russia will not accept any ceasefire before victory."
    opening = "Putin's envoys have quietly told Washington that he is open to freezing the front line."
    save(store, "Reuters", "https://reuters.example/rally", "2025-03-05",
         [sig(refusal, stance="refuses", channel="public", when="2025-03-05")])
    save(store, "The New York Times", "https://nytimes.example/envoys", "2025-03-22",
         [sig(opening, channel="private", when="2025-03-20", sources=("three people familiar with the talks",))])
    # Same direction in April (both refusing), and a lone public refusal in May: no divergence.
    save(store, "TASS", "https://tass.example/april", "2025-04-02",
         [sig("Putin again ruled out a truce.", stance="refuses", channel="public", when="2025-04-02"),
          sig("Putin's aides privately dismissed a truce.", stance="refuses", channel="private",
              when="2025-04-03")])
    save(store, "TASS", "https://tass.example/may", "2025-05-02",
         [sig("Putin ruled out talks.", stance="refuses", topic="talks", channel="public", when="2025-05-02")])

    found = divergence(store, "Vladimir Putin")
    assert len(found) == 1
    d = found[0]
    assert (d.actor, d.period, d.kind) == ("Vladimir Putin", "2025-03", BACK_CHANNEL)
    assert [p.evidence for p in d.public] == [refusal]
    assert [p.evidence for p in d.private] == [opening]
    assert d.private[0].sources == ["three people familiar with the talks"]
    assert d.private[0].chain == ["three people familiar with the talks", "The New York Times"]
    assert divergence(store) == found  # every actor: the same one
    assert divergence(store, "Putin", since="2025-04") == []
    assert divergence(store, "Putin", period="quarter")[0].period == "2025-Q1"

    text = " ".join(render_divergences(found, width=100).split())
    assert refusal in text and opening in text and BACK_CHANNEL in text
    assert d.to_dict()["public"][0]["signal_id"] == d.public[0].signal_id


def test_reverse_divergence_and_state_grouping(store):
    save(store, "Kyiv Independent", "https://kyivindependent.example/1", "2025-06-03",
         [sig("Zelenskyy said in his nightly address that Ukraine is ready for talks.",
              actor="Volodymyr Zelenskyy", topic="talks", channel="public", when="2025-06-03")])
    save(store, "Axios", "https://axios.example/2", "2025-06-15",
         [sig("Ukrainian negotiators privately rejected the draft deal.", actor="Ukraine", stance="refuses",
              topic="deal", channel="private", when="2025-06-14", sources=("two US officials",))])
    assert divergence(store, "Volodymyr Zelenskyy") == []  # the refusal is Ukraine's, not his
    grouped = divergence(store, "Zelenskyy", group_state=True)
    assert [(d.actor, d.period, d.kind) for d in grouped] == [("Ukraine", "2025-06", REVERSE)]
    assert grouped[0].actors == ["Ukraine", "Volodymyr Zelenskyy"]
    assert divergence(store, group_state=True) == grouped
    assert divergence(store, "Zelenskyy", group_state=True, same_topic=True) == []  # talks vs deal


# ---- corroboration -------------------------------------------------------------------------------------
def test_five_outlets_echoing_one_nyt_report_are_one_origin(store):
    ids = save_nyt_and_echoes(store)
    claims = corroboration(store)
    assert len(claims) == 1
    claim = claims[0]
    assert (claim.actor, claim.stance, claim.topic) == ("Vladimir Putin", "open", "ceasefire")
    assert (claim.first_date, claim.last_date) == ("2025-03-10", "2025-03-13")
    assert sorted(claim.article_ids) == sorted(ids) and len(claim.signal_ids) == 6
    assert len(claim.outlets) == 6
    assert claim.origin_count == 1 and not claim.corroborated
    assert claim.origin_names == ["The New York Times"]
    assert "The New York Times" in render_claims(claims)
    assert claim.to_dict()["origin_count"] == 1


def test_two_independent_reports_are_two_origins(store):
    save_nyt_and_echoes(store)
    save(store, "The Wall Street Journal", "https://wsj.example/putin", "2025-03-14",
         [sig("Putin is open to a ceasefire that would freeze the current front line, a European diplomat "
              "briefed on the contacts said.", when="2025-03-14", sources=("a European diplomat",))])
    # Different stance, and the same position three weeks later: other claims.
    save(store, "Reuters", "https://reuters.example/refuse", "2025-03-12",
         [sig("Putin refuses a ceasefire along the current front line.", stance="refuses", channel="public",
              when="2025-03-12")])
    save(store, "Reuters", "https://reuters.example/later", "2025-04-08",
         [sig("Putin is open to a ceasefire freezing the current front line, Reuters reported.",
              when="2025-04-08")])
    claims = corroboration(store)
    main = next(c for c in claims if len(c.signal_ids) > 1)
    assert main.origin_count == 2 and main.corroborated
    assert sorted(main.origin_names) == ["The New York Times", "The Wall Street Journal"]
    assert len(claims) == 3 and sum(c.corroborated for c in claims) == 1
    assert [len(c.signal_ids) for c in corroboration(store, min_signals=2)] == [7]
    assert corroboration(store, since="2025-04")[0].first_date == "2025-04-08"

    wsj = next(p for p in timeline(store, "Putin") if p.outlet == "The Wall Street Journal")
    found = claim_for(store, wsj.signal_id)
    assert found is not None and found.signal_ids == main.signal_ids and found.origin_count == 2
    assert claim_for(store, wsj.signal_id, lookback_days=None).signal_ids == main.signal_ids
    assert claim_for(store, 10**9) is None


def test_a_syndicated_copy_counts_once(store):
    original = WIRE
    copy = WIRE.replace("By Jane Doe, Associated Press", "By Metro Herald staff").replace(
        "according to the wire's reporting", "according to the reporting")
    ap = save(store, "Associated Press", "https://apnews.example/putin-ceasefire", "2025-03-10",
              [sig(WIRE_EVIDENCE, when="2025-03-10")], body=original, author="Jane Doe")
    herald = save(store, "Metro Herald", "https://metroherald.example/world/putin", "2025-03-11",
                  [sig(WIRE_EVIDENCE, when="2025-03-10")], body=copy, author="Metro Herald staff")
    assert ap != herald  # two stored articles: the store keeps syndicated copies apart

    claims = corroboration(store)
    assert len(claims) == 1
    claim = claims[0]
    assert claim.origin_count == 1 and not claim.corroborated
    assert claim.copies == [[ap, herald]]
    assert sorted(claim.origins[0].names) == ["Associated Press", "Metro Herald"]

    # An article written separately by another outlet is a second origin.
    save(store, "Kyiv Bulletin", "https://kyivbulletin.example/own", "2025-03-12",
         [sig("Putin is open to a ceasefire along the current front line, Ukrainian intelligence said.",
              when="2025-03-12", sources=("Ukrainian intelligence",))],
         body="Our correspondent reports from Kyiv on a week of diplomacy and fighting in the east.")
    claim = corroboration(store)[0]
    assert claim.origin_count == 2 and claim.corroborated
    assert claim.copies == [[ap, herald]]


def test_near_duplicate_threshold_separates_copies_from_separate_writeups():
    copy = WIRE.replace("By Jane Doe, Associated Press", "By Metro Herald staff")
    assert resemblance(sketch(WIRE), sketch(copy)) >= COPY_THRESHOLD
    rewrite = " ".join(reversed(WIRE.split(". ")))  # same sentences reordered: still mostly shared shingles
    assert resemblance(sketch(WIRE), sketch(rewrite)) >= 0.6
    other = "Putin is open to a ceasefire along the current front line, Ukrainian intelligence said."
    assert resemblance(sketch(WIRE), sketch(other)) < COPY_THRESHOLD
    assert resemblance(sketch(""), sketch(WIRE)) == 0.0


def test_month_dated_report_joins_the_day_dated_ones(store):
    save_nyt_and_echoes(store)
    save(store, "Meduza", "https://meduza.example/month", "2025-03-30",
         [sig("Earlier this month Putin signalled he was open to a ceasefire on the current front line, "
              "a Kremlin insider said.", when="2025-03", sources=("a Kremlin insider",))])
    claims = corroboration(store)
    assert len(claims) == 1 and claims[0].origin_count == 2
    assert claims[0].last_date == "2025-03"


def chain_origin(sources: list[str], outlet: str, url: str = "", article_id: str = "") -> tuple[str, str]:
    """The origin key and name the analysis gives a chain, from the origin the extractor decides for it."""
    return origin_of(origin_name(sources, outlet, ActorRegistry.default()), url, article_id)


def test_origins_follow_the_innermost_identifiable_link():
    assert chain_origin(["two former senior Russian officials", "NYT"], "Peace News")[1] == "The New York Times"
    assert chain_origin(["two former senior Russian officials"], "The New York Times")[1] == "The New York Times"
    assert chain_origin(["the New York Times"], "Daily Echo")[0] == chain_origin([], "The New York Times")[0]
    assert chain_origin(["Kremlin spokesman Dmitry Peskov"], "TASS")[1] == "Dmitry Peskov"
    assert chain_origin([], "", "https://www.example.org/x")[1] == "example.org"
    assert chain_origin(["a senior official"], "", "", "abc123")[0] == "article:abc123"
    for anonymous in ("a senior Russian official", "Western diplomats", "people familiar with the talks",
                      "one of his closest aides", "US officials"):
        assert is_anonymous(anonymous), anonymous
    for named in ("The New York Times", "Dmitry Peskov", "the Kremlin", "Ukraine's foreign minister"):
        assert not is_anonymous(named), named


def test_article_texts_are_read_only_for_claims_with_several_origins(store):
    save_nyt_and_echoes(store)  # one origin: no text needed
    read: list[str] = []
    original = store.article

    def counting(aid):
        read.append(aid)
        return original(aid)

    store.article = counting  # type: ignore[method-assign]
    claims = corroboration(store, sketches=SketchCache(store, maxsize=2))
    assert claims[0].origin_count == 1 and read == []

    save(store, "The Wall Street Journal", "https://wsj.example/putin", "2025-03-14",
         [sig("Putin is open to a ceasefire freezing the current front line, a European diplomat said.",
              when="2025-03-14", sources=("a European diplomat",))])
    corroboration(store, sketches=SketchCache(store, maxsize=2))
    assert len(read) == 7 and len(set(read)) == 7  # each article read once, even with a tiny cache


def test_claims_are_yielded_while_the_signals_are_still_streaming(store):
    save_nyt_and_echoes(store)
    save(store, "Reuters", "https://reuters.example/june", "2025-06-01",
         [sig("Putin refused talks.", stance="refuses", topic="talks", channel="public", when="2025-06-01")])
    pulled: list[int] = []
    original = store.iter_signals

    def counting(**kwargs):
        for s in original(**kwargs):
            pulled.append(s["id"])
            yield s

    store.iter_signals = counting  # type: ignore[method-assign]
    claims = iter_claims(store)
    first = next(claims)
    assert len(first.signal_ids) == 6 and len(pulled) == 7  # the March claim closed when June was read
    assert [c.stance for c in claims] == ["refuses"]


def test_hostile_filters_give_empty_results(store):
    save_nyt_and_echoes(store)
    for hostile in ("' OR 1=1 --", "2025-03'; DROP TABLE signals; --"):
        assert timeline(store, hostile) == []
        assert divergence(store, hostile) == []
        assert corroboration(store, since=hostile) == []
    assert len(corroboration(store)) == 1


def test_plot_timeline_writes_a_png(tmp_path):
    path = plot_timeline(_points(-1, -1, 0, 1, 1), tmp_path / "t.png")
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000
    with pytest.raises(BackchannelError, match="nothing to plot"):  # no empty chart that looks like an answer
        plot_timeline([], tmp_path / "empty.png")
    assert not (tmp_path / "empty.png").exists()


def test_renderers_say_so_when_empty():
    assert render_timeline([]) == "No signals.\n"
    assert render_divergences([]) == "No divergences.\n"
    assert render_claims([]) == "No claims.\n"

