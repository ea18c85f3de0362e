"""Corrections on the web: the signal page's forms (the token typed in, no script) and the API endpoint.

The app over a real SQLite file (``test_web.fill_store``), through Starlette's test client.
"""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from backchannel.store import open_store
from backchannel.web import create_app
from test_web import PRIVATE_OPENING, TOKEN, fill_store

SECOND = "The Kremlin denied it."  # a sentence of the private opening's article


@pytest.fixture
def site(tmp_path):
    path = tmp_path / "web.db"
    ids = fill_store(path)
    with TestClient(create_app(str(path), TOKEN)) as client:
        yield client, str(path), ids


def test_the_form_records_a_correction_and_the_page_shows_it(site):
    client, db, ids = site
    sid = ids["private"]
    page = client.get(f"/signals/{sid}").text
    assert f'action="/signals/{sid}/correct"' in page and 'type="password" name="token"' in page
    sent = client.post(f"/signals/{sid}/correct", data={"stance": "refuses", "channel": "", "by": "ana",
                                                        "note": "a refusal", "token": TOKEN}, follow_redirects=False)
    assert (sent.status_code, sent.headers["location"]) == (303, f"/signals/{sid}#corrected")
    page = client.get(f"/signals/{sid}").text
    assert 'id="corrected"' in page and "stance was <del>open</del>, now <strong>refuses</strong>" in page
    assert '<span class="author">ana</span> <strong>stance</strong> → refuses: a refusal' in page
    data = client.get(f"/signals/{sid}.json").json()
    assert (data["stance"], data["corrected"], data["original"]) == ("refuses", True, {"stance": "open"})
    assert next(r for r in client.get("/search.json").json()["signals"] if r["id"] == sid)["corrected"] is True
    with open_store(db) as store:
        (c,) = store.corrections(sid)
    assert (c["field"], c["value"], c["author"], c["note"]) == ("stance", "refuses", "ana", "a refusal")


def test_the_form_adds_a_missed_signal_from_a_copied_sentence(site):
    client, db, ids = site
    sid = ids["private"]
    sent = client.post(f"/signals/{sid}/missed", data={
        "sentence": SECOND, "actor": "Russia", "stance": "refuses", "topic": "ceasefire", "channel": "public",
        "when": "2025-03-12", "by": "bo", "token": TOKEN}, follow_redirects=False)
    assert sent.status_code == 303
    with open_store(db) as store:
        (added,) = store.corrections(sid)
        text = store.signal(sid)["article"]["text"]
    assert added["field"] == "missed" and added["signal_id"] is None and added["author"] == "bo"
    assert text[added["evidence_start"]:added["evidence_end"]] == SECOND
    assert "Signals analysts added to this article" in client.get(f"/signals/{sid}").text
    refused = client.post(f"/signals/{sid}/missed", data={"sentence": "Not in the article.", "actor": "Russia",
                                                           "stance": "open", "topic": "talks", "token": TOKEN})
    assert refused.status_code == 400 and "not found in the article" in refused.json()["error"]["message"]


@pytest.mark.parametrize(("form", "headers", "status"), [
    ({"stance": "refuses"}, {}, 401),                                   # no token typed
    ({"stance": "refuses", "token": "wrong"}, {}, 403),                 # a wrong one
    ({"stance": "refuses", "token": TOKEN}, {"origin": "https://evil.example"}, 403),  # another site's form
    ({"stance": "maybe", "token": TOKEN}, {}, 400),
    ({"when": "2025-02-30", "token": TOKEN}, {}, 400),
    ({"token": TOKEN}, {}, 400),                                        # nothing to correct
    ({"not_a_signal": "1", "stance": "open", "token": TOKEN}, {}, 400),
])
def test_the_form_refuses_what_it_must_and_records_nothing(site, form, headers, status):
    client, db, ids = site
    answer = client.post(f"/signals/{ids['private']}/correct", data=form, headers={"accept": "text/html", **headers})
    assert answer.status_code == status and "<html" in answer.text  # a browser gets the error page
    with open_store(db) as store:
        assert store.corrections(ids["private"]) == []


def test_a_read_only_server_shows_no_form_and_refuses_it(tmp_path):
    path = tmp_path / "ro.db"
    ids = fill_store(path)
    with TestClient(create_app(str(path), None)) as client:
        assert 'name="token"' not in client.get(f"/signals/{ids['private']}").text
        assert client.post(f"/signals/{ids['private']}/correct", data={"stance": "open", "token": "x"}).status_code == 403
        assert client.post(f"/signals/{ids['private']}/other", data={"token": "x"}).status_code in (403, 404)


def test_the_api_records_who_and_not_a_signal(site):
    client, db, ids = site
    auth = {"authorization": f"Bearer {TOKEN}"}
    made = client.post(f"/api/signals/{ids['refusal']}/correction", headers=auth,
                       json={"field": "not_a_signal", "by": "ana"})
    assert made.status_code == 201 and made.json()["author"] == "ana"
    assert client.get(f"/signals/{ids['refusal']}.json").json()["not_a_signal"] is True
    bad = client.post(f"/api/signals/{ids['refusal']}/correction", headers=auth, json={"field": "stance"})
    assert bad.status_code == 400 and bad.json()["error"]["message"] == "value: required"
    missed = client.post(f"/api/signals/{ids['private']}/correction", headers=auth, json={
        "field": "missed", "sentence": PRIVATE_OPENING, "actor": "Russia", "stance": "open", "topic": "ceasefire"})
    assert missed.status_code == 201 and missed.json()["field"] == "missed"
