"""The actor alias registry: mentions -> canonical actors, by date, and the bundled data's integrity."""

from __future__ import annotations

import json
from datetime import date

import pytest

from backchannel.errors import ActorFileError, BackchannelError
from backchannel.nlp.registry import KINDS, ActorRegistry, normalise_mention


@pytest.fixture(scope="module")
def reg() -> ActorRegistry:
    return ActorRegistry.default()


def name(reg: ActorRegistry, mention: str, on: date | None = None) -> str | None:
    entry = reg.lookup(mention, on=on)
    return entry.name if entry else None


# ---- titles resolve by date ---------------------------------------------------------------------
@pytest.mark.parametrize(
    "mention, on, expected",
    [
        ("the US president", date(2023, 6, 1), "Joe Biden"),
        ("the US president", date(2025, 6, 1), "Donald Trump"),
        ("President of the United States", date(2019, 6, 1), "Donald Trump"),
        ("the US president", date(2025, 1, 20), "Donald Trump"),  # handover day: the successor
        ("the US president", date(2025, 1, 19), "Joe Biden"),
        ("Ukraine's foreign minister", date(2023, 3, 1), "Dmytro Kuleba"),
        ("Ukraine’s foreign minister", date(2025, 3, 1), "Andrii Sybiha"),
        ("the Ukrainian foreign minister", date(2024, 9, 5), "Andrii Sybiha"),
        ("the Israeli prime minister", date(2022, 8, 1), "Yair Lapid"),
        ("Israel’s prime minister", date(2025, 10, 1), "Binyamin Netanyahu"),
        ("the British prime minister", date(2022, 10, 1), "Liz Truss"),
        ("the German chancellor", date(2024, 1, 1), "Olaf Scholz"),
        ("the German chancellor", date(2025, 6, 1), "Friedrich Merz"),
        ("the Syrian president", date(2024, 6, 1), "Bashar al-Assad"),
        ("the Syrian president", date(2025, 6, 1), "Ahmed al-Sharaa"),
        ("the Hezbollah leader", date(2024, 1, 1), "Hassan Nasrallah"),
        ("the Hezbollah leader", date(2025, 1, 1), "Naim Qassem"),
        ("the pope", date(2024, 1, 1), "Pope Francis"),
        ("NATO secretary general", date(2023, 1, 1), "Jens Stoltenberg"),
    ],
)
def test_titles_resolve_to_the_holder_on_the_day(reg, mention, on, expected):
    assert name(reg, mention, on) == expected


def test_without_a_date_a_title_means_the_current_holder(reg):
    assert name(reg, "the US president") == "Donald Trump"
    assert name(reg, "the Russian president") == "Vladimir Putin"
    assert name(reg, "NATO chief") == "Mark Rutte"


def test_a_title_nobody_held_on_the_day_names_nobody(reg):
    assert reg.lookup("the Syrian interim president", on=date(2023, 1, 1)) is None
    assert reg.lookup("RDIF chief", on=date(2023, 1, 1)) is not None  # tenure unknown: always valid


def test_a_shared_surname_resolves_by_date(reg):
    # "Sinwar" is Yahya until his death, then his brother Mohammed: a dated form, not an alias.
    assert name(reg, "Sinwar", date(2023, 10, 10)) == "Yahya Sinwar"
    assert name(reg, "Sinwar", date(2025, 2, 1)) == "Mohammed Sinwar"
    assert name(reg, "Aoun", date(2021, 1, 1)) == "Michel Aoun"
    assert name(reg, "Aoun", date(2025, 3, 1)) == "Joseph Aoun"
    # full names never depend on the date
    assert name(reg, "Yahya Sinwar", date(2025, 6, 1)) == "Yahya Sinwar"


# ---- names, spellings, honorifics, possessives -------------------------------------------------------
@pytest.mark.parametrize(
    "mention, expected",
    [
        ("Putin", "Vladimir Putin"),
        ("Mr Putin", "Vladimir Putin"),
        ("Mr. Putin’s", "Vladimir Putin"),
        ("PUTIN'S", "Vladimir Putin"),
        ("President Zelensky’s", "Volodymyr Zelenskyy"),
        ("Zelenskiy", "Volodymyr Zelenskyy"),
        ("Zelenskyy", "Volodymyr Zelenskyy"),
        ("Erdoğan", "Recep Tayyip Erdogan"),
        ("President Erdogan", "Recep Tayyip Erdogan"),
        ("Benjamin Netanyahu", "Binyamin Netanyahu"),
        ("Bibi", "Binyamin Netanyahu"),
        ("Sir Keir Starmer", "Keir Starmer"),
        ("Sheikh Tamim", "Tamim bin Hamad Al Thani"),
        ("Sheikh Mohammed bin Abdulrahman al-Thani", "Mohammed bin Abdulrahman Al Thani"),
        ("Mohammed bin Abdulrahman Al Thani", "Mohammed bin Abdulrahman Al Thani"),
        ("Field Marshal Asim Munir", "Asim Munir"),
        ("Gen. Burhan", "Abdel Fattah al-Burhan"),
        ("Hemedti", "Mohamed Hamdan Dagalo"),
        ("Ben Gvir", "Itamar Ben-Gvir"),
        ("Jolani", "Ahmed al-Sharaa"),
        ("Abdul-Malik al-Houthi", "Abdul-Malik al-Houthi"),
        ("Russian President Vladimir Putin", "Vladimir Putin"),
        ("Secretary of State Marco Rubio", "Marco Rubio"),
        ("Hamas official Taha al-Nounou", "Taha al-Nounou"),
        ("the Trump administration", "Donald Trump"),
    ],
)
def test_names_spellings_honorifics_and_possessives(reg, mention, expected):
    assert name(reg, mention) == expected


def test_a_title_is_not_mistaken_for_an_honorific(reg):
    assert normalise_mention("President of Russia") == "president of russia"
    assert name(reg, "President of Russia", date(2024, 1, 1)) == "Vladimir Putin"


def test_normalise_mention():
    assert normalise_mention("Mr. Putin’s") == "putin"
    assert normalise_mention("  The  Élysée ") == "elysee"
    assert normalise_mention("Abdul-Malik al‑Houthi") == "abdul malik al houthi"
    assert normalise_mention("the U.S.") == "us"
    assert normalise_mention("Sheikh Mohammed bin Abdulrahman Al Thani") == normalise_mention(
        "Mohammed bin Abdulrahman al-Thani"
    )


def test_a_name_after_of_is_someone_elses(reg):
    assert reg.lookup("the wife of Vladimir Putin") is None


# ---- metonyms, groups, demonym phrases --------------------------------------------------------------
@pytest.mark.parametrize(
    "mention, expected",
    [
        ("the Kremlin", "Russia"),
        ("Moscow", "Russia"),
        ("Kyiv", "Ukraine"),
        ("Kiev", "Ukraine"),
        ("Washington", "United States"),
        ("the White House", "United States"),
        ("Downing Street", "United Kingdom"),
        ("the Élysée", "France"),
        ("the Elysee", "France"),
        ("Beijing", "China"),
        ("Tehran", "Iran"),
        ("the Houthis", "Houthis"),
        ("Ansar Allah", "Houthis"),
        ("the RSF", "Rapid Support Forces"),
        ("the Rapid Support Forces", "Rapid Support Forces"),
        ("AFC/M23", "M23"),
        ("Hizbollah", "Hezbollah"),
    ],
)
def test_metonyms_and_groups(reg, mention, expected):
    assert name(reg, mention) == expected


@pytest.mark.parametrize(
    "mention, expected",
    [
        ("Russian officials", "Russia"),
        ("the Russian government", "Russia"),
        ("the Russian side", "Russia"),
        ("Russian authorities", "Russia"),
        ("Russian negotiators", "Russia"),
        ("top Russian officials", "Russia"),
        ("a senior Russian official", "Russia"),
        ("Russia's government", "Russia"),
        ("US officials", "United States"),
        ("the Ukrainian delegation", "Ukraine"),
        ("Israeli officials", "Israel"),
        ("Houthi officials", "Houthis"),
        ("Hamas negotiators", "Hamas"),
    ],
)
def test_demonym_phrases(reg, mention, expected):
    assert name(reg, mention) == expected


def test_an_explicit_alias_beats_a_generated_demonym_phrase(reg):
    assert name(reg, "the Israeli military") == "Israel Defense Forces"
    assert name(reg, "the Sudanese army") == "Sudanese Armed Forces"
    assert name(reg, "Israeli forces") == "Israel"


def test_state_for_demonym_and_country_of(reg):
    assert reg.state_for_demonym("Russian") == "Russia"
    assert reg.state_for_demonym("Ukrainian") == "Ukraine"
    assert reg.state_for_demonym("Israeli") == "Israel"
    assert reg.state_for_demonym("Israelis") == "Israel"
    assert reg.state_for_demonym("Houthi") is None  # a group, not a state
    assert reg.state_for_demonym("Martian") is None
    assert reg.country_of("Vladimir Putin") == "Russia"
    assert reg.country_of("Russia") == "Russia"
    assert reg.country_of("Hemedti") == "Sudan"
    assert reg.country_of("António Guterres") is None
    assert reg.country_of("Nobody Known") is None


# ---- what must not match ----------------------------------------------------------------------------------
@pytest.mark.parametrize("mention", ["", "the group", "the president", "officials", "Martians", "John Smith", "Putinism"])
def test_unknown_mentions_give_none(reg, mention):
    assert reg.lookup(mention) is None


def test_aliases_that_are_english_words_need_a_capital(reg):
    assert name(reg, "US") == "United States"
    assert name(reg, "the U.S.") == "United States"
    assert reg.lookup("us") is None
    assert name(reg, "Trump") == "Donald Trump"
    assert reg.lookup("trump") is None
    assert name(reg, "Turkey") == "Turkey"
    assert reg.lookup("turkey") is None


# ---- surface forms for the phrase matcher -------------------------------------------------------------
def test_surface_forms_longest_first_with_plain_spellings(reg):
    forms = reg.surface_forms()
    lengths = [len(f) for f, _ in forms]
    assert lengths == sorted(lengths, reverse=True)
    pairs = set(forms)
    assert ("Kremlin", "Russia") in pairs
    assert ("Erdoğan", "Recep Tayyip Erdogan") in pairs
    assert ("Élysée", "France") in pairs and ("Elysee", "France") in pairs
    assert ("Russian officials", "Russia") in pairs
    # a title is listed once per holder; lookup() with a date picks one
    assert {"Joe Biden", "Donald Trump"} <= {n for f, n in forms if f == "US president"}


# ---- user files -----------------------------------------------------------------------------------------
def write(tmp_path, data, filename="actors.json"):
    path = tmp_path / filename
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def test_a_user_file_extends_and_overrides(reg, tmp_path):
    path = write(tmp_path, {"version": 1, "actors": [
        {"name": "Vladimir Putin", "kind": "person", "country": "Russia", "aliases": ["Vova"]},
        {"name": "Jane Envoy", "kind": "person", "country": "Norway", "aliases": ["Envoy Jane"],
         "titles": [{"title": "Norwegian peace envoy", "from": "2024-01-01", "until": None}]},
        {"name": "Mike Johnson", "kind": "person", "country": "United States", "aliases": ["Johnson"]},
        {"name": "Taha al-Nounou", "kind": "person", "country": "Palestinians", "aliases": ["Taher al-Nunu"]},
    ]})
    user = ActorRegistry.from_file(path)
    assert len(user) == 4
    merged = reg.extended(user)
    assert len(merged) == len(reg) + 1  # three entries merge with defaults, one is new
    assert name(merged, "Vova") == "Vladimir Putin"
    assert name(merged, "Mr Putin") == "Vladimir Putin"  # default aliases kept
    assert name(merged, "the Russian president", date(2024, 1, 1)) == "Vladimir Putin"  # titles kept
    assert name(merged, "Norwegian peace envoy", date(2024, 6, 1)) == "Jane Envoy"
    assert merged.lookup("Norwegian peace envoy", on=date(2023, 6, 1)) is None
    assert name(merged, "Johnson") == "Mike Johnson"  # the user's claim on a default alias wins
    assert name(reg, "Johnson") == "Boris Johnson"  # and the default registry is untouched
    assert merged.country_of("Jane Envoy") == "Norway"


@pytest.mark.parametrize(
    "content, fragment",
    [
        ("{not json", "not valid JSON (line 1"),
        ({"actors": {"name": "x"}}, "\"actors\" list"),
        ({"actors": [{"kind": "person"}]}, "actors[0]: field 'name'"),
        ({"actors": [{"name": "A", "kind": "wizard"}]}, "actors[0] (A): field 'kind'"),
        ({"actors": [{"name": "A", "kind": "person", "aliases": "A1"}]}, "actors[0] (A): field 'aliases'"),
        ({"actors": [{"name": "A", "kind": "person"}, {"name": "B", "kind": "person", "titles": [
            {"title": "boss", "from": "2024-13-01"}]}]}, "actors[1] (B): titles[0]: field 'from'"),
        ({"actors": [{"name": "A", "kind": "person", "titles": [
            {"title": "boss", "from": "2024-02-01", "until": "2023-01-01"}]}]}, "must be after"),
        ({"actors": [{"name": "A", "kind": "person", "alias": ["x"]}]}, "unknown field(s) 'alias'"),
        ({"actors": [{"name": "A", "kind": "person"}, {"name": "A", "kind": "state"}]}, "repeats actors[0]"),
        ({"version": 2, "actors": []}, "unsupported version"),
    ],
)
def test_a_malformed_user_file_names_the_file_and_the_problem(tmp_path, content, fragment):
    path = write(tmp_path, content, "my-actors.json")
    with pytest.raises(ActorFileError) as err:
        ActorRegistry.from_file(path)
    message = str(err.value)
    assert str(path) in message
    assert fragment in message
    assert isinstance(err.value, BackchannelError)


def test_a_missing_user_file_is_an_actor_file_error(tmp_path):
    with pytest.raises(ActorFileError, match="nowhere.json"):
        ActorRegistry.from_file(tmp_path / "nowhere.json")


def test_yaml_is_read_when_pyyaml_is_installed_and_explained_when_not(tmp_path):
    path = write(tmp_path, "actors:\n  - name: Aa Bb\n    kind: person\n    aliases: [Bbb]\n", "actors.yaml")
    try:
        import yaml  # noqa: F401
    except ImportError:
        with pytest.raises(ActorFileError, match="PyYAML"):
            ActorRegistry.from_file(path)
    else:
        assert ActorRegistry.from_file(path).lookup("Bbb").name == "Aa Bb"


# ---- the bundled file --------------------------------------------------------------------------------
def test_default_registry_is_loaded_once(reg):
    assert ActorRegistry.default() is reg


def test_bundled_file_is_broad(reg):
    assert len(reg) >= 300
    kinds = {e.kind for e in reg}
    assert kinds == set(KINDS)
    for must in ["Vladimir Putin", "Volodymyr Zelenskyy", "Donald Trump", "Hamas", "Houthis", "Rapid Support Forces",
                 "M23", "Arakan Army", "ELN", "al-Shabaab", "António Guterres", "Mark Rutte", "Hun Manet",
                 "Nikol Pashinyan", "Asim Munir", "Abiy Ahmed", "Steve Witkoff", "Naim Qassem"]:
        assert reg.by_name(must) is not None, must


def test_bundled_file_has_no_conflicts(reg):
    # No alias claimed by two actors, no title held by two actors at once.  Shared surnames
    # ("Sinwar", "Aoun") are deliberately dated titles, so they pass this check.
    assert reg.conflicts() == []


def test_bundled_entries_are_consistent(reg):
    states = {e.name for e in reg if e.kind == "state"}
    names = [e.name for e in reg]
    assert len(names) == len(set(names))
    for entry in reg:
        assert entry.kind in KINDS
        if entry.country is not None:
            assert entry.country in states, f"{entry.name}: unknown country {entry.country}"
        if entry.kind == "state":
            assert entry.country == entry.name and entry.demonyms, entry.name
        for title in entry.titles:
            if title.since and title.until:
                assert title.since < title.until, (entry.name, title)
            for day in (title.since, title.until):
                assert day is None or date(1980, 1, 1) <= day <= date(2027, 1, 1), (entry.name, title)
        for form in (entry.name, *entry.aliases):
            assert normalise_mention(form), (entry.name, form)


def test_the_gold_canonical_names_are_the_registry_names(reg):
    # Output names must equal the canonical names the evaluation expects.
    for mention, canonical in [("Netanyahu", "Binyamin Netanyahu"), ("Erdoğan", "Recep Tayyip Erdogan"),
                               ("Milley", "Mark Milley"), ("Boris Johnson", "Boris Johnson"),
                               ("the EU", "European Union"), ("Miroshnik", "Rodion Miroshnik")]:
        assert name(reg, mention) == canonical
