"""The store on SQLite and on PostgreSQL: idempotence, versions, atomicity, migrations, queries.

Every test that takes ``db_url`` runs twice: on a SQLite file in tmp_path and
on the PostgreSQL server named by BACKCHANNEL_TEST_PG (start one with
``eval "$(.ci/postgres.sh start)"``), each test in a schema of its own.
Without the variable the PostgreSQL cases are skipped, except under CI=true
where they fail: CI must really exercise PostgreSQL.

Results are built by hand (no spaCy), so the whole file runs in seconds.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest

import builders
from backchannel.records import ActorInfo, Article, ArticleResult, Attribution, Signal
from backchannel.store import MIGRATIONS, Status, Store, StoreError, article_id, open_store
from backchannel.store.detail import paragraph_around
from backchannel.store.dialect import dialect_for

PG_ENV = "BACKCHANNEL_TEST_PG"
SRC = str(Path(__file__).resolve().parents[1] / "src")


# ---- fixtures ------------------------------------------------------------------------------------------
# What the extractor's registry tells the store about each actor (``ArticleResult.actors``).
ACTORS = {a.name: a for a in (
    ActorInfo("Vladimir Putin", "person", "Russia", ("Putin", "Vladimir Poutine")),
    ActorInfo("Volodymyr Zelensky", "person", "Ukraine", ("Zelensky", "Zelenskyy", "Zélensky")),
    ActorInfo("Hamas", "armed_group", "", ("Harakat al-Muqawama al-Islamiya",)),
    ActorInfo("Qatar", "state", "Qatar", ("Doha",)),
)}


def known(result: ArticleResult) -> ArticleResult:
    """The result with its actors' kinds, states and aliases, as the extractor hands them over."""
    result.actors = [ACTORS[name] for name in dict.fromkeys(s.actor for s in result.signals) if name in ACTORS]
    return result


def _pg_base() -> str:
    base = os.environ.get(PG_ENV, "")
    if not base:
        message = f'{PG_ENV} is not set; start a server with: eval "$(.ci/postgres.sh start)"'
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + " (CI=true: the PostgreSQL store tests must run)")
        pytest.skip(message)
    return base


def _with_schema(base: str, schema: str) -> str:
    option = quote(f"-c search_path={schema}", safe="")
    return f"{base}{'&' if '?' in base else '?'}options={option}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        yield str(tmp_path / "store.db")
        return
    base = _pg_base()
    import psycopg  # a hard dependency of the PostgreSQL cases: fails loudly when missing

    schema = "t_" + uuid.uuid4().hex[:16]
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield _with_schema(base, schema)
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
def store(db_url):
    with open_store(db_url) as s:
        yield s


TEXT = (
    "Putin peace talks report\n\n"
    "Russian President Vladimir Putin said on Friday he was open to talks with Ukraine, the Kremlin said.\n\n"
    "Ukrainian President Volodymyr Zelensky rejected a ceasefire that freezes the front line."
)


def make_result(text: str = TEXT, url: str = "https://news.example/putin-talks", outlet: str = "Reuters",
                published: str = "2025-03-14", when: str = "2025-03-14") -> ArticleResult:
    s1 = text.find("Russian President")
    e1 = text.find("Kremlin said.") + len("Kremlin said.")
    s2 = text.find("Ukrainian President")
    e2 = len(text)
    content = "he was open to talks with Ukraine"
    c1 = text.find(content)
    article = Article(text=text, title="Putin peace talks", outlet=outlet, author="A. Writer",
                      published=published, url=url, source=url or "file.txt")
    attributions = [
        Attribution("Vladimir Putin", "named", "said", content, "indirect", via=["the Kremlin"],
                    speaker_span=(s1 + 18, s1 + 32), cue_span=(c1 - 5, c1 - 1), content_span=(c1, c1 + len(content)),
                    confidence=0.8),
    ]
    signals = [
        Signal("Vladimir Putin", "open", "talks", "public", text[s1:e1], terms=["with Ukraine"], when=when,
               sources=["the Kremlin"], evidence_span=(s1, e1), confidence=0.9),
        Signal("Volodymyr Zelensky", "refuses", "ceasefire", "public", text[s2:e2],
               terms=["freezes the front line"], when="", sources=[], evidence_span=(s2, e2), confidence=0.7),
    ]
    return known(ArticleResult(article, attributions, signals))


def actor_counts_consistent(store: Store) -> bool:
    """actors.signal_count equals a recount over current (not superseded) articles."""
    recount: dict[str, int] = {}
    for s in store.iter_signals():
        recount[s["actor"]] = recount.get(s["actor"], 0) + 1
    stored = {a["name"]: a["signals"] for a in store.actors()}
    return stored == recount


# ---- idempotence and versions ---------------------------------------------------------------------------
def test_saving_the_same_article_twice_stores_it_once(store):
    run = store.begin_run("1.0")
    first = store.save(make_result(), run, "1.0")
    second = store.save(make_result(), run, "1.0")
    assert (first.status, second.status) == (Status.NEW, "duplicate")
    assert first.article_id == second.article_id == article_id(make_result().article)
    counts = store.counts()
    assert (counts["articles"], counts["signals"], counts["attributions"]) == (1, 2, 1)
    assert actor_counts_consistent(store)


def test_whitespace_changes_are_the_same_article_but_another_url_is_not(store):
    store.save(make_result(), None, "1.0")
    rewrapped = make_result(text=TEXT.replace("\n\n", "\n \n").replace(" said", "\n said"))
    assert store.save(rewrapped, None, "1.0").status == Status.DUPLICATE
    syndicated = make_result(url="https://other.example/wire-copy", outlet="AP")
    assert store.save(syndicated, None, "1.0").status == Status.NEW
    assert store.counts()["articles"] == 2


def test_an_article_extracted_by_another_version_is_stale_and_left_alone(store):
    store.save(make_result(), None, "1.0")
    outcome = store.save(make_result(), None, "2.0")
    assert outcome.status == Status.STALE and not outcome.written
    assert {s["extractor_version"] for s in store.signals()} == {"1.0"}


def test_changed_text_at_the_same_url_becomes_a_linked_new_version(store):
    old = store.save(make_result(), None, "1.0")
    changed = TEXT.replace("rejected a ceasefire", "rejected any ceasefire")
    new = store.save(make_result(text=changed), None, "1.0")
    assert new.status == Status.NEW_VERSION and new.version_of == old.article_id
    assert store.article(new.article_id)["version_of"] == old.article_id
    assert store.article(old.article_id)["superseded_by"] == new.article_id
    # Queries show the current version only; its actors are counted once.
    assert {s["article_id"] for s in store.signals()} == {new.article_id}
    assert len(store.signals(include_superseded=True)) == 4
    assert store.counts()["current_articles"] == 1 and store.counts()["articles"] == 2
    assert actor_counts_consistent(store)
    # A third text chains to the second, not to the first.
    third = store.save(make_result(text=changed + " He spoke in Kyiv."), None, "1.0")
    assert third.version_of == new.article_id


# ---- atomicity -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("failing", ["INSERT INTO attributions", "INSERT INTO signals", "INSERT INTO actors",
                                     "INSERT INTO extractions"])
def test_a_save_failing_midway_leaves_nothing_of_the_article(store, monkeypatch, failing):
    store.save(make_result(url="https://news.example/other", text="Qatar urged a ceasefire in Gaza."), None, "1.0")
    before = store.counts()
    db = store._db
    real_execute, real_executemany = db.execute, db.executemany

    def failing_at(real):
        def run(sql, *args):
            if sql.startswith(failing):
                raise RuntimeError("disk on fire")
            return real(sql, *args)
        return run

    monkeypatch.setattr(db, "execute", failing_at(real_execute))
    monkeypatch.setattr(db, "executemany", failing_at(real_executemany))
    with pytest.raises(RuntimeError, match="disk on fire"):
        store.save(make_result(), None, "1.0")
    monkeypatch.undo()
    aid = article_id(make_result().article)
    assert store.article(aid) is None
    assert store.counts() == before
    assert actor_counts_consistent(store)
    assert store.save(make_result(), None, "1.0").status == Status.NEW  # the rerun stores it whole


WRITER = textwrap.dedent("""
    import sys
    sys.path.insert(0, {src!r})
    from backchannel.records import Article, ArticleResult, Attribution, Signal
    from backchannel.store import open_store

    store = open_store({url!r})
    run = store.begin_run("1.0")
    print("ready", flush=True)
    for i in range({n}):
        sys.stdin.readline()  # the test says when to start the next save (end of input: no waiting)
        text = f"Article {{i}}. " + " ".join(f"Actor{{k}} is open to talks." for k in range(i % 5 + 1))
        signals = [Signal(f"Actor{{k}}", "open", "talks", "public", f"Actor{{k}} is open to talks.")
                   for k in range(i % 5 + 1)]
        attributions = [Attribution(f"Actor{{k}}", "named", "is", "open", "indirect") for k in range(i % 3)]
        outcome = store.save(ArticleResult(Article(text=text, url=f"https://x.example/{{i}}"), attributions,
                                           signals), run, "1.0")
        print(outcome.status.value, flush=True)
    store.finish_run(run, {{"done": {n}}})
    print("done", flush=True)
""")


def _check_whole(store: Store) -> int:
    """Every stored article has exactly the signals and attributions it was saved with."""
    per_article: dict[str, int] = {}
    for s in store.iter_signals():
        per_article[s["article_id"]] = per_article.get(s["article_id"], 0) + 1
    rows = store._db.all(
        "SELECT a.id, a.url, e.extractor_version, (SELECT COUNT(*) FROM attributions t WHERE t.article_id = a.id) "
        "AS n_attr FROM articles a LEFT JOIN extractions e ON e.article_id = a.id")
    for row in rows:
        i = int(row["url"].rsplit("/", 1)[1])
        assert row["extractor_version"] == "1.0"
        assert per_article.get(row["id"], 0) == i % 5 + 1, row
        assert row["n_attr"] == i % 3, row
    return len(rows)


def test_sigkill_at_random_moments_leaves_whole_articles_and_a_rerun_completes(db_url, tmp_path):
    n = 150
    script = tmp_path / "writer.py"
    script.write_text(WRITER.format(src=SRC, url=db_url, n=n))
    rng = random.Random(20250314)
    stored_counts = []
    for _ in range(10):
        # Kill after a random number of new articles, at a random instant of the following save.  The
        # writer saves one article per line it reads, so it cannot run ahead of the count (it used to
        # race through the pipe buffer and, on a fast machine, finish before the last kill).
        proc = subprocess.Popen([sys.executable, str(script)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                text=True)
        assert proc.stdout.readline().strip() == "ready"
        wanted, seen = rng.randint(1, 12), 0
        while seen < wanted:
            proc.stdin.write("\n")
            proc.stdin.flush()
            line = proc.stdout.readline()
            assert line, "the writer ended before it was killed"
            seen += line.strip() == "new"
        proc.stdin.write("\n")  # start the next save ...
        proc.stdin.flush()
        time.sleep(rng.uniform(0.0, 0.003))  # ... and kill it anywhere in it
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        proc.stdin.close()
        with open_store(db_url) as store:
            stored_counts.append(_check_whole(store))
    finished = subprocess.run([sys.executable, str(script)], stdin=subprocess.DEVNULL, capture_output=True,
                              text=True, timeout=120)
    assert finished.returncode == 0, finished.stderr
    with open_store(db_url) as store:
        assert _check_whole(store) == n
        assert store.counts()["articles"] == n  # no duplicates after eleven runs
        assert actor_counts_consistent(store)
    assert stored_counts == sorted(stored_counts) and stored_counts[-1] < n  # progress kept, never complete


# ---- migrations ------------------------------------------------------------------------------------------
def test_migrations_are_recorded_and_reopening_applies_nothing(db_url):
    with open_store(db_url) as first:
        assert first.migrations_applied == [m.name for m in MIGRATIONS]
        stamps = first._db.all("SELECT name, applied_at FROM migrations ORDER BY name")
    with open_store(db_url) as again:
        assert again.migrations_applied == []
        assert again._db.all("SELECT name, applied_at FROM migrations ORDER BY name") == stamps


def test_an_older_database_gets_the_missing_migrations(db_url):
    old = Store(dialect_for(db_url), migrations=MIGRATIONS[:1])
    assert old.migrations() == ["0001_initial"]
    with old._db.transaction():  # what a store of the first schema wrote (this code writes later columns)
        old._db.execute("INSERT INTO articles (id, text, ingested_at) VALUES ('a1', ?, '2025-01-01T00:00:00Z')",
                        (TEXT,))
        old._db.execute("INSERT INTO extractions (article_id, extractor_version, extracted_at) "
                        "VALUES ('a1', '1.0', '2025-01-01T00:00:00Z')")
        for position, actor in enumerate(("Vladimir Putin", "Volodymyr Zelensky")):
            old._db.execute("INSERT INTO signals (article_id, position, actor, stance, topic, channel, evidence, "
                            "confidence, extractor_version) VALUES ('a1', ?, ?, 'open', 'talks', 'public', 'e', "
                            "0.5, '1.0')", (position, actor))
    old.close()
    with open_store(db_url) as store:
        assert store.migrations_applied == [m.name for m in MIGRATIONS[1:]]
        assert store.migrations() == [m.name for m in MIGRATIONS]
        assert len(store.signals()) == 2  # the views see the data written before the upgrade



def test_unfinished_runs_from_before_owners_are_unknown_after_the_upgrade(db_url):
    old = Store(dialect_for(db_url), migrations=MIGRATIONS[:3])
    with old._db.transaction():
        old._db.execute("INSERT INTO runs (extractor_version, started_at) VALUES ('0.9', '2026-01-01T00:00:00Z')")
        old._db.execute("INSERT INTO runs (extractor_version, started_at, finished_at, counts) "
                        "VALUES ('0.9', '2026-01-02T00:00:00Z', '2026-01-02T00:05:00Z', '{}')")
    old.close()
    with open_store(db_url) as store:
        assert [(r["status"], r["owner"]) for r in store.runs()] == [("finished", None), ("unknown", None)]
        assert store.running_runs() == []  # nobody recorded who ran them: nothing to check

def test_signals_stored_before_conflicts_get_empty_conflict_fields_and_new_ones_keep_theirs(db_url):
    names = [m.name for m in MIGRATIONS]
    old = Store(dialect_for(db_url), migrations=MIGRATIONS[:names.index("0008_signal_conflicts")])
    assert "0008_signal_conflicts" not in old.migrations()
    with old._db.transaction():  # what a store of the previous schema wrote (this code writes the new columns)
        old._db.execute("INSERT INTO articles (id, text, ingested_at) VALUES ('a1', ?, '2025-01-01T00:00:00Z')",
                        (TEXT,))
        old._db.execute("INSERT INTO signals (article_id, position, actor, stance, topic, channel, evidence, "
                        "confidence, extractor_version, origin) VALUES ('a1', 0, 'Vladimir Putin', 'open', 'talks', "
                        "'public', 'e', 0.5, '1.0', 'Reuters')")
    old.close()
    with open_store(db_url) as store:
        assert store.migrations_applied == names[names.index("0008_signal_conflicts"):]
        assert {(s["conflict"], s["counterpart"], s["role"]) for s in store.signals()} == {("", "", "")}
        gaza = "Qatar urged Israel and Hamas to agree a ceasefire in Gaza."
        store.save(builders.result(gaza, signals=[builders.signal(
            gaza, gaza, "Qatar", "urges", "ceasefire", conflict="Gaza war", counterpart="Israel and Hamas",
            role="third_party")], url="https://aj.example/gaza-urge"), None, "1.0")
        (qatar,) = store.signals(actor="Qatar")
        assert (qatar["conflict"], qatar["counterpart"], qatar["role"]) == ("Gaza war", "Israel and Hamas",
                                                                             "third_party")
        assert store.signal(qatar["id"])["counterpart"] == "Israel and Hamas"
        assert store.conflicts() == [{"name": "Gaza war", "signals": 1}]


def test_the_conflict_filter_matches_the_name_in_any_case_and_with_a_hyphen_for_the_dash(db_url):
    war = "Russia\u2013Ukraine war"
    with open_store(db_url) as store:
        result = make_result()
        for s in result.signals:
            s.conflict, s.role = war, "party"
        store.save(result, None, "1.0")
        store.save(make_result(url="https://other.example/x", text=TEXT.replace("Friday", "Sunday")), None, "1.0")
        assert len(store.signals()) == 4
        placed = {s["id"] for s in store.signals() if s["conflict"] == war}
        assert len(placed) == 2
        for asked in (war, "russia-ukraine WAR", "  Russia\u2014Ukraine   war "):
            assert {s["id"] for s in store.signals(conflict=asked)} == placed
            assert {s["id"] for s in store.iter_signals(conflict=asked)} == placed
        assert store.signals(conflict="Ukraine") == []  # a name, not a substring
        assert store.signals(conflict=war, stance="refuses")[0]["actor"] == "Volodymyr Zelensky"


# ---- reprocessing ----------------------------------------------------------------------------------------
def test_reprocess_replaces_old_extractions_only(store):
    a = store.save(make_result(), None, "1.0")
    b = store.save(make_result(url="https://news.example/qatar", text="Qatar urged a ceasefire in Gaza."), None,
                   "2.0")
    needing = list(store.articles_needing("2.0"))
    assert [n.id for n in needing] == [a.article_id]
    assert needing[0].article.text == TEXT and needing[0].extractor_version == "1.0"
    run = store.begin_run("2.0")
    text = needing[0].article.text
    new = ArticleResult(needing[0].article, [], [Signal("Hamas", "agrees", "deal", "private", text[:10],
                                                       evidence_span=(0, 10))])
    outcome = store.replace_extraction(a.article_id, new, run, "2.0")
    assert outcome.status == Status.REPLACED
    assert list(store.articles_needing("2.0")) == []
    signals = [s for s in store.signals() if s["article_id"] == a.article_id]
    assert [(s["actor"], s["extractor_version"]) for s in signals] == [("Hamas", "2.0")]
    assert store.counts()["attributions"] == 1  # only b's
    assert actor_counts_consistent(store)
    assert store.save(make_result(), None, "2.0").status == Status.DUPLICATE
    assert b.status == Status.NEW
    with pytest.raises(StoreError):
        store.replace_extraction("no-such-id", new, run, "2.0")


def test_a_failing_replace_keeps_the_old_extraction(store, monkeypatch):
    a = store.save(make_result(), None, "1.0")
    db = store._db
    real = db.executemany
    monkeypatch.setattr(db, "executemany", lambda sql, rows: (_ for _ in ()).throw(RuntimeError("boom"))
                        if sql.startswith("INSERT INTO signals") else real(sql, rows))
    with pytest.raises(RuntimeError):
        store.replace_extraction(a.article_id, make_result(when="2024-01"), None, "2.0")
    monkeypatch.undo()
    assert [s["extractor_version"] for s in store.signals()] == ["1.0", "1.0"]
    assert [n.id for n in store.articles_needing("2.0")] == [a.article_id]


def test_articles_needing_pages_through_many_articles(store):
    ids = {store.save(make_result(url=f"https://x.example/{i}", text=f"Text {i}."), None, "1.0").article_id
           for i in range(7)}
    assert {n.id for n in store.articles_needing("2.0", page=3)} == ids
    assert list(store.articles_needing("1.0")) == []


# ---- runs and errors ---------------------------------------------------------------------------------------
def test_runs_and_errors_are_recorded(store):
    run = store.begin_run("1.0")
    store.record_error("bad.html", "no article text in the HTML", run)
    store.record_error("feed.xml#3", "timed out after 10 s")
    store.finish_run(run, {"stored": 3, "errors": 1})
    row = store.run(run)
    assert row["extractor_version"] == "1.0" and row["finished_at"] >= row["started_at"]
    assert row["counts"] == {"stored": 3, "errors": 1}
    assert [e["source"] for e in store.errors(run)] == ["bad.html"]
    assert [e["reason"] for e in store.errors()] == ["timed out after 10 s", "no article text in the HTML"]


def test_a_run_whose_process_died_is_marked_interrupted_with_what_it_committed(store):
    dead = store.begin_run("1.0", owner="host boot 123 456")
    store.save(make_result(), dead, "1.0")
    store.save(make_result(url="https://news.example/other", text=TEXT + " Later."), dead, "1.0")
    store.record_error("bad.html", "no article text in the HTML", dead)
    alive = store.begin_run("1.0", owner="host boot 789 1011")
    assert store.running_runs() == [{"id": dead, "owner": "host boot 123 456"},
                                    {"id": alive, "owner": "host boot 789 1011"}]
    assert store.mark_interrupted(dead) is True
    assert store.mark_interrupted(dead) is False  # marked once, by whichever command starts first
    row = store.run(dead)
    assert (row["status"], row["finished_at"], row["counts"]) == ("interrupted", None, {"stored": 2, "errors": 1})
    store.finish_run(alive, {"stored": 0})
    assert store.mark_interrupted(alive) is False  # a finished run is never marked
    assert [(r["id"], r["status"]) for r in store.runs()] == [(alive, "finished"), (dead, "interrupted")]
    assert store.running_runs() == []


# ---- queries ------------------------------------------------------------------------------------------------
@pytest.fixture
def filled(store):
    store.save(make_result(), None, "1.0")
    store.save(make_result(url="https://aj.example/gaza", outlet="Al Jazeera", published="2024-11-02", when="",
                           text=TEXT.replace("Friday", "Saturday")), None, "1.0")
    qatar = "Qatar urged a ceasefire in Gaza."
    store.save(builders.result(qatar, signals=[builders.signal(qatar, qatar, "Qatar", "urges", "ceasefire", "private",
                                                               when="2023-12")],
                               url="https://aj.example/qatar", outlet="Al Jazeera", published="2024-01-20"),
               None, "1.0")
    return store


def test_filters_read_the_corrected_values(filled):
    """A signal corrected to ``opposes`` is found under that stance and no longer under its extracted one."""
    qatar = filled.signals(actor="Qatar")[0]["id"]
    filled.add_correction(qatar, "stance", "opposes", "works against the talks", "ana")
    filled.add_correction(qatar, "channel", "public", "", "ana")
    assert [s["id"] for s in filled.signals(stance="opposes")] == [qatar]
    assert filled.signals(stance="urges") == [] and filled.signals(channel="private") == []
    assert [s["stance"] for s in filled.signals(actor="Qatar", channel="public")] == ["opposes"]
    filled.add_correction(qatar, "stance", "urges", "on second reading", "ben")  # the latest correction wins
    assert [s["id"] for s in filled.signals(stance="urges")] == [qatar] and filled.signals(stance="opposes") == []


def test_signal_filters(filled):
    def actors(**kw):
        return sorted((s["actor"], s["date"]) for s in filled.signals(**kw))

    assert len(filled.signals()) == 5
    assert actors(actor="vladimir PUTIN") == actors(actor="Putin") == actors(actor="vladimir poutine") == [
        ("Vladimir Putin", "2024-11-02"), ("Vladimir Putin", "2025-03-14")]
    assert actors(actor="zelensky") == actors(actor="ZELENSKY") == actors(actor="Zelenskyy")
    assert actors(actor="Zélensky") and actors(actor="Put") == []
    assert actors(stance="urges") == [("Qatar", "2023-12")]
    assert actors(topic="ceasefire", channel="public") == [("Volodymyr Zelensky", "2024-11-02"),
                                                           ("Volodymyr Zelensky", "2025-03-14")]
    assert len(filled.signals(outlet="al jazeera")) == 3
    # ``when`` first, else the article's date; partial dates count when their period matches.
    assert actors(since="2025") == [("Vladimir Putin", "2025-03-14"), ("Volodymyr Zelensky", "2025-03-14")]
    assert actors(until="2023-12-31") == [("Qatar", "2023-12")]
    assert actors(since="2023-12-15", until="2023-12-20") == [("Qatar", "2023-12")]
    assert actors(until="2024-11") == [("Qatar", "2023-12"), ("Vladimir Putin", "2024-11-02"),
                                       ("Volodymyr Zelensky", "2024-11-02")]
    assert [s["date"] for s in filled.signals(limit=2)] == ["2023-12", "2024-11-02"]
    assert filled.signals(limit=1, newest_first=True)[0]["date"] == "2025-03-14"


INJECTIONS = ["' OR '1'='1", "x'); DROP TABLE signals; --", "\" OR 1=1 --", "%", "_", "*", "1; DELETE FROM articles",
              "Putin' --", "\x00", "\ud800", "2025-01-01' OR '1'='1", "?", "%s", "{}", "é" * 5000]


@pytest.mark.parametrize("field", ["actor", "stance", "topic", "channel", "since", "until", "outlet", "conflict"])
def test_hostile_filter_values_match_nothing_and_break_nothing(filled, field):
    before = filled.counts()
    for value in INJECTIONS:
        assert filled.signals(**{field: value}) == [], value
        assert list(filled.iter_signals(**{field: value})) == [], value
    assert filled.counts() == before
    assert filled.signal("1 OR 1=1") is None and filled.signal("1; DROP TABLE signals") is None


def test_signal_detail_has_paragraph_chain_article_and_quotes(filled):
    putin = filled.signals(actor="Putin", since="2025")[0]
    detail = filled.signal(putin["id"])
    assert detail["paragraph"]["text"].startswith("Russian President Vladimir Putin said on Friday")
    paragraph = detail["paragraph"]
    assert paragraph["text"][paragraph["evidence_start"]:paragraph["evidence_end"]] == detail["evidence"]
    assert detail["chain"] == ["the Kremlin", "Reuters"]
    assert detail["article"]["text"] == TEXT and detail["article"]["url"] == "https://news.example/putin-talks"
    assert [a["speaker"] for a in detail["attributions"]] == ["Vladimir Putin"]
    assert detail["attributions"][0]["via"] == ["the Kremlin"]
    assert filled.signal(10**9) is None


def test_paragraph_falls_back_to_lines_and_clips():
    text = "Line one.\nLine two has the evidence.\nLine three."
    p = paragraph_around(text, text.index("has"), text.index("has") + 3)
    assert p["text"] == "Line two has the evidence." and p["text"][p["evidence_start"]:p["evidence_end"]] == "has"


def test_actors_have_kind_counts_and_latest_stance(filled):
    actors = {a["name"]: a for a in filled.actors()}
    assert actors["Vladimir Putin"]["kind"] == "person" and actors["Vladimir Putin"]["signals"] == 2
    assert actors["Vladimir Putin"]["latest_stance"] == "open"
    assert actors["Vladimir Putin"]["latest_date"] == "2025-03-14"
    assert actors["Qatar"]["kind"] == "state" and actors["Qatar"]["latest_stance"] == "urges"
    assert list(actors)[:2] == ["Vladimir Putin", "Volodymyr Zelensky"]  # most signals first
    refusal = "Putin refused a ceasefire."
    later = builders.result(refusal, signals=[builders.signal(refusal, refusal, "Vladimir Putin", "refuses", "ceasefire")],
                            url="https://x.example/late", published="2025-06-01")
    filled.save(later, None, "1.0")
    putin = next(a for a in filled.actors() if a["name"] == "Vladimir Putin")
    assert (putin["latest_stance"], putin["signals"]) == ("refuses", 3)
    assert actor_counts_consistent(filled)


def test_iter_signals_streams_while_the_writer_goes_on(filled):
    stream = filled.iter_signals()
    first = next(stream)
    filled.save(make_result(url="https://x.example/meanwhile", text="Meanwhile Putin was open to talks."),
                None, "1.0")
    rest = list(stream)
    assert [first, *rest][:5] == filled.signals()[:5]


def test_unstorable_characters_are_replaced_without_moving_spans(store):
    text = "Putin\x00 said he is open to talks \ud800 now."
    result = ArticleResult(Article(text=text, url="https://x.example/nul"), [],
                           [Signal("Vladimir Putin", "open", "talks", "public", text[:20], evidence_span=(0, 20))])
    aid = store.save(result, None, "1.0").article_id
    stored = store.article(aid)["text"]
    assert len(stored) == len(text) and "\x00" not in stored and stored[:5] == "Putin"
    assert store.save(result, None, "1.0").status == Status.DUPLICATE


# ---- Datasette-friendliness and SQLite settings ---------------------------------------------------------------
def test_tables_are_plain_and_lists_are_json_text(filled):
    db = filled._db
    if db.name == "sqlite":
        tables = [r["name"] for r in db.all("SELECT name FROM sqlite_master WHERE type = 'table' "
                                                   "AND name NOT LIKE 'sqlite%'")]
        types = {(t, r["type"].upper()) for t in tables for r in db.all(f"PRAGMA table_info({t})")}
        views = {r["name"] for r in db.all("SELECT name FROM sqlite_master WHERE type = 'view'")}
    else:
        types = {(r["table_name"], r["data_type"].upper()) for r in db.all(
            "SELECT table_name, data_type FROM information_schema.columns WHERE table_schema = current_schema()")}
        views = {r["table_name"] for r in db.all(
            "SELECT table_name FROM information_schema.views WHERE table_schema = current_schema()")}
    kinds = {t for _, t in types}
    assert kinds <= {"TEXT", "INTEGER", "REAL", "BIGINT", "DOUBLE PRECISION"}, kinds
    assert {"signal_view", "attribution_view", "actor_view", "article_view"} <= views
    assert {"articles", "runs", "attributions", "signals", "actors", "aliases", "errors", "extractions",
            "migrations"} <= {t for t, _ in types}
    row = db.one("SELECT terms, sources FROM signals WHERE actor = ?", ("Vladimir Putin",))
    assert isinstance(row["terms"], str) and json.loads(row["terms"]) == ["with Ukraine"]
    assert json.loads(db.one("SELECT via FROM attributions")["via"]) == ["the Kremlin"]
    assert db.one("SELECT when_, date FROM signal_view WHERE actor = ?", ("Qatar",)) == {"when_": "2023-12",
                                                                                          "date": "2023-12"}


def test_sqlite_uses_wal_foreign_keys_and_lets_readers_in_during_a_write(tmp_path):
    path = tmp_path / "wal.db"
    with open_store(str(path)) as store:
        store.save(make_result(), None, "1.0")
        reader = sqlite3.connect(path)
        assert reader.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        class Rollback(Exception):
            pass

        with pytest.raises(Rollback), store._db.transaction():
            store._db.execute("DELETE FROM extractions")  # not committed: readers still see the row
            assert reader.execute("SELECT COUNT(*) FROM extractions").fetchone()[0] == 1
            with pytest.raises(sqlite3.IntegrityError):  # foreign keys are enforced
                store._db.execute("INSERT INTO signals (article_id, position, actor, stance, topic, channel, "
                                  "evidence, confidence, extractor_version) VALUES ('nope', 0, 'a', 'open', "
                                  "'talks', 'public', 'e', 0.5, '1')")
            raise Rollback
        assert reader.execute("SELECT COUNT(*) FROM extractions").fetchone()[0] == 1
        reader.close()


def test_open_store_understands_paths_and_urls(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with open_store(None) as store:
        assert store.backend == "sqlite"
    assert (tmp_path / "backchannel.db").exists()
    with open_store("sqlite:///sub.db") as store:
        assert store.url == "sub.db"
    with open_store(f"sqlite:///{tmp_path}/abs.db"):
        pass
    assert (tmp_path / "abs.db").exists()
    for bad in ("mysql://localhost/db", "sqlite://", str(tmp_path / "missing" / "x.db")):
        with pytest.raises(StoreError):
            open_store(bad)
    (tmp_path / "junk.db").write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="junk.db"):
        open_store(str(tmp_path / "junk.db"))
    with pytest.raises(StoreError, match="cannot connect") as info:
        open_store("postgresql://someone:s3cret@127.0.0.1:1/nothing")
    assert "s3cret" not in str(info.value)
