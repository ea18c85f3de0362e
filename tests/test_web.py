"""The web app: pages and their JSON twins, hostile input, the write guard and the one error shape.

The store is a SQLite file filled with hand-made results (no spaCy), so the
whole file runs in seconds.  ``fill_store`` is also used by the browser tests.
"""

from __future__ import annotations

import re
import sqlite3
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pytest
from starlette.routing import Route
from starlette.testclient import TestClient

import builders
from backchannel.records import ActorInfo, Article, ArticleResult
from backchannel.store import open_store
from backchannel.web import create_app, resolve_token
from backchannel.web import pages as web_pages

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
TOKEN = "s3cret-token"


# What the extractor's registry tells the store about each actor (``ArticleResult.actors``).
ACTORS = {a.name: a for a in (
    ActorInfo("Vladimir Putin", "person", "Russia", ("Putin",)),
    ActorInfo("Volodymyr Zelensky", "person", "Ukraine", ("Zelensky", "Zelenskyy")),
)}


def _result(text: str, outlet: str, published: str, url: str, signals: list[tuple], title: str = "",
            attributions: tuple[tuple, ...] = ()) -> ArticleResult:
    """``signals``: (actor, stance, topic, channel, evidence, when, sources); ``attributions``: (speaker,
    speaker_kind, cue, content, kind, via); spans found in ``text``."""
    made = [builders.signal(text, evidence, actor, stance, topic, channel, when=when, sources=list(sources),
                            confidence=0.8)
            for actor, stance, topic, channel, evidence, when, sources in signals]
    quotes = [builders.attribution(text, speaker, speaker_kind, cue, content, kind, via=list(via))
              for speaker, speaker_kind, cue, content, kind, via in attributions]
    return builders.result(text, quotes, made, actors=ACTORS, title=title or text.split("\n", 1)[0], outlet=outlet,
                           published=published, url=url)


PUBLIC_REFUSAL = "We will not negotiate while our territory is occupied, Mr Putin said in a televised address."
PRIVATE_OPENING = "He is willing to stop at the current front lines, a senior Russian official told the newspaper."
ECHO = "He is willing to stop at the current front lines, a senior Russian official told The New York Times."
ZELENSKY = "Zelensky said Ukraine was open to a ceasefire if it were monitored."
HOSTILE_EVIDENCE = f"Hamas said it rejected the deal {SCRIPT} and the proposal {IMG} outright."


def results() -> list[ArticleResult]:
    return [
        _result(f"Putin rules out talks\n\n{PUBLIC_REFUSAL}\n\nThe Kremlin repeated the line on Sunday.",
                "Wire One", "2025-03-10", "https://wire.example/putin-refuses",
                [("Vladimir Putin", "refuses", "talks", "public", PUBLIC_REFUSAL, "2025-03-09", [])]),
        _result(f"Putin's private message\n\n{PRIVATE_OPENING}\n\nThe Kremlin denied it.",
                "The New York Times", "2025-03-12", "https://nyt.example/putin-private",
                [("Vladimir Putin", "open", "ceasefire", "private", PRIVATE_OPENING, "2025-03-12",
                  ["a senior Russian official", "The New York Times"])],
                attributions=(("a senior Russian official", "anonymous", "told",
                               "He is willing to stop at the current front lines", "direct", ["The New York Times"]),)),
        _result(f"Report: Putin ready to freeze the war\n\n{ECHO}\n\nMoscow has not commented.",
                "Echo Daily", "2025-03-13", "https://echo.example/putin-ready",
                [("Vladimir Putin", "open", "ceasefire", "private", ECHO, "2025-03-12",
                  ["a senior Russian official", "The New York Times"])]),
        _result(f"Kyiv on a truce\n\n{ZELENSKY}", "Kyiv Post", "2025-02-01", "https://kyiv.example/truce",
                [("Volodymyr Zelensky", "open", "ceasefire", "public", ZELENSKY, "2025-02-01", [])]),
        _result(f"{SCRIPT} headline\n\n{HOSTILE_EVIDENCE}\n\nMore text {IMG} here.", IMG, "2025-04-02",
                "javascript:alert(1)",
                [("Hamas", "refuses", "deal", "public", HOSTILE_EVIDENCE, "2025-04-02", [SCRIPT])],
                title=SCRIPT),
    ]


WAR = "Russia\u2013Ukraine war"


def fill_store(path: Path) -> dict[str, int]:
    """A SQLite store at ``path`` with the results above; returns {name: signal id} for the tests.
    Zelensky's signal is placed in the Russia–Ukraine war, as the extractor places it (the others in none)."""
    with open_store(str(path)) as store:
        for result in results():
            for s in result.signals:
                if s.actor == "Volodymyr Zelensky":
                    s.conflict, s.counterpart, s.role = WAR, "Russia", "party"
            store.save(result, None, "test")
        ids = {s["evidence"]: s["id"] for s in store.signals()}
    return {"refusal": ids[PUBLIC_REFUSAL], "private": ids[PRIVATE_OPENING], "echo": ids[ECHO],
            "zelensky": ids[ZELENSKY], "hostile": ids[HOSTILE_EVIDENCE]}


@pytest.fixture
def db(tmp_path) -> tuple[str, dict[str, int]]:
    path = tmp_path / "web.db"
    return str(path), fill_store(path)


@pytest.fixture
def client(db):
    with TestClient(create_app(db[0], None)) as c:
        yield c


@pytest.fixture
def writer(db):
    with TestClient(create_app(db[0], TOKEN, extractor=lambda: StubExtractor())) as c:
        yield c


@pytest.fixture
def ids(db) -> dict[str, int]:
    return db[1]


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text inside elements with an id."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self._open: list[tuple[str, str]] = []
        self.text_by_id: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if attributes.get("id"):
            self._open.append((tag, attributes["id"]))
            self.text_by_id[attributes["id"]] = ""

    def handle_endtag(self, tag):
        if self._open and self._open[-1][0] == tag:
            self._open.pop()

    def handle_data(self, data):
        for _, element_id in self._open:
            self.text_by_id[element_id] += data


def parse(html: str) -> Elements:
    parser = Elements()
    parser.feed(html)
    return parser


def assert_inert(html: str) -> None:
    """No script element, no event-handler attribute, no javascript: link anywhere in the page."""
    page = parse(html)
    assert not [t for t, _ in page.tags if t == "script"]
    assert not [(t, a) for t, a in page.tags if any(name.startswith("on") for name in a)]
    assert not [(t, a) for t, a in page.tags if "javascript:" in (a.get("href") or "").lower()]
    assert SCRIPT not in html and "<img" not in html


def assert_error(response, status: int) -> dict:
    """The one error shape, exactly."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"status", "message"}
    assert body["error"]["status"] == status
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]


# ---- pages and their JSON -----------------------------------------------------------------------------------
def test_overview_shows_each_actors_latest_public_and_private_stance_and_trend(client, ids):
    data = client.get("/index.json").json()
    putin = next(a for a in data["actors"] if a["name"] == "Vladimir Putin")
    assert putin["signals"] == 3 and putin["kind"] == "person"
    assert putin["latest_public"]["id"] == ids["refusal"]
    assert putin["latest_private"]["id"] in (ids["private"], ids["echo"])
    assert putin["trend"] == "moving toward talks"  # a refusal, then two openings
    zelensky = next(a for a in data["actors"] if a["name"] == "Volodymyr Zelensky")
    assert zelensky["latest_private"] is None and zelensky["trend"] == "steady"
    html = client.get("/").text
    assert 'href="/actors/Vladimir%20Putin"' in html and "moving toward talks" in html


def test_the_overview_never_shows_a_standing_position_as_the_latest_stance(tmp_path):
    """"Has long rejected" in today's article is older news than yesterday's stated opening."""
    text = "Sudan's army said on Monday it was open to talks. The army has long rejected any truce with the RSF."
    with open_store(str(tmp_path / "standing.db")) as store:
        store.save(builders.result(text, signals=[
            builders.signal(text, "Sudan's army said on Monday it was open to talks.", "Sudanese Armed Forces",
                            "open", "talks", when="2025-05-05"),
            builders.signal(text, "The army has long rejected any truce with the RSF.", "Sudanese Armed Forces",
                            "refuses", "ceasefire", when="2025-05-06", time_basis="standing"),
        ], published="2025-05-06", url="https://desk.example/saf", title="SAF", outlet="Desk"), None, "test")
        [row] = [a for a in web_pages.overview(store, store.actor_overview())["actors"]]
    assert row["latest_public"]["stance"] == "open"


def test_actor_page_draws_one_dot_per_signal_and_lists_them(client, ids):
    response = client.get("/actors/Vladimir%20Putin")
    assert response.status_code == 200
    page = parse(response.text)
    circles = [a for t, a in page.tags if t == "circle" and "point" in (a.get("class") or "")]
    assert len(circles) == 2  # the two private openings share a day, stance and channel: one larger dot
    assert {c["data-stance"] for c in circles} == {"refuses", "open"}
    assert {c["data-count"] for c in circles} == {"1", "2"}
    assert f'href="/signals/{ids["refusal"]}"' in response.text
    data = client.get("/actors/Putin.json").json()  # an alias finds the same actor
    assert [p["signal_id"] for p in data["points"]] == [ids["refusal"], ids["private"], ids["echo"]]
    assert data["trend"] == "moving toward talks"
    only_march_9 = client.get("/actors/Vladimir%20Putin.json?until=2025-03-09").json()
    assert [p["signal_id"] for p in only_march_9["points"]] == [ids["refusal"]]


def test_signal_page_highlights_the_evidence_and_shows_chain_and_corroborating_reports(client, ids):
    response = client.get(f"/signals/{ids['private']}")
    assert response.status_code == 200
    page = parse(response.text)
    assert page.text_by_id["evidence"] == PRIVATE_OPENING
    assert '<p class="chain">a senior Russian official → The New York Times</p>' in response.text
    # The echo in another outlet rests on the same origin: one independent origin, not two.
    assert 'data-origins="1"' in response.text and f'href="/signals/{ids["echo"]}"' in response.text
    assert "Not corroborated." in response.text and "Corroborated." not in response.text
    data = client.get(f"/signals/{ids['private']}.json").json()
    assert data["chain"] == ["a senior Russian official", "The New York Times"]
    assert data["article"]["text"][slice(*data["evidence_bounds"])] == PRIVATE_OPENING
    claim = data["corroboration"]
    assert claim["origin_count"] == 1 and not claim["corroborated"] and claim["verdict"] == "Not corroborated"
    assert sorted(claim["signal_ids"]) == sorted([ids["private"], ids["echo"]])
    assert [r["id"] for r in claim["reports"]] == [ids["echo"]]


def test_divergence_reports_a_public_refusal_beside_a_private_opening_with_both_evidences(client, ids):
    data = client.get("/divergence.json?actor=Putin").json()
    assert data["count"] == 1
    found = data["divergences"][0]
    assert found["period"] == "2025-03" and found["kind"] == "public negative, private positive"
    assert [p["evidence"] for p in found["public"]] == [PUBLIC_REFUSAL]
    assert {p["evidence"] for p in found["private"]} == {PRIVATE_OPENING, ECHO}
    html = client.get("/divergence?actor=Putin").text
    assert PUBLIC_REFUSAL.split(",")[0] in html and "In private" in html
    assert client.get("/divergence.json?actor=Putin&period=quarter").json()["divergences"][0]["period"] == "2025-Q1"
    assert client.get("/divergence.json?until=2025-02").json()["count"] == 0


def test_search_filters_and_its_json_twin(client, ids):
    def found(query: str) -> list[int]:
        return [s["id"] for s in client.get("/search.json?" + query).json()["signals"]]

    assert found("stance=open&channel=private") == [ids["echo"], ids["private"]]  # newest first
    assert found("actor=zelenskyy") == [ids["zelensky"]]
    assert found("outlet=the%20new%20york%20times") == [ids["private"]]
    assert found("topic=deal") == [ids["hostile"]]
    assert found("since=2025-03-10&until=2025-03") == [ids["echo"], ids["private"]]
    assert len(found("")) == 5
    limited = client.get("/search.json?limit=2").json()
    assert limited["count"] == 2 and limited["more"] is True
    html = client.get("/search?stance=open&channel=private").text
    assert 'option value="open" selected' in html and f'href="/signals/{ids["echo"]}"' in html


@pytest.mark.parametrize("query, message", [
    ("stance=maybe", "stance"), ("channel=radio", "channel"), ("topic=war", "topic"),
    ("since=2025-13-01", "since"), ("until=yesterday", "until"), ("since=2025-04&until=2025-03", "after"),
    ("limit=0", "limit"), ("limit=%C2%B2", "limit"), ("actor=" + "x" * 201, "actor"),
])
def test_invalid_filters_are_400_with_the_error_shape(client, query, message):
    for path in ("/search.json", "/search"):
        assert message in assert_error(client.get(f"{path}?{query}"), 400)["message"]


def test_invalid_values_on_other_pages_are_400_or_404_never_500(client):
    assert_error(client.get("/divergence.json?period=week"), 400)
    assert_error(client.get("/actors/Vladimir%20Putin.json?since=03/2025"), 400)
    assert_error(client.get("/actors/Nobody%20Known.json"), 404)
    for raw in ("0", "999999", "99999999999999999999999", "abc", "1e3", "%C2%B2"):
        assert_error(client.get(f"/signals/{raw}.json"), 404)
        assert client.get(f"/signals/{raw}").status_code == 404


# ---- hostile input -------------------------------------------------------------------------------------------
def test_hostile_article_text_renders_inert_on_the_signal_page(client, ids):
    response = client.get(f"/signals/{ids['hostile']}")
    assert response.status_code == 200
    assert_inert(response.text)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in response.text
    page = parse(response.text)
    assert page.text_by_id["evidence"] == HOSTILE_EVIDENCE  # escaped, yet the same text once parsed
    # The stored javascript: URL is shown as text, never as a link.
    assert "javascript:alert(1)" in response.text


def test_hostile_strings_render_inert_in_search_and_everywhere_they_are_echoed(client, ids):
    for path in (f"/search?actor={IMG}", f"/search?outlet={SCRIPT}", "/search?topic=deal", "/",
                 "/actors/Hamas", f"/divergence?actor={IMG}"):
        response = client.get(path, headers={"accept": "text/html"})
        assert response.status_code == 200, path
        assert_inert(response.text)
    outlet = client.get(f"/search?outlet={IMG}")
    assert outlet.status_code == 200 and 'value="&#34;&gt;&lt;img src=x onerror=alert(1)&gt;"' in outlet.text
    # An HTML error page echoes the path escaped too.
    missing = client.get(f"/actors/{SCRIPT}", headers={"accept": "text/html"})
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/html")
    assert_inert(missing.text)


def test_pages_forbid_scripts_through_their_content_security_policy(client):
    for path in ("/", "/search.json", "/nowhere"):
        headers = client.get(path).headers
        assert "default-src 'none'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"


INJECTIONS = ["' OR '1'='1", "'; DROP TABLE signals; --", "1) UNION SELECT name, sql FROM sqlite_master --",
              '" OR ""="', "%' OR 1=1 --", "\x00", "Putin' --"]


@pytest.mark.parametrize("attack", INJECTIONS)
def test_sql_injection_in_every_filter_is_an_empty_result_or_a_4xx(client, db, attack):
    for name in ("actor", "stance", "channel", "topic", "since", "until", "outlet", "limit"):
        for path in ("/search.json", "/search"):
            response = client.get(path, params={name: attack})
            assert response.status_code < 500, (name, attack)
            if response.status_code == 200 and path.endswith(".json"):
                assert response.json()["signals"] == [], (name, attack)
    for path, name in (("/divergence.json", "actor"), ("/divergence.json", "since"), ("/divergence.json", "period"),
                       ("/actors/Vladimir%20Putin.json", "since")):
        response = client.get(path, params={name: attack})
        assert response.status_code < 500
        if response.status_code == 200 and path.startswith("/divergence"):
            assert response.json()["divergences"] == []
    assert client.get("/actors/" + quote(attack, safe="") + ".json").status_code == 404
    assert client.get("/signals/" + quote(attack, safe="") + ".json").status_code == 404
    with sqlite3.connect(db[0]) as conn:  # nothing was dropped or changed
        assert conn.execute("SELECT COUNT(*) FROM signals").fetchone()[0] == 5


# ---- writes: the token rule -------------------------------------------------------------------------------------
WRITES = [("/api/ingest", {"url": "https://example.com/a"}), ("/api/signals/1/correction", {"note": "wrong actor"})]


@pytest.mark.parametrize("path, body", WRITES)
def test_a_server_without_a_token_is_read_only(client, path, body):
    for headers in ({}, {"authorization": f"Bearer {TOKEN}"}, {"authorization": "Bearer "}):
        assert "read-only" in assert_error(client.post(path, json=body, headers=headers), 403)["message"]


@pytest.mark.parametrize("path, body", WRITES)
def test_writes_need_the_right_bearer_token(writer, path, body):
    missing = writer.post(path, json=body)
    assert_error(missing, 401)
    assert missing.headers["www-authenticate"].startswith("Bearer")
    assert_error(writer.post(path, json=body, headers={"authorization": f"Basic {TOKEN}"}), 401)
    assert_error(writer.post(path, json=body, headers={"authorization": "Bearer wrong"}), 403)
    assert_error(writer.post(path, json=body, headers={"authorization": f"Bearer {TOKEN}x"}), 403)


def test_a_correction_is_stored_and_shown_on_the_signal_page(writer, db, ids):
    auth = {"authorization": f"Bearer {TOKEN}"}
    sid = ids["hostile"]
    response = writer.post(f"/api/signals/{sid}/correction", headers=auth,
                           json={"field": "stance", "value": "opposes", "note": f"not a refusal {SCRIPT}"})
    assert response.status_code == 201
    assert response.json()["signal_id"] == sid and response.json()["value"] == "opposes"
    assert writer.get(f"/signals/{sid}.json").json()["corrections"][0]["note"] == f"not a refusal {SCRIPT}"
    page = writer.get(f"/signals/{sid}")
    assert "not a refusal &lt;script&gt;" in page.text
    assert_inert(page.text)
    with sqlite3.connect(db[0]) as conn:
        assert conn.execute("SELECT name FROM migrations WHERE name = '0005_corrections'").fetchone()
    assert_error(writer.post("/api/signals/424242/correction", headers=auth, json={"note": "x"}), 404)
    assert_error(writer.post(f"/api/signals/{sid}/correction", headers=auth, json={"note": ""}), 400)
    assert_error(writer.post(f"/api/signals/{sid}/correction", headers=auth, json={"note": "x", "field": "mood"}), 400)
    assert_error(writer.post(f"/api/signals/{sid}/correction", headers=auth, json=["note"]), 400)
    assert_error(writer.post(f"/api/signals/{sid}/correction", headers=auth, content=b"{not json"), 400)
    assert_error(writer.post(f"/api/signals/{sid}/correction", headers=auth,
                             json={"note": "x" * 70_000}), 413)


def test_a_read_only_server_shows_no_corrections_and_writes_none(client, db):
    with sqlite3.connect(db[0]) as conn:  # the table is the store's own migration, there before the server
        assert conn.execute("SELECT name FROM migrations WHERE name = '0005_corrections'").fetchone()
    assert client.get("/signals/1.json").json()["corrections"] == []
    assert client.post("/api/signals/1/correction", json={"note": "x"}).status_code == 403
    with sqlite3.connect(db[0]) as conn:
        assert conn.execute("SELECT COUNT(*) FROM corrections").fetchone()[0] == 0


class StubExtractor:
    """Finds one signal in any article: enough to see an ingest go through to the store."""

    def extract(self, article: Article) -> ArticleResult:
        evidence = article.text.split("\n\n")[-1]
        return ArticleResult(article, [], [builders.signal(article.text, evidence, "Qatar", "urges", "talks")])

    def extract_many(self, articles, batch_size=16):
        return [self.extract(a) for a in articles]

    def extract_each(self, articles, batch_size=16):
        return iter(self.extract_many(articles, batch_size))


def test_ingest_refuses_private_addresses_and_local_paths(writer):
    auth = {"authorization": f"Bearer {TOKEN}"}
    for url in ("http://127.0.0.1:9/x", "http://10.0.0.1/", "http://localhost/admin", "http://[::1]/"):
        error = assert_error(writer.post("/api/ingest", headers=auth, json={"url": url}), 400)
        assert "private" in error["message"] or "loopback" in error["message"], error
    for source in ("/etc/passwd", "file:///etc/passwd", "tests/", "ftp://example.com/x"):
        error = assert_error(writer.post("/api/ingest", headers=auth, json={"url": source}), 400)
        assert "http" in error["message"]
    assert_error(writer.post("/api/ingest", headers=auth, json={"url": 42}), 400)
    assert_error(writer.post("/api/ingest", headers=auth, json={}), 400)


def test_ingest_of_a_public_url_stores_its_signals(writer, monkeypatch):
    import backchannel.jobs.ingest as ingest_module

    fetched = []

    def fake_source(source, **kwargs):
        assert kwargs["allow_private"] is False
        fetched.append(source)
        yield Article(text="Qatar mediates\n\nQatar urged both sides to return to talks in Doha.",
                      title="Qatar mediates", outlet="Gulf Desk", published="2025-05-01", url=source, source=source)

    monkeypatch.setattr(ingest_module, "iter_source", fake_source)
    auth = {"authorization": f"Bearer {TOKEN}"}
    assert "Qatar" not in [a["name"] for a in writer.get("/index.json").json()["actors"]]
    response = writer.post("/api/ingest", headers=auth, json={"url": "https://gulf.example/qatar"})
    assert response.status_code == 200, response.text
    assert response.json()["stored"] == 1 and response.json()["signals"] == 1
    assert fetched == ["https://gulf.example/qatar"]
    assert [s["outlet"] for s in writer.get("/search.json?actor=Qatar").json()["signals"]] == ["Gulf Desk"]
    assert "Qatar" in [a["name"] for a in writer.get("/index.json").json()["actors"]]  # the cached overview is renewed
    again = writer.post("/api/ingest", headers=auth, json={"url": "https://gulf.example/qatar"}).json()
    assert again["stored"] == 0 and again["duplicates"] == 1


def test_the_token_comes_from_the_option_else_the_environment(monkeypatch):
    monkeypatch.delenv("BACKCHANNEL_TOKEN", raising=False)
    assert resolve_token(None) is None and resolve_token("") is None
    monkeypatch.setenv("BACKCHANNEL_TOKEN", "from-env")
    assert resolve_token(None) == "from-env" and resolve_token("given") == "given"


# ---- one error shape ------------------------------------------------------------------------------------------
def test_every_error_has_the_same_json_shape(db, monkeypatch):
    app = create_app(db[0], TOKEN)
    with TestClient(app, raise_server_exceptions=False) as c:
        assert_error(c.get("/no/such/page"), 404)
        assert_error(c.get("/signals/424242.json"), 404)
        assert_error(c.get("/search.json?stance=nope"), 400)
        assert_error(c.post("/api/ingest", json={"url": "https://example.com"}), 401)
        assert_error(c.post("/api/ingest", json={}, headers={"authorization": "Bearer nope"}), 403)
        assert_error(c.get("/api/ingest"), 405)
        assert_error(c.delete("/search.json"), 405)

        def broken(store, actors):
            raise RuntimeError("secret internals /var/db/password")

        monkeypatch.setattr(web_pages, "overview", broken)
        error = assert_error(c.get("/index.json"), 500)
        assert "secret" not in error["message"]
        html = c.get("/", headers={"accept": "text/html"})  # a browser gets the same status as a page
        assert html.status_code == 500 and "secret" not in html.text


def test_openapi_lists_every_json_route_and_its_parameters(client):
    spec = client.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    documented = {path: set(ops) for path, ops in spec["paths"].items()}
    served = {}
    for route in client.app.routes:
        if isinstance(route, Route) and (route.path.endswith(".json") or route.path.startswith("/api/")):
            served[route.path.replace("{name:path}", "{name}")] = {m.lower() for m in route.methods} - {"head"}
    assert served and all(documented.get(path, set()) >= methods for path, methods in served.items()), served
    names = {p["name"] for p in spec["paths"]["/search.json"]["get"]["parameters"]}
    assert names == {"actor", "stance", "channel", "topic", "since", "until", "outlet", "conflict", "text", "confidence",
                     "sort", "cursor", "limit"}
    names = {p["name"] for p in spec["paths"]["/divergence.json"]["get"]["parameters"]}
    assert names == {"actor", "since", "until", "period"}
    assert {p["name"] for p in spec["paths"]["/actors/{name}.json"]["get"]["parameters"]} == {"name", "since", "until"}
    assert {p["name"] for p in spec["paths"]["/signals/{id}.json"]["get"]["parameters"]} == {"id"}
    assert spec["paths"]["/api/ingest"]["post"]["security"] == [{"bearer": []}]


def test_the_conflict_filter_the_signal_page_and_the_documented_signal_fields(client, ids):
    rows = client.get("/search.json?conflict=russia-ukraine%20war").json()["signals"]
    assert [r["id"] for r in rows] == [ids["zelensky"]]
    assert (rows[0]["conflict"], rows[0]["counterpart"], rows[0]["role"]) == (WAR, "Russia", "party")
    assert client.get("/search.json?conflict=Gaza%20war").json()["signals"] == []
    assert 'name="conflict" value="Russia-Ukraine war"' in client.get("/search?conflict=Russia-Ukraine%20war").text
    page = client.get(f"/signals/{ids['zelensky']}").text
    assert f"Conflict: <strong>{WAR}</strong> · party · addressed to Russia" in page
    assert "No known conflict placed." in client.get(f"/signals/{ids['refusal']}").text
    schema = client.get("/openapi.json").json()["components"]["schemas"]["Signal"]
    every_row = client.get("/search.json").json()["signals"]
    for row in every_row:  # every real row has the fields the document requires, with documented roles
        assert set(schema["required"]) <= set(row) <= set(schema["properties"])
        assert row["role"] in schema["properties"]["role"]["enum"]


def test_a_very_busy_actor_shows_its_latest_signals_and_says_so(client, ids, monkeypatch):
    from backchannel.web import pages

    monkeypatch.setattr(pages, "MAX_POINTS", 2)
    data = client.get("/actors/Vladimir%20Putin.json").json()
    assert data["truncated"] is True and data["count"] == 2
    assert [p["signal_id"] for p in data["points"]] == [ids["private"], ids["echo"]]  # the latest two, in order
    assert "the latest 2 signals" in client.get("/actors/Vladimir%20Putin").text
    monkeypatch.setattr(pages, "MAX_POINTS", 50)
    assert client.get("/actors/Vladimir%20Putin.json").json()["truncated"] is False


# ---- search: words, several values, confidence, sorts, cursor pages, CSV ------------------------------------------
def _ids(rows):
    return [r["id"] for r in rows]


def _pages(client, url: str, cursor: str | None = None) -> tuple[list[int], int]:
    """Every id of a search by following ``next`` (from ``cursor``) to the end; and how many pages it took."""
    ids, pages = [], 0
    while True:
        page = client.get(url + (f"&cursor={cursor}" if cursor else "")).json()
        ids += _ids(page["signals"])
        pages += 1
        cursor = page["next"]
        assert page["more"] is (cursor is not None)
        if cursor is None:
            return ids, pages


def test_search_pages_by_cursor_cover_every_row_once_even_with_inserts_between_pages(client, db, ids):
    every = _ids(client.get("/search.json").json()["signals"])
    assert every == [ids["hostile"], ids["echo"], ids["private"], ids["refusal"], ids["zelensky"]]  # newest first
    paged, pages = _pages(client, "/search.json?limit=2")
    assert paged == every and pages == 3
    oldest, _ = _pages(client, "/search.json?limit=2&sort=oldest")
    assert oldest == [ids["zelensky"], ids["refusal"], ids["private"], ids["echo"], ids["hostile"]]

    first = client.get("/search.json?limit=2").json()
    with open_store(db[0]) as store:  # a newer signal arrives while the analyst reads page one
        store.save(_result(f"Late\n\n{ZELENSKY}", "Late Desk", "2025-05-01", "https://late.example/",
                           [("Volodymyr Zelensky", "open", "ceasefire", "public", ZELENSKY, "2025-05-01", [])]),
                   None, "test")
    rest, _ = _pages(client, "/search.json?limit=2", first["next"])
    assert _ids(first["signals"]) + rest == every  # no duplicate, no gap
    assert client.get("/search.json").json()["total"] == 6


def test_search_by_words_several_values_and_a_confidence_floor(client, db, ids):
    assert _ids(client.get("/search.json?text=FRONT%20lines").json()["signals"]) == [ids["echo"], ids["private"]]
    assert _ids(client.get("/search.json?text=front%20Zelensky").json()["signals"]) == []
    both = client.get("/search.json?stance=refuses&stance=open&actor=Putin&actor=Zelensky").json()
    assert both["filters"]["stance"] == ["refuses", "open"]
    assert sorted(_ids(both["signals"])) == sorted([ids["refusal"], ids["private"], ids["echo"], ids["zelensky"]])
    with open_store(db[0]) as store:
        text = "Sure\n\nHamas said it accepted the truce, its negotiators confirmed."
        sure = builders.signal(text, text.split("\n\n")[1], "Hamas", "agrees", "ceasefire", when="2025-01-05",
                               confidence=0.97)
        store.save(builders.result(text, (), [sure], outlet="Gaza Desk", published="2025-01-05",
                                   url="https://gaza.example/"), None, "test")
    confident = client.get("/search.json?confidence=0.9").json()["signals"]
    assert [r["evidence"] for r in confident] == [sure.evidence]
    assert client.get("/search.json?sort=confidence").json()["signals"][0]["evidence"] == sure.evidence
    page = client.get("/search?text=front&confidence=0.5&sort=oldest").text
    assert 'name="text" value="front"' in page and 'name="confidence" value="0.5"' in page
    assert '<option value="oldest" selected>' in page


def test_the_search_page_links_its_next_page_and_the_csv_of_its_filter(client, ids):
    page = client.get("/search?limit=2&stance=open").text
    nexts = [a["href"] for t, a in parse(page).tags if t == "a" and a.get("rel") == "next"]
    assert len(nexts) == 1 and "stance=open" in nexts[0] and "cursor=" in nexts[0]
    second = client.get(nexts[0].replace("&amp;", "&")).text
    assert str(ids["zelensky"]) in re.findall(r'data-signal="(\d+)"', second)
    assert not [a for t, a in parse(second).tags if t == "a" and a.get("rel") == "next"]  # the last page
    csv_links = [a["href"] for t, a in parse(page).tags if t == "a" and "csv" in (a.get("class") or "")]
    assert csv_links == ["/search.csv?stance=open"]


def test_the_csv_download_is_the_exports_csv_of_the_same_filter(client, db):
    import io

    from backchannel.export import export_signals

    for query, filters in (("actor=Putin&channel=private", {"actor": "Putin", "channel": "private"}),
                           ("text=front&stance=open&stance=refuses", {"text": "front", "stance": ("open", "refuses")}),
                           ("", {})):
        response = client.get(f"/search.csv?{query}")
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
        expected = io.StringIO()
        with open_store(db[0]) as store:
            written = export_signals(store, "csv", expected, **filters)
        assert response.text.replace("\r\n", "\n") == expected.getvalue().replace("\r\n", "\n")
        assert response.text.count("\n") == written + 1  # header + rows (no evidence here spans lines)
    assert_error(client.get("/search.csv?cursor=x"), 400)  # a download has no pages


@pytest.mark.parametrize("query, message", [
    ("stnace=open", "unknown parameter 'stnace'"),
    ("since=2025-02-30", "not a real date"),
    ("until=2025-04-31", "not a real date"),
    ("since=2025-13", "not a real date"),
    ("since=2025&since=2024", "since: given 2 times"),
    ("limit=5&limit=6", "limit: given 2 times"),
    ("stance=open&stance=maybe", "stance: 'maybe' is not one of"),
    ("confidence=high", "confidence: 'high' is not a number"),
    ("confidence=2", "confidence: '2' is not a number from 0 to 1"),
    ("sort=random", "sort: 'random' is not one of"),
    ("cursor=bm90IG91cnM", "cursor: not a cursor"),
    ("cursor=WyJvbGRlc3QiLFswLCIyMDI1LTAzLTA5IiwxXV0", "cursor: made for sort=oldest, not sort=newest"),
    ("sort=confidence&cursor=WyJjb25maWRlbmNlIixbIngiLDFdXQ", "cursor: not a cursor"),  # a string for a number
])
def test_search_refuses_bad_parameters_with_one_line_naming_them(client, query, message):
    for path in ("/search.json", "/search"):
        error = assert_error(client.get(f"{path}?{query}"), 400)
        assert message in error["message"] and "\n" not in error["message"], error


@pytest.mark.parametrize("path", ["/", "/index.json", "/actors.json", "/conflicts.json", "/openapi.json", "/docs",
                                  "/actors/Vladimir%20Putin", "/actors/Vladimir%20Putin.json", "/divergence",
                                  "/divergence.json", "/corroboration", "/corroboration.json", "/search.csv"])
def test_every_endpoint_refuses_a_parameter_it_does_not_take(client, ids, path):
    error = assert_error(client.get(f"{path}?bogus=1"), 400)
    assert "unknown parameter 'bogus'" in error["message"]
    assert_error(client.get(f"/signals/{ids['private']}.json?since=2025"), 400)
    if path.startswith(("/divergence", "/actors/")):
        assert "given 2 times" in assert_error(client.get(f"{path}?since=2025&since=2024"), 400)["message"]
    if path.startswith(("/divergence", "/corroboration")):  # one actor there: a second is refused, not dropped
        assert "actor: given 2 times" in assert_error(client.get(f"{path}?actor=Putin&actor=Hamas"), 400)["message"]


# ---- corroboration, conflicts, actors ---------------------------------------------------------------------------
def test_corroboration_page_counts_a_relayed_report_as_one_origin(client, db, ids):
    data = client.get("/corroboration.json?actor=Putin&stance=open").json()
    [claim] = data["claims"]
    assert sorted(claim["signal_ids"]) == sorted([ids["private"], ids["echo"]])
    assert claim["origin_count"] == 1 and claim["corroborated"] is False
    assert claim["outlets"] == ["The New York Times", "Echo Daily"]
    page = client.get("/corroboration?actor=Putin&stance=open").text
    section = re.search(r'<section class="claim".*?</section>', page, re.S).group(0)
    assert 'data-origins="1"' in section and "Not corroborated." in section and "Reported by 2 outlets" in section
    assert client.get("/corroboration.json?corroborated=yes").json()["claims"] == []

    with open_store(db[0]) as store:  # a second, independent origin for the same position
        text = ("Kremlin open to a freeze\n\nHe is willing to stop at the current front lines, a Kremlin adviser "
                "told Reuters.\n\nMore.")
        evidence = "He is willing to stop at the current front lines, a Kremlin adviser told Reuters."
        store.save(_result(text, "Reuters", "2025-03-13", "https://reuters.example/freeze",
                           [("Vladimir Putin", "open", "ceasefire", "private", evidence, "2025-03-13",
                             ["a Kremlin adviser", "Reuters"])]), None, "test")
    [claim] = client.get("/corroboration.json?corroborated=yes").json()["claims"]
    assert claim["origin_count"] == 2 and claim["verdict"] == "Corroborated"
    assert sorted(claim["origins"][i]["name"] for i in range(2)) == ["Reuters", "The New York Times"]
    assert [c["actor"] for c in client.get("/corroboration.json?corroborated=no").json()["claims"]] == [
        "Hamas", "Vladimir Putin", "Volodymyr Zelensky"]  # newest first


def test_the_overview_groups_actors_by_conflict(client, ids):
    data = client.get("/index.json").json()
    assert data["conflicts"][0] == {"conflict": WAR, "actors": [
        {"actor": "Volodymyr Zelensky", "role": "party", "signals": 1}]}
    assert data["conflicts"][-1]["conflict"] == ""
    assert {m["actor"] for m in data["conflicts"][-1]["actors"]} == {"Vladimir Putin", "Hamas"}
    page = client.get("/").text
    groups = re.findall(r'<section class="conflict-group" data-conflict="([^"]*)">(.*?)</section>', page, re.S)
    assert [g[0] for g in groups] == [WAR, ""]
    assert "Volodymyr Zelensky" in groups[0][1] and "Vladimir Putin" not in groups[0][1]
    assert "No known conflict" in groups[1][1] and "Vladimir Putin" in groups[1][1]


def test_actors_and_conflicts_as_json(client):
    actors = {a["name"]: a for a in client.get("/actors.json").json()["actors"]}
    assert actors["Vladimir Putin"]["signals"] == 3 and actors["Vladimir Putin"]["conflicts"] == []
    assert actors["Volodymyr Zelensky"]["conflicts"] == [{"conflict": WAR, "role": "party", "signals": 1}]
    assert client.get("/conflicts.json").json() == {"conflicts": [
        {"name": WAR, "signals": 1, "parties": [{"actor": "Volodymyr Zelensky", "signals": 1}], "third_parties": []}]}


# ---- the OpenAPI document against the real answers ------------------------------------------------------------
def _validator(spec: dict, name: str):
    import jsonschema

    resolver_root = {"components": spec["components"], "$ref": f"#/components/schemas/{name}"}
    return jsonschema.Draft202012Validator(resolver_root)


def test_every_json_answer_validates_against_its_openapi_response_schema(writer, ids, monkeypatch):
    import backchannel.jobs.ingest as ingest_module

    spec = writer.get("/openapi.json").json()
    auth = {"authorization": f"Bearer {TOKEN}"}
    monkeypatch.setattr(ingest_module, "iter_source", lambda source, **kw: iter([Article(
        text="Qatar mediates\n\nQatar urged both sides to talk.", title="Qatar", outlet="Gulf Desk",
        published="2025-05-01", url=source, source=source)]))
    writer.post(f"/api/signals/{ids['private']}/correction", headers=auth, json={"note": "fine", "field": "channel"})
    calls = {  # documented path -> the real requests that exercise it
        "/index.json": [writer.get("/index.json")],
        "/actors.json": [writer.get("/actors.json")],
        "/conflicts.json": [writer.get("/conflicts.json")],
        "/actors/{name}.json": [writer.get("/actors/Vladimir%20Putin.json"),
                                writer.get("/actors/Hamas.json?since=2025-04&until=2025-04-30")],
        "/signals/{id}.json": [writer.get(f"/signals/{ids[k]}.json") for k in ids],
        "/divergence.json": [writer.get("/divergence.json"), writer.get("/divergence.json?period=all&actor=Putin")],
        "/corroboration.json": [writer.get("/corroboration.json"), writer.get("/corroboration.json?corroborated=no")],
        "/search.json": [writer.get("/search.json"), writer.get("/search.json?limit=1&stance=open&stance=agrees"),
                         writer.get("/search.json?text=nothing-matches")],
        "/search.csv": [writer.get("/search.csv")],
        "/claims.json": [writer.get("/claims.json"), writer.get("/claims.json?actor=Putin&stance=open&limit=2")],
        "/claims/{id}.json": [writer.get(f"/claims/{ids['private']}.json"), writer.get("/claims/999999.json")],
        "/openapi.json": [writer.get("/openapi.json")],
        "/api/ingest": [writer.post("/api/ingest", headers=auth, json={"url": "https://gulf.example/q"})],
        "/api/signals/{id}/correction": [writer.post(f"/api/signals/{ids['echo']}/correction", headers=auth,
                                                     json={"note": "n", "field": "stance", "value": "open"}),
                                         writer.post(f"/api/signals/{ids['echo']}/correction", headers=auth,
                                                     json={"field": "not_a_signal", "by": "ana"})],
    }
    assert set(calls) == set(spec["paths"])  # every documented route is exercised
    for path, responses in calls.items():
        [(method, operation)] = spec["paths"][path].items()
        for response in responses:
            assert str(response.status_code) in operation["responses"], (path, response.status_code)
            answer = operation["responses"][str(response.status_code)]
            if "$ref" in answer:  # a shared error answer (components/responses)
                answer = spec["components"]["responses"][answer["$ref"].rsplit("/", 1)[-1]]
            content = answer["content"]
            if "text/csv" in content:
                assert response.headers["content-type"].startswith("text/csv")
                continue
            name = content["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
            errors = list(_validator(spec, name).iter_errors(response.json()))
            assert not errors, (path, name, [e.message for e in errors][:3])
    bad = _validator(spec, "Search")  # the schemas really constrain: a wrong answer fails them
    assert list(bad.iter_errors({**calls["/search.json"][0].json(), "signals": [{"id": "x"}]}))
    error = writer.get("/search.json?bogus=1")
    assert not list(_validator(spec, "Error").iter_errors(error.json()))


def test_the_docs_page_is_rendered_by_the_server_from_the_openapi_document(client):
    page = client.get("/docs", headers={"accept": "text/html"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    spec = client.get("/openapi.json").json()
    for path in spec["paths"]:
        assert f"<code>{path}</code>" in page.text
    for name in spec["components"]["schemas"]:
        assert f'id="schema-{name}"' in page.text
    assert "repeatable" in page.text and "cursor" in page.text
    tags = parse(page.text).tags
    assert not [t for t, _ in tags if t == "script"]
    external = [a for _, a in tags for k in ("src", "href") if (a.get(k) or "").startswith(("http:", "https:", "//"))]
    assert external == []
