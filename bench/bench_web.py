"""Response times of the web app over a SQLite store of generated signals (figures; not a test).

    python bench/bench_web.py [--signals 1000000] [--requests 30] [--rebuild] [--db PATH]
                              [--max-seconds 90] [--seed 1]

Builds (once, then reuses) a SQLite store holding ``--signals`` generated signals, four per article,
over about 200 actors taken from the bundled actor registry, six stances, three topics, four
channels, eight outlets and dates from 2022-02 to 2025-12.  Then it requests each page in process
through Starlette's ``TestClient`` (no network, no server): 2 warm-ups, then ``--requests`` timed
requests, and prints p50 and p95 in milliseconds for the HTML page and its ``.json`` twin.

Why the rows are written with ``executemany`` and not ``Store.save``: ``save`` is one transaction
per article (about 1,000 articles/s here, see bench/README.md), so a million signals would take
minutes of setup for nothing the benchmark measures.  The rows go into the very tables ``save``
fills, with every column, the ``extractions`` rows and the ``actors``/``aliases`` bookkeeping, so
the app cannot tell the difference; the store's migrations create the schema first and its
secondary indexes are dropped during the load and recreated from their own SQL afterwards.

Actor sizes follow a Zipf law (rank k gets weight 1/k), as news does: one actor has about a sixth of
all signals, the quietest several hundred per million.  The "busy" actor page is the heaviest page of
the app: its JSON holds every point of that actor's timeline.

The overview is cached by the app until the signals change, so the timed overview requests measure
the cached page (plus the fingerprint query that guards the cache); the first, uncached computation
is measured separately on fresh apps (``cold`` rows, ``--cold`` samples).

A page whose requests exceed ``--max-seconds`` in total stops early; the ``n`` column says how many
requests were timed.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from starlette.testclient import TestClient  # noqa: E402

from backchannel.nlp.registry import ActorRegistry  # noqa: E402
from backchannel.records import CHANNELS, STANCES, TOPICS, Article  # noqa: E402
from backchannel.store import open_store  # noqa: E402
from backchannel.store.ids import article_id  # noqa: E402
from backchannel.store.queries import actor_key  # noqa: E402
from backchannel.store.schema import now  # noqa: E402
from backchannel.web import create_app  # noqa: E402

SIGNALS_PER_ARTICLE = 4
N_ACTORS = 200
EXTRACTOR_VERSION = "bench-web-0"
FIRST_DAY, LAST_DAY = date(2022, 2, 24), date(2025, 12, 31)
OUTLETS = ("Reuters", "Associated Press", "The New York Times", "The Guardian", "Kyiv Independent",
           "TASS", "Al Jazeera", "Le Monde")
# Names put at the top of the ranking when the registry has them, so the busiest actors look plausible.
LEADERS = ("Russia", "Ukraine", "Vladimir Putin", "Volodymyr Zelensky", "United States", "Israel", "Hamas")
CHANNEL_WEIGHTS = (0.55, 0.25, 0.05, 0.15)  # public, private, both, unknown
VERBS = {"open": "is open to", "refuses": "refuses", "proposes": "proposes", "agrees": "agrees to",
         "urges": "urges", "opposes": "opposes"}
SOURCES = ([], [], ["a senior official"], ["two people familiar with the matter"], ["a diplomat"])
TERMS = ([], [], ["monitoring"], ["prisoner exchange"], ["current front lines"], ["sanctions relief"])

INSERT_ARTICLE = (
    "INSERT INTO articles (id, url, outlet, title, author, published, text, source, ingested_at, run_id) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
INSERT_SIGNAL = (
    "INSERT INTO signals (article_id, position, actor, stance, topic, channel, terms, when_, sources, evidence, "
    "evidence_start, evidence_end, confidence, extractor_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
INSERT_EXTRACTION = "INSERT INTO extractions (article_id, extractor_version, run_id, extracted_at) VALUES (?, ?, ?, ?)"
INSERT_ACTOR = ("INSERT INTO actors (name, key, kind, signal_count, first_seen, last_seen) "
                "VALUES (?, ?, ?, ?, ?, ?)")
INSERT_ALIAS = "INSERT INTO aliases (alias, key, actor) VALUES (?, ?, ?) ON CONFLICT (alias, actor) DO NOTHING"


# ---- the generated store ---------------------------------------------------------------------------------
def pick_actors(registry: ActorRegistry, rng: random.Random) -> list:
    """``N_ACTORS`` registry entries, busiest first: the ``LEADERS`` present, then a seeded sample."""
    entries = list(registry)
    first = [e for name in LEADERS for e in entries if e.name == name]
    rest = [e for e in entries if e not in first]
    rng.shuffle(rest)
    return (first + rest)[:N_ACTORS]


def article_rows(n_articles: int, actors: list, seed: int, run_id: int, stamp: str) -> Iterator[tuple]:
    """(article row, four signal rows without the article id filled in yet) per article."""
    rng = random.Random(seed)
    names = [a.name for a in actors]
    cumulative = list(_cumulative([1 / (k + 1) for k in range(len(names))]))
    days = (LAST_DAY - FIRST_DAY).days
    for i in range(n_articles):
        day = FIRST_DAY + timedelta(days=rng.randrange(days + 1))
        published = day.isoformat()
        outlet = OUTLETS[rng.randrange(len(OUTLETS))]
        chosen = rng.choices(names, cum_weights=cumulative, k=SIGNALS_PER_ARTICLE)
        evidences, signals = [], []
        for actor in chosen:
            stance, topic = STANCES[rng.randrange(len(STANCES))], TOPICS[rng.randrange(len(TOPICS))]
            channel = rng.choices(CHANNELS, weights=CHANNEL_WEIGHTS)[0]
            r = rng.random()
            when = "" if r < 0.15 else published[:7] if r < 0.2 else (day - timedelta(days=rng.randrange(3))).isoformat()
            evidence = f"{actor} {VERBS[stance]} a {topic}, officials said on day {i}."
            evidences.append(evidence)
            signals.append((actor, stance, topic, channel, json.dumps(rng.choice(TERMS)), when,
                            json.dumps(rng.choice(SOURCES)), evidence, round(0.5 + 0.45 * rng.random(), 3)))
        title = f"{chosen[0]} and {chosen[1]} on the war, report {i}"
        text = title + "\n\n" + " ".join(evidences) + "\n\nNo further comment was given."
        url = f"https://{outlet.lower().replace(' ', '')}.example/{published[:4]}/{i}"
        aid = article_id(Article(text=text, url=url))
        rows = []
        offset = len(title) + 2
        for position, (s, evidence) in enumerate(zip(signals, evidences, strict=True)):
            start = text.index(evidence, offset)
            offset = start + len(evidence)
            actor, stance, topic, channel, terms, when, sources, ev, confidence = s
            rows.append((aid, position, actor, stance, topic, channel, terms, when, sources, ev, start,
                         start + len(ev), confidence, EXTRACTOR_VERSION))
        yield ((aid, url, outlet, title, "", published, text, url, stamp, run_id), rows)


def _cumulative(weights: list[float]) -> Iterator[float]:
    total = 0.0
    for w in weights:
        total += w
        yield total


def build(path: Path, n_signals: int, seed: int) -> None:
    """A fresh store at ``path`` with ``n_signals`` signals (rounded up to whole articles)."""
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    registry = ActorRegistry.default()
    actors = pick_actors(registry, random.Random(seed))
    with open_store(str(path)) as store:  # the schema, by the store's own migrations
        run_id = store.begin_run(EXTRACTOR_VERSION)
    stamp = now()
    n_articles = math.ceil(n_signals / SIGNALS_PER_ARTICLE)
    conn = sqlite3.connect(str(path), isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -200000")
    # Loading into unindexed tables and indexing afterwards is several times faster than the reverse.
    indexes = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                           "AND tbl_name IN ('articles', 'signals', 'extractions')").fetchall()
    for name, _ in indexes:
        conn.execute(f"DROP INDEX {name}")
    counts: Counter[str] = Counter()
    batch_articles: list[tuple] = []
    batch_signals: list[tuple] = []

    def flush() -> None:
        conn.execute("BEGIN")
        conn.executemany(INSERT_ARTICLE, batch_articles)
        conn.executemany(INSERT_SIGNAL, batch_signals)
        conn.executemany(INSERT_EXTRACTION, [(a[0], EXTRACTOR_VERSION, run_id, stamp) for a in batch_articles])
        conn.execute("COMMIT")
        batch_articles.clear()
        batch_signals.clear()

    for article, signals in article_rows(n_articles, actors, seed, run_id, stamp):
        batch_articles.append(article)
        batch_signals.extend(signals)
        counts.update(s[2] for s in signals)
        if len(batch_articles) >= 50_000:
            flush()
    if batch_articles:
        flush()
    conn.execute("BEGIN")
    for _, sql in indexes:
        conn.execute(sql)
    by_name = {a.name: a for a in actors}
    conn.executemany(INSERT_ACTOR, [(name, actor_key(name), by_name[name].kind, n, stamp, stamp)
                                    for name, n in sorted(counts.items())])
    conn.executemany(INSERT_ALIAS, [(alias, actor_key(alias), name)
                                    for name in sorted(counts) for alias in by_name[name].aliases])
    conn.execute("UPDATE runs SET finished_at = ?, counts = ? WHERE id = ?",
                 (now(), json.dumps({"articles": n_articles, "signals": sum(counts.values())}), run_id))
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def ensure_store(path: Path, n_signals: int, seed: int, rebuild: bool) -> None:
    if path.exists() and not rebuild:
        with sqlite3.connect(str(path)) as conn:
            have = conn.execute("SELECT COUNT(*) FROM signals").fetchone()[0]
        print(f"reusing {path}: {have:,} signals (--rebuild to regenerate)")
        return
    started = time.perf_counter()
    build(path, n_signals, seed)
    seconds = time.perf_counter() - started
    print(f"built {path}: {n_signals:,} signals in {seconds:.1f} s "
          f"({path.stat().st_size / 1e6:.0f} MB, {n_signals / seconds:,.0f} signals/s)")


# ---- the measurements ------------------------------------------------------------------------------------
@dataclass
class Case:
    label: str
    path: str  # without the .json suffix; query string included


def cases(path: Path) -> list[Case]:
    with sqlite3.connect(str(path)) as conn:
        ranked = conn.execute("SELECT name, signal_count FROM actors WHERE signal_count > 0 "
                              "ORDER BY signal_count DESC, name").fetchall()
    (busy, busy_n), (quiet, quiet_n) = ranked[0], ranked[-1]
    middle = ranked[len(ranked) // 10][0]

    def search(**kw: str) -> str:
        return "/search" + ("?" + urlencode(kw) if kw else "")

    return [
        Case("overview", "/"),
        Case(f"actor busy ({busy}, {busy_n:,})", f"/actors/{quote(busy, safe='')}"),
        Case(f"actor quiet ({quiet}, {quiet_n:,})", f"/actors/{quote(quiet, safe='')}"),
        Case("search, no filter", search()),
        Case(f"search actor={middle} 2024-01..2024-06", search(actor=middle, since="2024-01", until="2024-06")),
        Case("search stance=refuses channel=private", search(stance="refuses", channel="private")),
    ]


def json_twin(path: str) -> str:
    if path == "/":
        return "/index.json"
    base, _, query = path.partition("?")
    return base + ".json" + ("?" + query if query else "")


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile: the smallest value with at least ``p`` % of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def timed(client: TestClient, url: str) -> tuple[float, int]:
    started = time.perf_counter()
    response = client.get(url)
    ms = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{url}: HTTP {response.status_code}: {response.text[:300]}")
    return ms, len(response.content)


def measure(client: TestClient, url: str, n: int, max_seconds: float) -> tuple[list[float], int]:
    for _ in range(2):
        timed(client, url)
    times: list[float] = []
    size = 0
    started = time.perf_counter()
    for _ in range(n):
        ms, size = timed(client, url)
        times.append(ms)
        if time.perf_counter() - started > max_seconds:
            break
    return times, size


def cold_overview(db_url: str, samples: int) -> list[float]:
    """The overview's first request on a fresh app: the uncached computation (store opening included)."""
    times = []
    for _ in range(samples):
        with TestClient(create_app(db_url, None)) as client:
            times.append(timed(client, "/index.json")[0])
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signals", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page (after 2 warm-ups)")
    parser.add_argument("--cold", type=int, default=3, help="uncached overview samples (a fresh app each)")
    parser.add_argument("--max-seconds", type=float, default=90.0, help="stop timing a page after this long")
    parser.add_argument("--db", type=Path, help="default $TMPDIR/backchannel-bench/web-<size>.db")
    parser.add_argument("--rebuild", action="store_true", help="regenerate the store even if it exists")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    size = f"{args.signals // 1_000_000}m" if args.signals % 1_000_000 == 0 else f"{args.signals // 1000}k"
    path = args.db or Path(tempfile.gettempdir()) / "backchannel-bench" / f"web-{size}.db"
    ensure_store(path, args.signals, args.seed, args.rebuild)

    db_url = str(path)
    rows = []
    cold = cold_overview(db_url, args.cold)
    rows.append(("overview, uncached (first request)", "json", len(cold), statistics.median(cold),
                 percentile(cold, 95), None))
    with TestClient(create_app(db_url, None)) as client:
        for case in cases(path):
            for kind, url in (("html", case.path), ("json", json_twin(case.path))):
                times, nbytes = measure(client, url, args.requests, args.max_seconds)
                rows.append((case.label, kind, len(times), statistics.median(times), percentile(times, 95), nbytes))
                print(f"  {case.label} [{kind}] {url}: p50 {rows[-1][3]:.0f} ms", file=sys.stderr, flush=True)

    print(f"\n{path}: {args.signals:,} signals, {args.requests} requests per page after 2 warm-ups\n")
    print("| page | repr | n | p50 ms | p95 ms | bytes |\n| --- | --- | ---: | ---: | ---: | ---: |")
    for label, kind, n, p50, p95, nbytes in rows:
        shown = "" if nbytes is None else f"{nbytes:,}"
        print(f"| {label} | {kind} | {n} | {p50:,.1f} | {p95:,.1f} | {shown} |")


if __name__ == "__main__":
    main()
