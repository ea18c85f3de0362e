"""The command line: thin wrappers, each command calls one library function.

Known errors (``BackchannelError``) become one line on stderr; a bad document
never stops a batch.  Exit status: 0 when every document went through, 1 when
some failed, 2 when none could be read (or the command could not start).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .. import __version__
from ..corpus.commands import add_corpus_commands, cmd_corpus
from ..errors import BackchannelError, InputError, printable
from ..records import ARTICLE_FIELDS, Article
from . import corrections

if TYPE_CHECKING:
    from ..store import Store


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="backchannel",
        description="Who is signalling what about ending a war, in public or through back channels, "
        "according to whom: attributions and negotiation signals from news articles.",
    )
    parser.add_argument("--version", action="version", version=f"backchannel {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    ex = sub.add_parser(
        "extract",
        help="extract attributions and negotiation signals from articles",
        description="Read articles (.txt, .md, .html, article .json, or folders of them) and print their "
        "attributions and negotiation signals. Bad files are reported on stderr; the others are still printed.",
    )
    ex.add_argument("paths", nargs="+", metavar="PATH", help="article files or folders")
    ex.add_argument("--format", choices=("json", "jsonl", "table"), default="json", help="output format (default json)")
    ex.add_argument("--published", default="", metavar="DATE", help="the articles' publication date (overrides theirs)")
    ex.add_argument("--outlet", default="", metavar="NAME", help="the articles' outlet (overrides theirs)")
    ex.add_argument("--explain", action="store_true",
                    help="with json/jsonl: per signal, the candidate gate, the holder's rule features and the "
                    "model's scores")
    _extraction_flags(ex)
    _doc_timeout_flag(ex)

    ev = sub.add_parser(
        "eval",
        help="score the extractor on annotated real news (--corpus) or on a folder of gold articles",
        description="Score the extractor with the matching rules of docs/SCHEMA.md, either on the annotated "
        "real-news corpus (--corpus PATH --annotations DIR [--split dev|train|all]) or on "
        "GOLD_DIR/<slug>/{gold.json,article.json}. With --floors, exit 1 when a figure falls below its floor.",
    )
    ev.add_argument("gold_dir", nargs="?", metavar="GOLD_DIR", help="folder of gold article folders")
    ev.add_argument("--corpus", default="", metavar="PATH", help="the corpus folder (annotate.jsonl) to score on")
    ev.add_argument("--annotations", default="", metavar="DIR", help="the annotation files (with --corpus)")
    ev.add_argument("--predictions", default="", metavar="FILE",
                    help="with --corpus: score a saved run (JSONL of {id, signals, attributions}) instead of "
                    "running the extractor")
    ev.add_argument("--split", default="dev", choices=("dev", "train", "all"), help="corpus split (default dev)")
    ev.add_argument("--floors", default="", metavar="FILE", help="JSON file of minimum figures")
    ev.add_argument("--pin-floors", action="store_true",
                    help="with --corpus: raise the floors in --floors to the measured figures and pin the data digest")
    ev.add_argument("--allow-regression", default="", metavar="REASON",
                    help="with --pin-floors: let floors go down, recording REASON in the floors file")
    ev.add_argument("--json", action="store_true", help="print the report as JSON")
    _extraction_flags(ev)
    tr = sub.add_parser(
        "train", help="train the signal model from the annotations (needs the train extra)",
        description="Fine-tune the sentence encoder on the train split's candidate pairs (plus --extra "
        "annotation folders, e.g. analysts' corrections), choose the threshold on a seeded validation part "
        "of train, export ONNX (fp32 and int8) to --out, score the dev split and write the model card. "
        "Seeded and offline; needs `pip install -e '.[train]'` (torch, transformers).")
    tr.add_argument("--corpus", required=True, metavar="PATH", help="the corpus folder (annotate.jsonl)")
    tr.add_argument("--annotations", required=True, metavar="DIR", help="the annotation files")
    tr.add_argument("--extra", action="append", default=[], metavar="DIR",
                    help="more annotation folders to train on (all their articles)")
    tr.add_argument("--out", required=True, metavar="MODEL_DIR", help="where to write the model")
    tr.add_argument("--seed", type=int, default=13)
    tr.add_argument("--epochs", type=int, default=3)
    tr.add_argument("--fit-share", type=float, default=1.0, metavar="S",
                    help="fit on this seeded share of the non-validation train articles (nested shares, the same "
                         "validation articles): points of a learning curve (default 1)")
    tr.add_argument("--negatives", type=float, default=3.0, metavar="R",
                    help="none pairs kept per positive pair (default 3)")
    tr.add_argument("--hard-negatives", action="store_true",
                    help="draw up to half of the none pairs from other holders of sentences that hold a signal")
    tr.add_argument("--shape", choices=("pair", "sentence"), default="pair",
                    help="pair: one encoder pass per (holder, sentence) pair; sentence: one pass per sentence, "
                         "every holder scored from it (--negatives then counts sentences)")
    tr.add_argument("--lr", type=float, default=5e-5, help="peak learning rate (default 5e-5)")
    tr.add_argument("--max-length", type=int, default=128, help="tokens per pair (default 128)")
    tr.add_argument("--batch-size", type=int, default=32,
                    help="pairs per step, or sentences with --shape sentence (default 32)")
    tr.add_argument("--threads", type=int, default=2, help="CPU threads (default 2)")
    tr.add_argument("--no-progress", action="store_true", help="no progress output")
    add_store_commands(sub)
    add_corpus_commands(sub)
    corrections.register(sub, _db_flag)
    return parser


def _extraction_flags(p: argparse.ArgumentParser) -> None:
    """The extraction settings every extracting command shares (``jobs.extractor.add_extraction_flags``)."""
    from ..jobs.extractor import add_extraction_flags

    add_extraction_flags(p)


def _doc_timeout_flag(p: argparse.ArgumentParser) -> None:
    from ..jobs.worker import DOC_TIMEOUT

    p.add_argument("--doc-timeout", type=_seconds, default=DOC_TIMEOUT, metavar="SECONDS",
                   help=f"time one article's extraction may take (default {DOC_TIMEOUT:g}); an article over it "
                   "fails alone, with one error line, and the batch goes on (0: no budget, extraction in this "
                   "process)")


def _seconds(value: str) -> float:
    try:
        n = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of seconds") from None
    if not n >= 0 or n == float("inf"):
        raise argparse.ArgumentTypeError(f"{value} must be a finite number of seconds, 0 or more")
    return n


def _workers(value: str) -> int:
    """--workers N, or 'auto' for one per CPU."""
    if value == "auto":
        return max(1, os.cpu_count() or 1)
    return _positive(value)


def _positive(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"{value} must be 1 or more")
    return n


def _db_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", default="", metavar="URL",
                   help="SQLite file or postgresql:// URL (default: backchannel.db, or $BACKCHANNEL_DB)")


def _filter_flags(p: argparse.ArgumentParser, only: Sequence[str] | None = None) -> None:
    """The store's signal filters (``SIGNAL_FILTERS``) as flags; ``only`` those a command takes."""
    from ..store import DATE_FILTERS, FILTER_CHOICES, FILTER_HELP, SIGNAL_FILTERS

    for name in SIGNAL_FILTERS:
        if only is None or name in only:
            p.add_argument(f"--{name}", choices=FILTER_CHOICES.get(name), help=FILTER_HELP[name],
                           metavar="DATE" if name in DATE_FILTERS else None)


def add_store_commands(sub: argparse._SubParsersAction) -> None:
    from .sorting import DEFAULT_SORT, SORT_HELP, SORTS

    ing = sub.add_parser(
        "ingest",
        help="read sources, extract each new article once, keep everything in the store",
        description="Ingest files, folders, http(s) URLs, RSS/Atom feeds, JSONL/CSV dumps and WARC files into "
        "the store. Each article is extracted once and saved in its own transaction: rerunning skips what is "
        "stored and finishes the rest. Exit status: 0 all went in, 1 some documents failed, 2 nothing read.",
    )
    ing.add_argument("sources", nargs="+", metavar="SOURCE", help="file, folder, URL, feed, .jsonl/.csv, .warc(.gz)")
    _db_flag(ing)
    ing.add_argument("--glob", default="**/*", help="files to take from folders (default **/*)")
    ing.add_argument("--allow-private", action="store_true",
                     help="allow URLs on loopback and private addresses (refused by default)")
    for name in ARTICLE_FIELDS:
        ing.add_argument(f"--{name}-field", default=name, metavar="NAME", help=f"JSONL/CSV field holding the {name}")
    ing.add_argument("--batch-size", type=_positive, default=16, help="articles parsed together (default 16)")
    ing.add_argument("--workers", type=_workers, default=1, metavar="N",
                     help="extraction processes, each with its own model (~300 MB); 'auto' = one per CPU (default 1)")
    _extraction_flags(ing)
    _doc_timeout_flag(ing)
    ing.add_argument("--no-progress", action="store_true", help="no progress bar")

    rep = sub.add_parser("reprocess", help="re-extract stored articles extracted by another extractor version",
                         description="Re-extract every stored article whose signals came from another version of "
                         "the extractor (code or word lists), one transaction per article.")
    _db_flag(rep)
    rep.add_argument("--workers", type=_workers, default=1, metavar="N",
                     help="extraction processes, each with its own model (~300 MB); 'auto' = one per CPU (default 1)")
    _extraction_flags(rep)
    _doc_timeout_flag(rep)

    runs = sub.add_parser("runs", help="the ingest and reprocess runs: finished, running or interrupted",
                          description="List the runs, newest first, with their status and what they stored. "
                          "A run whose process died (killed, out of memory) is marked interrupted, with the "
                          "articles it had committed.")
    _db_flag(runs)
    runs.add_argument("--limit", type=_positive, default=20, help="at most N runs (default 20)")
    runs.add_argument("--format", choices=("table", "json"), default="table")

    sig = sub.add_parser("signals", help="list stored signals with filters",
                         description="List the stored negotiation signals, newest first (see --sort), with filters.")
    _db_flag(sig)
    _filter_flags(sig)
    sig.add_argument("--sort", choices=SORTS, default=DEFAULT_SORT,
                     help="; ".join(f"{name}: {text}" for name, text in SORT_HELP.items())
                     + f" (default {DEFAULT_SORT})")
    sig.add_argument("--limit", type=_positive, default=None, help="at most N signals (the first N in --sort order)")
    sig.add_argument("--format", choices=("table", "json", "csv"), default="table")
    sig.add_argument("--claims", action="store_true",
                     help="one row per claim: the signals reporting the same position grouped, with how many "
                     "outlets and independent origins report it (table or json)")
    sig.add_argument("--expand", action="store_true", help="with --claims: list each claim's reports beneath it")

    act = sub.add_parser("actors", help="list the actors with signals",
                         description="Actors with stored signals: kind, number of signals, latest stance.")
    _db_flag(act)
    act.add_argument("--format", choices=("table", "json"), default="table")

    show = sub.add_parser("show", help="one signal with its evidence, chain of sources and article",
                          description="Show one signal: the evidence in its paragraph, the chain of sources, "
                          "the article and the related attributions.")
    show.add_argument("signal_id", metavar="SIGNAL_ID", type=int)
    _db_flag(show)
    show.add_argument("--format", choices=("text", "json"), default="text")

    exp = sub.add_parser("export", help="export signals as CSV, JSONL, Parquet or PLOVER event records",
                         description="Export stored signals. plover: PLOVER-style event records with the CAMEO "
                         "code of each stance, for event-data users.")
    _db_flag(exp)
    _filter_flags(exp)
    exp.add_argument("--format", choices=("csv", "jsonl", "parquet", "plover", "annotations"), required=True,
                     help="annotations: analysts' corrections as annotation files of the corpus format, one per "
                     "article, for `train --extra` (--out names the folder)")
    exp.add_argument("--to", "--out", dest="to", default="-", metavar="PATH",
                     help="output file (default stdout; required for parquet, which is binary); the folder for "
                     "annotations")

    from ..jobs import spark_job

    spark_job.build_parser(sub.add_parser(
        "spark-extract", help="run the extractor on Apache Spark over JSONL or WARC inputs, writing Parquet",
        description="Run the same extractor on Spark (mapPartitions, one model per worker) over JSONL or WARC "
        "files and write Parquet results; `backchannel ingest OUTPUT` stores them without re-extracting. "
        "Needs `pip install backchannel[spark]` and Java."))

    srv = sub.add_parser("serve", help="the web dashboard and JSON API",
                         description="Serve the dashboard (overview, actors, signals, divergence, search; every page "
                         "also as .json, described at /openapi.json). Read-only unless a token is set (--token or "
                         "$BACKCHANNEL_TOKEN) for the write endpoints.")
    _db_flag(srv)
    srv.add_argument("--host", default="127.0.0.1")
    srv.add_argument("--port", type=_positive, default=8000)
    srv.add_argument("--token", default=None, help="bearer token for POST /api/... (default: $BACKCHANNEL_TOKEN)")
    _extraction_flags(srv)  # what POST /api/ingest extracts with

    tl = sub.add_parser("timeline", help="an actor's signals over time, with its trend",
                        description="An actor's signals over time (by when, else the article's date) with stance "
                        "and channel, and the trend of the latest ones.")
    tl.add_argument("actor", metavar="ACTOR")
    _db_flag(tl)
    _filter_flags(tl, only=("since", "until"))
    tl.add_argument("--group-state", action="store_true", help="count a leader and the state together")
    tl.add_argument("--plot", metavar="FILE", help="also draw the timeline as a chart: FILE.png or FILE.svg")
    tl.add_argument("--format", choices=("table", "json"), default="table")

    dv = sub.add_parser("divergence", help="public and private stances that differ",
                        description="For each actor and period, public and private stances that differ "
                        "(a public refusal beside a private opening, and the reverse), with both evidences.")
    _db_flag(dv)
    _filter_flags(dv, only=("actor", "since", "until"))
    dv.add_argument("--period", choices=("month", "quarter", "year", "all"), default="month")
    dv.add_argument("--group-state", action="store_true", help="count a leader and the state together")
    dv.add_argument("--format", choices=("table", "json"), default="table")

    co = sub.add_parser("corroboration", help="the same position reported across articles, by independent origins",
                        description="Group signals reporting the same position across articles and count their "
                        "independent origins: ten outlets repeating one report count once, syndicated copies once.")
    _db_flag(co)
    _filter_flags(co, only=("actor", "stance", "topic", "since", "until"))
    co.add_argument("--group-state", action="store_true", help="count a leader and the state together")
    co.add_argument("--format", choices=("table", "json"), default="table")


def _open_store(args: argparse.Namespace, must_exist: bool = True):
    """The store named by --db (``store.resolve_db``); query commands refuse a SQLite file that does not
    exist yet (a typo would otherwise silently create an empty database)."""
    from ..store import open_store, resolve_db, sqlite_file_missing

    url = resolve_db(args.db)
    if must_exist and sqlite_file_missing(url):
        raise BackchannelError(f"{url}: no such database; create it with `backchannel ingest SOURCE --db {url}`")
    return open_store(url)


def _spec(args: argparse.Namespace):
    """The extractor the extraction flags (``_extraction_flags``) describe."""
    from ..jobs.extractor import ExtractorSpec

    return ExtractorSpec.from_flags(args)


def _filters(args: argparse.Namespace, store: Store | None = None) -> dict:
    """The signal filters given on the command line (absent ones ``None``), dates checked first, and an
    ``--actor`` or ``--conflict`` checked against ``store``'s signals when one is given (``suggest``)."""
    from ..store import DATE_FILTERS, SIGNAL_FILTERS, valid_date
    from .suggest import check_names

    for flag in DATE_FILTERS:
        value = getattr(args, flag, None)
        if value and not (valid_date(value) and _real_date(value)):
            raise BackchannelError(f"--{flag} {value!r}: expected YYYY, YYYY-MM or YYYY-MM-DD")
    if store is not None:
        check_names(store, actor=getattr(args, "actor", None), conflict=getattr(args, "conflict", None))
    return {k: getattr(args, k, None) for k in SIGNAL_FILTERS}


def _real_date(value: str) -> bool:
    from datetime import date

    parts = [int(p) for p in value.split("-")]
    try:
        date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError:
        return False
    return True


def cmd_ingest(args: argparse.Namespace) -> int:
    from ..jobs.ingest import ingest
    from ..read import FieldMapping

    mapping = FieldMapping(**{name: getattr(args, f"{name}_field") for name in ARTICLE_FIELDS})
    with _open_store(args, must_exist=False) as store, _progress(not args.no_progress) as progress:
        summary = ingest(
            args.sources, store, _spec(args),
            glob=args.glob, allow_private=args.allow_private, mapping=mapping,
            batch_size=max(1, args.batch_size), workers=args.workers, doc_timeout=args.doc_timeout,
            progress=progress, on_error=lambda line: print(f"error: {line}", file=sys.stderr),
        )
    print(summary.line(), file=sys.stderr)
    return summary.exit_status


def cmd_reprocess(args: argparse.Namespace) -> int:
    from ..jobs.ingest import reprocess

    spec = _spec(args)
    with _open_store(args) as store:
        summary = reprocess(store, spec, workers=args.workers, doc_timeout=args.doc_timeout)
    print(f"{summary.stored} articles re-extracted, {summary.signals} signals, {summary.errors} errors", file=sys.stderr)
    return 1 if summary.errors else 0


def cmd_runs(args: argparse.Namespace) -> int:
    from ..jobs.runs import mark_dead_runs, runs_table

    with _open_store(args) as store:
        mark_dead_runs(store)
        rows = store.runs(limit=args.limit)
    sys.stdout.write(runs_table(rows) if args.format == "table" else json.dumps(rows, ensure_ascii=False, indent=1) + "\n")
    return 0


def cmd_signals(args: argparse.Namespace) -> int:
    from .sorting import DEFAULT_SORT, sort_signals
    from .views import signals_csv, signals_json, signals_table

    if args.claims and args.format == "csv":
        raise BackchannelError("--claims: a claim is a group of rows; use --format table or json")
    if args.expand and not args.claims:
        raise BackchannelError("--expand lists each claim's reports: give it with --claims")
    with _open_store(args) as store:  # newest first; another --sort needs them all before the --limit
        filters = _filters(args, store)
        if args.claims:  # every matching signal grouped, in --sort order; --limit counts claims
            from ..analysis.claims import group
            from .views import claims_json, claims_table

            listed = sort_signals(store.signals(newest_first=True, **filters), args.sort)
            claims = group(store, listed, actor=filters["actor"], stance=filters["stance"],
                           topic=filters["topic"])[: args.limit]
            sys.stdout.write(claims_json(claims) if args.format == "json" else claims_table(claims,
                                                                                           expand=args.expand))
            return 0
        rows = store.signals(limit=args.limit if args.sort == DEFAULT_SORT else None, newest_first=True,
                             **filters)
    rows = sort_signals(rows, args.sort)[: args.limit]
    render = {"table": signals_table, "json": signals_json, "csv": signals_csv}[args.format]
    sys.stdout.write(render(rows))
    return 0


def cmd_actors(args: argparse.Namespace) -> int:
    from .views import actors_table

    with _open_store(args) as store:
        rows = store.actors()
    sys.stdout.write(actors_table(rows) if args.format == "table" else json.dumps(rows, ensure_ascii=False, indent=1) + "\n")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from .views import signal_detail

    with _open_store(args) as store:
        detail = store.signal(args.signal_id)
    if detail is None:
        raise BackchannelError(f"no signal with id {args.signal_id}")
    if args.format == "json":
        print(json.dumps(detail, ensure_ascii=False, indent=1, default=str))
    else:
        sys.stdout.write(signal_detail(detail, color=sys.stdout.isatty()))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from ..export import export_annotations, export_signals

    if args.format == "annotations":
        if args.to == "-":
            raise BackchannelError("--format annotations writes one file per article: give --out DIR")
        with _open_store(args) as store:
            written, skipped = export_annotations(store, Path(args.to))
        for line in skipped:
            print(f"skipped: {line}", file=sys.stderr)
        print(f"{written} annotation files written to {args.to}", file=sys.stderr)
        return 0
    with _open_store(args) as store:
        out = "-" if args.to == "-" else Path(args.to)  # "-": export_signals' standard output, text formats only
        n = export_signals(store, args.format, out, **_filters(args, store))
    print(f"{n} signals exported" + ("" if args.to == "-" else f" to {args.to}"), file=sys.stderr)
    return 0


def cmd_spark_extract(args: argparse.Namespace) -> int:
    from ..jobs import spark_job

    return spark_job.run_command(args)


def cmd_serve(args: argparse.Namespace) -> int:
    from ..jobs.extractor import LazyExtractor
    from ..store import resolve_db
    from ..web import serve

    _open_store(args).close()  # a clear error now for a missing or unreachable database
    serve(resolve_db(args.db), args.host, args.port, args.token, extractor=LazyExtractor(_spec(args)))
    return 0


def _report(items: list, fmt: str, render) -> int:
    """Analysis results as JSON (their ``to_dict``) or as the terminal table ``render`` draws."""
    if fmt == "json":
        print(json.dumps([item.to_dict() for item in items], ensure_ascii=False, indent=1, default=str))
    else:
        sys.stdout.write(render(items))
    return 0


def cmd_timeline(args: argparse.Namespace) -> int:
    from ..analysis import plot_timeline, render_timeline, timeline
    from ..analysis.render import plot_format

    if args.plot:
        plot_format(args.plot)  # a bad chart path is told before any work
    with _open_store(args) as store:
        filters = _filters(args, store)  # ACTOR is checked too: its "did you mean" is --actor's
        points = timeline(store, args.actor, since=filters["since"], until=filters["until"], group_state=args.group_state)
    if not points:
        raise BackchannelError(f"no signals for actor {args.actor!r}")
    if args.plot:
        plot_timeline(points, args.plot)
        print(f"chart written to {args.plot}", file=sys.stderr)
    return _report(points, args.format, render_timeline)


def cmd_divergence(args: argparse.Namespace) -> int:
    from ..analysis import divergence, render_divergences

    with _open_store(args) as store:
        filters = _filters(args, store)
        items = divergence(store, actor=args.actor, since=filters["since"], until=filters["until"],
                           period=args.period, group_state=args.group_state)
    return _report(items, args.format, render_divergences)


def cmd_corroboration(args: argparse.Namespace) -> int:
    from ..analysis import corroboration, render_claims

    with _open_store(args) as store:
        filters = _filters(args, store)
        claims = corroboration(store, since=filters["since"], until=filters["until"], actor=args.actor,
                               stance=args.stance, topic=args.topic, group_state=args.group_state)
    return _report(claims, args.format, render_claims)


class _progress:
    """A rich progress line on stderr (articles, articles/s, errors) when stderr is a terminal."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self._progress = None
        self._task = None

    def __enter__(self):
        if not self.enabled:
            return None
        from rich.console import Console
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self._progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                                  console=Console(stderr=True), transient=True)
        self._progress.start()
        self._task = self._progress.add_task("starting")

        def update(summary) -> None:
            rate = summary.read / summary.seconds if summary.seconds else 0.0
            self._progress.update(self._task, description=(
                f"{summary.read} articles, {summary.duplicates} already stored, {summary.errors} errors, "
                f"{rate:.1f} articles/s"))

        return update

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()


def expand_paths(paths: Sequence[str]) -> list[Path]:
    """Files as given; folders expanded to the single-article files they hold (``read.folder_files``)."""
    from ..read.sources import folder_files

    out: list[Path] = []
    for p in paths:
        path = Path(p)
        out.extend(folder_files(path, single_articles=True) if path.is_dir() else [path])
    return out


def cmd_extract(args: argparse.Namespace) -> int:
    from ..jobs.documents import ArticleFile
    from ..jobs.extractor import ExtractionFailure
    from ..jobs.parallel import extract_stream
    from ..read.files import apply_overrides
    from ..read.sources import holds_one_article, iter_file
    from ..records import ArticleResult
    from .output import write_results

    if args.explain and args.format == "table":  # the table has no room for scores: say so, do not drop them
        raise BackchannelError("--explain needs --format json or jsonl (the table shows no explanations)")
    files = expand_paths(args.paths)
    if not files:
        print("error: no article files found in " + ", ".join(args.paths), file=sys.stderr)
        return 2
    documents: list[Article | ArticleFile] = []
    failures = 0
    for f in files:
        if holds_one_article(f):  # read inside the supervised worker, so reading is under the budget too
            documents.append(ArticleFile(str(f), published=args.published, outlet=args.outlet))
            continue
        for item in iter_file(f):  # JSONL, CSV, feed or WARC: ingest's readers give its articles and errors
            if isinstance(item, InputError):
                failures += 1
                print(f"error: {printable(str(item))}", file=sys.stderr)
            else:
                documents.append(apply_overrides(item, published=args.published, outlet=args.outlet))
    spec = _spec(args)
    results: list[ArticleResult] = []
    for _, outcome in extract_stream(documents, spec, doc_timeout=args.doc_timeout):
        if isinstance(outcome, ExtractionFailure):
            failures += 1
            print(f"error: {printable(outcome.article.source)}: {printable(outcome.reason)}", file=sys.stderr)
        else:
            results.append(outcome)
    written = len(results)
    if results:  # each article is written, or gets its own error line
        as_list = len(files) > 1 or len(args.paths) > 1 or Path(args.paths[0]).is_dir()
        for item in write_results(results, args.format, sys.stdout, as_list=as_list, explain=args.explain):
            failures += 1
            written -= 1
            print(f"error: {printable(item.result.article.source)}: {item.reason}", file=sys.stderr)
    if failures:
        return 1 if written else 2
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    if args.corpus or args.annotations:
        from ..corpus.commands import eval_corpus

        return eval_corpus(args)
    if not args.gold_dir:
        raise InputError("eval needs GOLD_DIR, or --corpus PATH --annotations DIR")
    from ..evaluation.scoring import check_floors, evaluate, floor_verdict, format_report
    from ..read import read_path

    extractor = _spec(args)()

    def extract(path: Path) -> dict:
        return extractor.extract(read_path(path)).to_dict()

    report = evaluate(Path(args.gold_dir), extract)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=1))
    else:
        print(format_report(report))
    if args.floors:
        try:
            floors = json.loads(Path(args.floors).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise BackchannelError(f"{args.floors}: cannot read floors ({exc})") from None
        return floor_verdict(check_floors(report, floors, all_articles=args.all_articles), args.floors)
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    from ..training.run import TrainSettings, train

    card = train(TrainSettings(corpus=Path(args.corpus), annotations=Path(args.annotations), out=Path(args.out),
                               extra=[Path(p) for p in args.extra], seed=args.seed, epochs=args.epochs,
                               fit_share=args.fit_share, negatives=args.negatives, hard_negatives=args.hard_negatives, lr=args.lr,
                               shape=args.shape, max_length=args.max_length, batch_size=args.batch_size,
                               threads=args.threads, progress=not args.no_progress))
    print(json.dumps({"out": args.out, "threshold": card["threshold"], "dev": card.get("dev", {})}, indent=1))
    return 0


COMMANDS = {
    "extract": cmd_extract,
    "eval": cmd_eval,
    "ingest": cmd_ingest,
    "reprocess": cmd_reprocess,
    "runs": cmd_runs,
    "signals": cmd_signals,
    "actors": cmd_actors,
    "show": cmd_show,
    "export": cmd_export,
    "spark-extract": cmd_spark_extract,
    "serve": cmd_serve,
    "timeline": cmd_timeline,
    "divergence": cmd_divergence,
    "corroboration": cmd_corroboration,
    "corpus": cmd_corpus,
    "train": cmd_train,
    "correct": lambda args: corrections.cmd_correct(args, _open_store),
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    try:
        return COMMANDS[args.command](args)
    except BackchannelError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (`... | head`): stop quietly, as Unix tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except Exception as exc:  # a database error, or a bug: one line, never a traceback unless asked for
        if os.environ.get("BACKCHANNEL_DEBUG"):
            raise
        from ..store import is_database_error

        kind = "database error" if is_database_error(exc) else "internal error"
        print(f"error: {kind} ({type(exc).__name__}: {' '.join(str(exc).split())}); "
              "set BACKCHANNEL_DEBUG=1 for the traceback", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
