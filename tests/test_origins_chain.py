"""Honest origins: a scoop relayed by other outlets leads back to the outlet that broke it.

Each rule of the chain of sources ("cited by X", "X reported", "told the news agency", "according to the
sources" resolved backwards, a dateline or headline wire tag) is tested with its twin that must not fire,
and the whole path is tested end to end: real spaCy parse (the hand-written rules), a real SQLite store,
the corroboration analysis and its rendering.  Every article here was written for these tests.
"""

from __future__ import annotations

import pytest

from backchannel.analysis import corroboration, render_claims
from backchannel.analysis.corroboration import NOT_CORROBORATED
from backchannel.jobs.extractor import Extractor
from backchannel.nlp.origins import wire_of
from backchannel.records import Article, ArticleResult
from backchannel.store import open_store

PUBLISHED = "2025-03-14"

# The scoop: the agency's own report, its sources anonymous.
SCOOP = ("MOSCOW (Reuters) - Vladimir Putin is open to a ceasefire along the current front line, four Russian "
         "officials with knowledge of Kremlin discussions told Reuters.\n\n"
         "The Kremlin did not respond to a request for comment on Thursday.")
# Relay 1: "cited by X".
RELAY_CITED = ("Vladimir Putin is open to a ceasefire along the current front line, four Russian officials "
               "cited by Reuters said on Thursday.\n\n"
               "Ukrainian commanders in the east reported heavy shelling overnight.")
# Relay 2: the agency named once, then "told the news agency", then "according to the officials" paragraphs later.
RELAY_AGENCY = ("Reuters on Thursday published an account of the Kremlin's thinking on the war.\n\n"
                "Four Russian officials with knowledge of the discussions told the news agency that the Kremlin "
                "was weighing its options.\n\n"
                "Kyiv has rejected any freeze of the war, and its allies are divided.\n\n"
                "The European Union is preparing a new package of sanctions.\n\n"
                "Several governments have asked for an emergency meeting in Brussels.\n\n"
                "According to the officials, Vladimir Putin is open to a ceasefire along the current front line.")
# Relay 3: "X reported", under a headline tag.
RELAY_REPORTED = ("Vladimir Putin is open to a ceasefire along the current front line, Reuters reported on "
                  "Thursday.\n\nThe report could not be independently verified.")


@pytest.fixture(scope="module")
def extract_article(rules_extractor: Extractor):
    everything = Extractor(nlp=rules_extractor.nlp, all_articles=True, signal_model="rules")

    def run(text: str, outlet: str, title: str = "", url: str = "") -> ArticleResult:
        return everything.extract(Article(text=text, published=PUBLISHED, outlet=outlet, title=title, url=url,
                                          source=url))

    return run


def putin_signals(result: ArticleResult) -> list:
    found = [s for s in result.signals if s.actor == "Vladimir Putin" and s.topic == "ceasefire"]
    assert found, f"no ceasefire signal for Putin in {result.article.outlet}'s article"
    return found


def chain_of(result: ArticleResult, speaker_start: str) -> list[str]:
    """The via of the attribution whose speaker starts with ``speaker_start``."""
    found = [a for a in result.attributions if a.speaker.startswith(speaker_start)]
    assert found, f"no attribution by {speaker_start!r}"
    return found[0].via


# ---- each rule with its twin ------------------------------------------------------------------------------
def test_cited_by_an_outlet_puts_the_outlet_in_the_chain(extract_article):
    relayed = putin_signals(extract_article(RELAY_CITED, "The Guardian"))
    assert relayed[0].sources == ["four Russian officials", "Reuters"] and relayed[0].origin == "Reuters"
    plain = putin_signals(extract_article(RELAY_CITED.replace(" cited by Reuters", ""), "The Guardian"))
    assert plain[0].sources == ["four Russian officials"] and plain[0].origin == "The Guardian"


def test_told_the_news_agency_means_the_agency_named_before(extract_article):
    text = ("Reuters interviewed officials in Moscow this week.\n\nPutin is open to a ceasefire along the "
            "current front line, two Russian officials told the news agency on Thursday.")
    assert chain_of(extract_article(text, "Daily Echo"), "two Russian officials") == ["Reuters"]
    # No agency named before it, and no wire tag: nothing to resolve to.
    alone = text.split("\n\n", 1)[1]
    assert chain_of(extract_article(alone, "Daily Echo"), "two Russian officials") == []
    # The agency named before is the article's own outlet: implied, never in a chain.
    assert chain_of(extract_article(text, "Reuters"), "two Russian officials") == []


def test_told_the_news_agency_falls_back_on_the_wire_tag(extract_article):
    text = ("Putin is open to a ceasefire along the current front line, two Russian officials told the news "
            "agency on Thursday.")
    tagged = extract_article(text, "Daily Echo", title="Putin open to truce on current lines – AP")
    assert chain_of(tagged, "two Russian officials") == ["Associated Press"]


def test_the_officials_resolve_back_to_the_officials_named_earlier(extract_article):
    result = extract_article(RELAY_AGENCY, "The Kyiv Independent")
    signal = putin_signals(result)[0]
    assert signal.sources == ["Four Russian officials with knowledge of the discussions", "Reuters"]
    assert signal.origin == "Reuters"
    # The twin: without the earlier paragraph there is nobody to resolve to, and no outlet.
    alone = putin_signals(extract_article(RELAY_AGENCY.rsplit("\n\n", 1)[1], "The Kyiv Independent"))[0]
    assert alone.sources == ["the officials"] and alone.origin == "Kyiv Independent"


def test_a_definite_source_of_another_kind_is_not_resolved(extract_article):
    text = RELAY_AGENCY.replace("According to the officials", "According to the diplomats")
    signal = putin_signals(extract_article(text, "The Kyiv Independent"))[0]
    assert signal.sources == ["the diplomats"] and signal.origin == "Kyiv Independent"


def test_a_definite_title_is_a_role_not_a_reference_back(extract_article):
    text = ("A senior minister told Reuters on Monday that the Kremlin was weighing a pause.\n\n"
            "The prime minister said Vladimir Putin is open to a ceasefire along the current front line.")
    assert putin_signals(extract_article(text, "Daily Echo"))[0].sources[0] == "The prime minister"
    bare = extract_article(text.replace("The prime minister", "The minister"), "Daily Echo")
    assert putin_signals(bare)[0].sources == ["A senior minister", "Reuters"]


def test_the_sources_may_be_any_unnamed_people_named_before(extract_article):
    text = RELAY_AGENCY.replace("According to the officials", "According to the sources")
    signal = putin_signals(extract_article(text, "The Kyiv Independent"))[0]
    assert signal.sources[-1] == "Reuters" and signal.origin == "Reuters"


@pytest.mark.parametrize("title, text, wire", [
    ("", "MOSCOW (Reuters) - Talks resumed.", "Reuters"),
    ("", "(AP) — Talks resumed.", "Associated Press"),
    ("", "KYIV, Ukraine (AP) — Talks resumed.", "Associated Press"),
    ("", "Envoys meet in Geneva on Monday. (AP Photo/Jane Roe)\n\nGENEVA (AP) — Talks resumed.", "Associated Press"),
    ("Putin open to a truce on current lines, Reuters reports", "Talks resumed.", "Reuters"),
    ("Putin open to a truce on current lines – AP", "Talks resumed.", "Associated Press"),
    ("Putin open to a truce on current lines (Reuters)", "Talks resumed.", "Reuters"),
])
def test_wire_tags_in_the_dateline_or_the_headline(title, text, wire):
    assert wire_of(title, text) == wire


@pytest.mark.parametrize("title, text", [
    ("", "KYIV (Ukraine) - Talks resumed."),
    ("Russia shelled Kharkiv overnight, Ukraine says", "Talks resumed."),
    ("Talks resume – analysis", "Talks resumed."),
    ("Putin open to a truce", "Talks resumed.\n\nA spokesman later cited a wire report. (Reuters) - it said."),
    ("Putin open to a truce", "Talks resumed, Reuters reports."),
])
def test_no_wire_tag_without_a_known_outlet_in_the_tag_position(title, text):
    assert wire_of(title, text) == ""


def test_a_dateline_makes_the_wire_the_origin_of_what_the_copy_states(extract_article):
    text = "Vladimir Putin is open to a ceasefire along the current front line, two officials said on Thursday."
    tagged = putin_signals(extract_article("LONDON (Reuters) - " + text, "The Guardian"))[0]
    assert tagged.sources == ["two officials", "Reuters"] and tagged.origin == "Reuters"
    untagged = putin_signals(extract_article(text, "The Guardian"))[0]
    assert untagged.sources == ["two officials"] and untagged.origin == "The Guardian"


def test_an_outlet_reporting_is_the_origin(extract_article):
    relayed = putin_signals(extract_article(RELAY_REPORTED, "Metro Herald"))[0]
    assert relayed.sources == ["Reuters"] and relayed.origin == "Reuters"
    own = putin_signals(extract_article(RELAY_REPORTED.replace("Reuters reported", "ministers said"),
                                        "Metro Herald"))[0]
    assert own.origin != "Reuters"


# ---- end to end: extract, store, corroboration ------------------------------------------------------------
def claims_for_putin(tmp_path, results: list[ArticleResult]):
    with open_store(str(tmp_path / "origins.db")) as store:
        for result in results:
            assert store.save(result, extractor_version="test").written
        claims = [c for c in corroboration(store) if c.actor == "Vladimir Putin" and c.topic == "ceasefire"]
    assert len(claims) == 1, [c.to_dict() for c in claims]
    return claims[0], render_claims(claims, width=400)


def test_a_scoop_relayed_by_other_outlets_is_one_origin_not_corroborated(extract_article, tmp_path):
    results = [
        extract_article(SCOOP, "Reuters", "Putin open to freezing the war", "https://wire.example/scoop"),
        extract_article(RELAY_CITED, "The Guardian", "Putin ready to halt war", "https://paper.example/relay"),
        extract_article(RELAY_AGENCY, "The Kyiv Independent", "Putin weighs a pause",
                        "https://kyiv.example/relay"),
        extract_article(RELAY_REPORTED, "Metro Herald", "Putin open to truce, Reuters reports",
                        "https://metro.example/relay"),
    ]
    claim, table = claims_for_putin(tmp_path, results)
    assert len(claim.article_ids) == 4 and len(claim.outlets) == 4
    assert claim.origin_names == ["Reuters"] and claim.origin_count == 1
    assert not claim.corroborated and claim.verdict == NOT_CORROBORATED
    assert NOT_CORROBORATED in table


def test_two_outlets_with_their_own_sources_are_two_origins_corroborated(extract_article, tmp_path):
    first = ("Vladimir Putin is open to a ceasefire along the current front line, two European diplomats "
             "told the Financial Times on Thursday.")
    second = ("Vladimir Putin is open to a ceasefire along the current front line, three Turkish officials "
              "told The Washington Post on Friday.")
    claim, table = claims_for_putin(tmp_path, [
        extract_article(first, "Financial Times", "Putin signals truce", "https://ft.example/a"),
        extract_article(second, "The Washington Post", "Ankara hears of truce", "https://wapo.example/b"),
    ])
    assert sorted(claim.origin_names) == ["Financial Times", "The Washington Post"]
    assert claim.corroborated and claim.verdict != NOT_CORROBORATED
    assert claim.verdict in table


def test_an_outlet_is_a_proper_name_not_the_same_words_in_lowercase(extract_article):
    """"The EU foreign policy chief" is no citation of the magazine Foreign Policy; "a reporter for Foreign
    Policy" is."""
    text = ("Vladimir Putin is open to a ceasefire along the current front line, the EU foreign policy chief, "
            "Kaja Kallas, told reporters on Thursday.")
    signal = putin_signals(extract_article(text, "Daily Echo"))[0]
    assert "Foreign Policy" not in signal.sources and signal.sources
    cited = text.replace("the EU foreign policy chief, Kaja Kallas,", "a reporter for Foreign Policy")
    assert "Foreign Policy" in putin_signals(extract_article(cited, "Daily Echo"))[0].sources


def test_a_relative_pronoun_speaker_is_the_noun_it_stands_for(extract_article):
    text = ("The truce was welcomed by Ukraine's foreign minister, who said that Kyiv was ready for talks on "
            "a lasting ceasefire.")
    result = extract_article(text, "Daily Echo")
    speakers = [a.speaker for a in result.attributions if "ready for talks" in a.content]
    assert speakers and speakers[0] == "Ukraine's foreign minister"
    plain = extract_article(text.replace(", who said that", ". He said that"), "Daily Echo")
    assert all(a.speaker != "who" for a in plain.attributions)


def test_the_first_person_inside_a_quote_is_the_quoted_speaker(extract_article):
    text = ('"I can tell you that the Kremlin is ready for a ceasefire," Donald Trump said on Thursday.')
    result = extract_article(text, "Daily Echo")
    inner = [a for a in result.attributions if a.content.startswith("the Kremlin is ready")]
    assert inner and inner[0].speaker == "Donald Trump" and inner[0].via == []
    assert all(a.speaker != "I" for a in result.attributions)


def test_who_was_prompted_to_speak_is_the_speaker(extract_article):
    text = ("The shelling prompted China and Russia to urge both sides to return to talks on a ceasefire.")
    speakers = [a.speaker for a in extract_article(text, "Daily Echo").attributions]
    assert speakers and not any("shelling" in s for s in speakers) and "China" in speakers[0]
    said = extract_article("China went on to urge both sides to return to talks on a ceasefire.", "Daily Echo")
    assert [a.speaker for a in said.attributions][:1] == ["China"]
