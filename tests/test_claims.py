"""One row per claim: a scoop relayed by other outlets is one claim, "reported by N outlets, M independent origins",
in ``analysis.claims``, the CLI (``signals --claims``) and the web (``/claims``, ``/claims/{id}``).

Real SQLite files filled with hand-built results (the grouping reads stored origins, no spaCy needed).
"""

from __future__ import annotations

import json

import pytest
from starlette.testclient import TestClient

import builders
from backchannel.analysis import claim_for
from backchannel.analysis.claims import claim_view, group
from backchannel.cli.commands import main
from backchannel.store import open_store
from backchannel.web import create_app
from test_web import ECHO, PRIVATE_OPENING, fill_store

SCOOP = "Russia is ready to freeze the war along the current front line, four Russian sources told Reuters."
RELAY_1 = "Russia is ready to freeze the war along the current front line, four Russian sources cited by Reuters said."
RELAY_2 = "According to the sources, Russia is ready to freeze the war along the current front line."
OTHER = "Ukraine refused any talks on territory, its foreign minister said."


def _article(text: str, outlet: str, published: str, url: str, actor: str, stance: str, sources: list[str],
             origin: str = ""):
    return builders.result(text, signals=[builders.signal(text, text, actor, stance, "ceasefire", "private",
                                                          when=published, sources=sources, origin=origin)],
                           outlet=outlet, published=published, url=url, title=text[:30])


@pytest.fixture
def db(tmp_path) -> str:
    path = str(tmp_path / "claims.db")
    with open_store(path) as store:
        for result in (
            _article(SCOOP, "Reuters", "2025-03-10", "https://reuters.example/scoop", "Russia", "open",
                     ["four Russian sources", "Reuters"]),
            _article(RELAY_1, "The Guardian", "2025-03-11", "https://guardian.example/relay", "Russia", "open",
                     ["four Russian sources", "Reuters"]),
            _article(RELAY_2, "Kyiv Independent", "2025-03-11", "https://kyiv.example/relay", "Russia", "open",
                     ["the sources", "Reuters"], origin="Reuters"),
            _article(OTHER, "Kyiv Independent", "2025-03-12", "https://kyiv.example/other", "Ukraine", "refuses", []),
        ):
            store.save(result, None, "1.0")
    return path


def _ids(db: str) -> dict[str, int]:
    with open_store(db) as store:
        return {s["evidence"]: s["id"] for s in store.signals()}


def test_a_relayed_scoop_is_one_claim_of_three_outlets_and_one_origin(db):
    ids = _ids(db)
    with open_store(db) as store:
        rows = group(store, store.signals(newest_first=True))
    assert [len(r.reports) for r in rows] == [1, 3]  # Ukraine's refusal (newest) first, then the scoop
    scoop = rows[1]
    assert scoop.label == "reported by 3 outlets, 1 independent origin"
    assert (scoop.origins, scoop.corroborated, scoop.verdict) == (["Reuters"], False, "Not corroborated")
    assert scoop.id == ids[SCOOP]
    assert [r["id"] for r in scoop.reports] == [ids[RELAY_2], ids[RELAY_1], ids[SCOOP]]  # the list's order kept
    assert rows[0].label == "reported by 1 outlet, 1 independent origin"


def test_a_filtered_list_keeps_the_claims_counts_and_lists_what_the_filter_kept(db):
    with open_store(db) as store:
        (row,) = group(store, store.signals(outlet="The Guardian"))
    assert row.label == "reported by 3 outlets, 1 independent origin"
    assert row.size == 3 and [r["outlet"] for r in row.reports] == ["The Guardian"]


def test_an_undated_signal_is_a_claim_of_its_own(tmp_path):
    text = "Hamas said it would never accept a truce."
    path = str(tmp_path / "u.db")
    with open_store(path) as store:
        store.save(builders.result(text, signals=[builders.signal(text, text, "Hamas", "refuses", "ceasefire")],
                                   outlet="Desk", url="https://desk.example/h"), None, "1.0")
        (row,) = group(store, store.signals())
        assert (row.first_date, row.label, len(row.reports)) == ("", "reported by 1 outlet, 1 independent origin", 1)
        assert claim_view(store, row.id).reports[0]["evidence"] == text
        assert claim_view(store, 424242) is None


def test_the_cli_shows_one_row_per_claim_and_expands_it(db, capsys):
    ids = _ids(db)
    assert main(["signals", "--claims", "--db", db]) == 0
    out = capsys.readouterr().out
    assert out.count("reported by 3 outlets, 1 independent origin. Not corroborated.") == 1
    assert "2 claims from 4 signals" in out and f"signal {ids[RELAY_1]}" not in out
    assert main(["signals", "--claims", "--expand", "--db", db]) == 0
    expanded = capsys.readouterr().out
    for evidence in (SCOOP, RELAY_1, RELAY_2):
        assert f"  - signal {ids[evidence]} " in expanded
    assert main(["signals", "--claims", "--format", "json", "--actor", "Russia", "--db", db]) == 0
    (claim,) = json.loads(capsys.readouterr().out)
    assert (claim["outlet_count"], claim["origin_count"], claim["signals"]) == (3, 1, 3)
    assert {r["id"] for r in claim["reports"]} == {ids[SCOOP], ids[RELAY_1], ids[RELAY_2]}


@pytest.mark.parametrize(("flags", "message"), [
    (["--claims", "--format", "csv"], "error: --claims: a claim is a group of rows; use --format table or json"),
    (["--expand"], "error: --expand lists each claim's reports: give it with --claims"),
])
def test_claim_flags_misused_are_one_line(db, capsys, flags, message):
    assert main(["signals", *flags, "--db", db]) == 2
    assert capsys.readouterr().err.strip() == message


def test_the_web_lists_claims_and_shows_one_with_its_reports(tmp_path):
    path = tmp_path / "web.db"
    ids = fill_store(path)
    with TestClient(create_app(str(path), None)) as client:
        listed = client.get("/claims.json?actor=Vladimir%20Putin").json()
        assert listed["signals"] == 3 and listed["count"] == 2
        claim = next(c for c in listed["claims"] if len(c["reports"]) == 2)
        assert claim["label"] == "reported by 2 outlets, 1 independent origin"
        by_member = client.get(f"/claims/{ids['echo']}.json").json()  # any member's id finds the claim
        assert by_member["id"] == claim["id"] == ids["private"]
        assert {r["evidence"] for r in by_member["reports"]} == {PRIVATE_OPENING, ECHO}
        page = client.get(f"/claims/{ids['private']}").text
        assert "Reported by 2 outlets, 1 independent origin" in page and "Not corroborated." in page
        html = client.get("/claims?actor=Vladimir%20Putin").text
        assert html.count('<li class="claim"') == 2 and "<details" in html
        assert 'href="/claims?actor=Vladimir+Putin"' in client.get("/actors/Vladimir%20Putin").text
        assert 'class="claims-link" href="/claims?stance=open"' in client.get("/search?stance=open").text
        assert f'href="/claims/{ids["private"]}"' in client.get(f"/signals/{ids['echo']}").text
        assert client.get("/claims/424242.json").status_code == 404
        assert client.get("/claims.json?stance=maybe").status_code == 400
        spec = client.get("/openapi.json").json()
        claim_schema = spec["components"]["schemas"]["ClaimRow"]
        assert set(claim_schema["required"]) <= set(by_member) <= set(claim_schema["properties"])


def test_a_corrected_signal_joins_the_claim_of_its_corrected_position(tmp_path):
    path = tmp_path / "web.db"
    ids = fill_store(path)
    with open_store(str(path)) as store:
        store.add_correction(ids["echo"], "stance", "refuses", "", "ana")
        assert claim_view(store, ids["echo"]).reports[0]["stance"] == "refuses"
        # no longer part of the private opening's claim: that one rests on the NYT report alone now
        assert [r["id"] for r in claim_view(store, ids["private"]).reports] == [ids["private"]]
        found = claim_for(store, ids["echo"])  # found by its corrected stance, though stored as "open"
        assert found is not None and (found.stance, found.signal_ids) == ("refuses", [ids["echo"]])
