"""Conflict, counterpart and role on every signal, end to end: real extractions of texts written here (a
party, a third party, a war the conflict data does not know), a user's ``--conflicts`` file, the PLOVER
and CSV exports, the CLI's ``--conflict`` filter and ``--group-state``, which must never merge the two
sides of one war.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from backchannel.analysis import divergence, timeline
from backchannel.cli.commands import build_parser, main
from backchannel.export import export_signals
from backchannel.jobs.extractor import Extractor, ExtractorSpec
from backchannel.nlp.conflicts import ConflictRegistry
from backchannel.records import ROLES, Article
from backchannel.store import open_store

SUDAN = ("Fighting raged in El Fasher and across Darfur on Monday. The Rapid Support Forces said in a public "
         "statement on Monday that they rejected any ceasefire. The Sudanese army has privately told Saudi "
         "mediators in a back channel that it is ready for a truce, according to two diplomats.")
GAZA = "Qatar urged Israel and Hamas to agree a ceasefire in Gaza, officials in Doha said on Tuesday."
NOWHERE = "The Freedonian Liberation Front said it was ready for talks with the government to end the war."
FREEDONIA = {"version": 1, "conflicts": [{
    "id": "freedonia", "name": "Freedonian insurgency", "since": 2020, "until": None,
    "sides": [["Freedonia"], ["Freedonian Liberation Front"]], "mediators": ["Sylvania"],
    "strong": ["Freedonian Liberation Front", "Freedonian"], "weak": ["the government"]}]}


def by_actor(result) -> dict:
    return {s.actor: s for s in result.signals}


def side(conflict_id: str, name: str) -> int | None:
    return ConflictRegistry.default().by_id(conflict_id).side_of([name])


# ---- extraction ---------------------------------------------------------------------------------------------

def test_the_two_parties_of_a_civil_war_face_each_other(extract):
    signals = by_actor(extract(SUDAN))
    rsf, army = signals["Rapid Support Forces"], signals["Sudanese Armed Forces"]
    assert (rsf.stance, army.stance) == ("refuses", "open")  # the signals themselves, as before
    for s in (rsf, army):
        assert s.conflict == "Sudanese civil war" and s.role == "party"
    # each is addressed to a member of the other side, never to its own
    assert side("sudan", army.counterpart) == side("sudan", rsf.actor) != side("sudan", army.actor)
    assert side("sudan", rsf.counterpart) == side("sudan", army.actor)
    assert "Saudi Arabia" not in signals or signals["Saudi Arabia"].role == "third_party"


def test_the_learned_decision_places_a_mediator_as_a_third_party_and_a_side_as_a_party(extractor):
    signals = by_actor(extractor.extract(Article(text=GAZA, published="2025-03-14")))
    qatar = signals["Qatar"]
    assert (qatar.conflict, qatar.role) == ("Israeli–Palestinian conflict and Gaza war", "third_party")
    assert set(qatar.counterpart.split(" and ")) == {"Israel", "Hamas"}  # both sides
    if "Israel" in signals:  # the model also reads Israel as agreeing: a party, addressed to Hamas
        assert (signals["Israel"].role, signals["Israel"].counterpart) == ("party", "Hamas")
    assert {s.role for s in signals.values()} <= set(ROLES)


def test_a_signal_in_a_war_the_data_does_not_know_is_still_a_signal_with_empty_fields(extract):
    (flf,) = extract(NOWHERE).signals
    assert flf.actor == "Freedonian Liberation Front" and flf.stance
    assert (flf.conflict, flf.counterpart, flf.role) == ("", "", "")
    printed = flf.to_dict()
    assert (printed["conflict"], printed["counterpart"], printed["role"]) == ("", "", "")


def test_a_users_conflict_file_places_its_war_and_changes_the_extractor_version(tmp_path: Path):
    path = tmp_path / "conflicts.json"
    path.write_text(json.dumps(FREEDONIA), encoding="utf-8")
    args = build_parser().parse_args(["extract", "--conflicts", str(path), "--signal-model", "rules", "x.txt"])
    spec = ExtractorSpec.from_flags(args)
    assert spec.conflicts_file == str(path)
    assert spec.version != ExtractorSpec(signal_model="rules").version
    extractor = Extractor(signal_model="rules", all_articles=True, conflicts_file=str(path))
    (flf,) = extractor.extract(Article(text=NOWHERE, published="2025-03-14")).signals
    assert (flf.conflict, flf.role, flf.counterpart) == ("Freedonian insurgency", "party", "Freedonia")


def test_a_malformed_conflict_file_is_one_line_and_exit_status_2(tmp_path: Path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text('{"conflicts": [{"id": "x"}]}', encoding="utf-8")
    article = tmp_path / "a.txt"
    article.write_text(NOWHERE, encoding="utf-8")
    assert main(["extract", "--conflicts", str(bad), str(article)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(bad) in err and "Traceback" not in err


# ---- store, exports, CLI ------------------------------------------------------------------------------------

@pytest.fixture
def db(extract, tmp_path: Path) -> str:
    path = str(tmp_path / "conflicts.db")
    with open_store(path) as store:
        for text in (SUDAN, NOWHERE):
            store.save(extract(text, outlet="Test Desk"), None, "test")
    return path


def test_plover_target_actor_is_the_counterpart_and_csv_has_the_fields(db: str):
    with open_store(db) as store:
        rows = {r["actor"]: r for r in store.signals()}
        plover = io.StringIO()
        export_signals(store, "plover", plover)
        table = io.StringIO()
        export_signals(store, "csv", table)
    events = {e["source_actor"]: e for e in map(json.loads, plover.getvalue().splitlines())}
    for actor, row in rows.items():
        assert events[actor]["target_actor"] == row["counterpart"]
    assert events["Rapid Support Forces"]["target_actor"]  # placed: a counterpart
    assert events["Freedonian Liberation Front"]["target_actor"] == ""  # no known war: none
    cells = {r["actor"]: r for r in csv.DictReader(io.StringIO(table.getvalue()))}
    assert cells["Sudanese Armed Forces"]["conflict"] == "Sudanese civil war"
    assert cells["Sudanese Armed Forces"]["role"] == "party"


def test_cli_conflict_filter_and_its_did_you_mean(db: str, capsys):
    assert main(["signals", "--db", db, "--conflict", "sudanese CIVIL war", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["actor"] for r in rows} >= {"Rapid Support Forces", "Sudanese Armed Forces"}
    assert {r["conflict"] for r in rows} == {"Sudanese civil war"}
    assert main(["export", "--db", db, "--format", "jsonl", "--conflict", "Sudanese civil war"]) == 0
    exported = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert sorted(r["id"] for r in exported) == sorted(r["id"] for r in rows)
    assert main(["signals", "--db", db, "--conflict", "Sudan civil war"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1
    assert "did you mean 'Sudanese civil war'?" in captured.err


def test_show_prints_the_conflict(db: str, capsys):
    with open_store(db) as store:
        (army,) = store.signals(actor="Sudanese Armed Forces")
    assert main(["show", "--db", db, str(army["id"])]) == 0
    assert f"conflict    Sudanese civil war (party, addressed to {army['counterpart']})" in capsys.readouterr().out


# ---- --group-state -----------------------------------------------------------------------------------------

def test_group_state_never_merges_the_rsf_with_the_sudanese_army(db: str):
    with open_store(db) as store:
        army = timeline(store, "Sudanese Armed Forces", group_state=True)
        assert army and {p.actor for p in army} == {"Sudanese Armed Forces"}
        assert {p.actor for p in timeline(store, "Rapid Support Forces", group_state=True)} == {
            "Rapid Support Forces"}
        # the RSF's public refusal and the army's private opening are two sides of a war, not one
        # actor's public/private split
        assert divergence(store, group_state=True) == []


def test_without_the_stored_sides_the_same_signals_would_be_merged(extract, tmp_path: Path):
    """The control of the test above: the signals with their conflict fields cleared (as a database from
    before the conflict columns holds them) are grouped under Sudan, and read as a divergence."""
    result = extract(SUDAN, outlet="Test Desk")
    for s in result.signals:
        s.conflict = s.counterpart = s.role = ""
    with open_store(str(tmp_path / "old.db")) as store:
        store.save(result, None, "test")
        found = divergence(store, group_state=True)
    assert [d.actor for d in found] == ["Sudan"]
