"""The same extractor on Apache Spark, for corpora that outgrow one machine: JSONL or WARC in, Parquet out.

    backchannel spark-extract INPUT OUTPUT [--master local[4]] [--partitions 64]
    spark-submit src/backchannel/jobs/spark_job.py INPUT OUTPUT          # same arguments

INPUT is a ``.jsonl``/``.ndjson`` file (one article object per line; ``.gz`` too), a ``.warc``/``.warc.gz``
file, or a folder (searched recursively) holding either kind; any Hadoop path works (``hdfs://``,
``s3a://``).  OUTPUT is a folder of Parquet part files in the schema of ``results_io``:
``backchannel ingest OUTPUT`` loads it into the store without extracting again.

Why it gives the single-machine answer: every document goes through the project's own readers (the
JSONL line parser of ``read.bulk``, ``read.warc.iter_warc``) and ``Extractor``; sources are named as
``backchannel ingest INPUT`` names them (``file:line`` relative to INPUT, ``file@offset`` for WARC
records), so the two outputs can be matched row by row.  JSONL lines are numbered with one cheap counting
pass (lines per file block) before the shuffle that spreads them over the partitions.

The model is loaded lazily, once per Python worker (Spark reuses workers between tasks), never on the
driver; a document that cannot be read or extracted becomes a row with ``error`` set instead of failing
the job.  Differences from ``iter_source`` (documented, not hidden): Spark skips files whose names start
with ``_`` as well as ``.``, treats a lone ``\\r`` as a line break, and decompresses ``.jsonl.gz``.

On a cluster, the executors need backchannel and a spaCy model installed (or the package shipped with
``spark-submit --py-files backchannel.zip`` plus the model in the executors' environment) and
``PYSPARK_PYTHON`` pointing at that Python.  In ``local[*]`` mode the driver's own interpreter is used.
A WARC file is read whole into an executor's memory unless it is on a ``file:`` path (Common Crawl News
files are about 1 GB: size executor memory accordingly).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlparse

# Absolute imports: the file also runs as a script under spark-submit (see the end of the file).
from backchannel.errors import BackchannelError, InputError
from backchannel.jobs.extractor import ExtractorSpec, add_extraction_flags, in_chunks
from backchannel.jobs.results_io import RESULT_COLUMNS, error_row, result_row
from backchannel.read.bulk import DEFAULT_MAPPING, parse_jsonl_line
from backchannel.read.text import MAX_BYTES
from backchannel.read.warc import iter_warc
from backchannel.records import Article, ArticleResult

if TYPE_CHECKING:
    from pyspark import RDD
    from pyspark.sql import DataFrame, SparkSession

    from backchannel.jobs.extractor import Extractor

DEFAULT_MASTER = "local[2]"
JSONL_GLOB = "*.{jsonl,ndjson,jsonl.gz,ndjson.gz,JSONL,NDJSON}"
WARC_GLOB = "*.{warc,warc.gz,WARC,WARC.GZ}"
_JSONL_NAMES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")
_WARC_NAMES = (".warc", ".warc.gz")
_BATCH = 32  # articles per nlp.pipe batch inside a partition
_GLOB_CHARS = set("*?[{")


@dataclass
class JobSummary:
    articles: int
    errors: int
    seconds: float
    output: str

    def line(self) -> str:
        rate = self.articles / self.seconds if self.seconds else 0.0
        return (
            f"{self.articles} articles extracted, {self.errors} errors, {self.seconds:.1f} s "
            f"({rate:.1f} articles/s) -> {self.output}"
        )


# --- the session ---------------------------------------------------------------------------------------


def spark_session(master: str | None = None, app_name: str = "backchannel") -> SparkSession:
    """A SparkSession on ``master``, else ``$SPARK_MASTER``, else spark-submit's ``--master``, else local[2].

    Local masters bind to 127.0.0.1 and run the executors' Python with this interpreter, so that the
    venv's backchannel and spaCy model are the ones used.
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise BackchannelError(
            "Spark support is not installed; run: pip install 'backchannel[spark]'"
        ) from None
    master = master or os.environ.get("SPARK_MASTER") or ("" if _under_spark_submit() else DEFAULT_MASTER)
    if master.startswith("local"):
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName(app_name)
    if master:  # under spark-submit without one, its own --master (already in the JVM's config) applies
        builder = builder.master(master)
    builder = builder.config("spark.ui.showConsoleProgress", "false")
    if master.startswith("local"):
        builder = builder.config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def _under_spark_submit() -> bool:
    """spark-submit starts the JVM first and tells the Python driver its gateway port."""
    return "PYSPARK_GATEWAY_PORT" in os.environ


# --- the job -------------------------------------------------------------------------------------------


def run(
    input_path: str,
    output_path: str,
    *,
    master: str | None = None,
    partitions: int | None = None,
    actors_file: str = "",
    all_articles: bool = False,
    signal_model: str = "",
    overwrite: bool = False,
    spark: SparkSession | None = None,
    conflicts_file: str = "",
    full_parse: bool = False,
) -> JobSummary:
    """Extract every article under ``input_path`` and write the results to the Parquet folder ``output_path``.

    ``partitions`` (default: 4 per core) is how many tasks share the documents; each loads the model at
    most once.  ``spark`` reuses a running session (tests); otherwise one is started and stopped.
    """
    started = time.perf_counter()
    own_session = spark is None
    session = spark or spark_session(master)
    try:
        spec = ExtractorSpec(actors_file=actors_file, all_articles=all_articles, signal_model=signal_model,
                             conflicts_file=conflicts_file, full_parse=full_parse)
        version = spec.version
        tasks = partitions or max(2, 4 * session.sparkContext.defaultParallelism)
        rows = _result_rdd(session, input_path, tasks, spec, version)
        articles = session.sparkContext.accumulator(0)
        errors = session.sparkContext.accumulator(0)

        def count(row: tuple[str, ...]) -> tuple[str, ...]:
            (errors if row[_ERROR] else articles).add(1)
            return row

        frame = session.createDataFrame(rows.map(count), schema=_spark_schema())
        frame.write.mode("overwrite" if overwrite else "errorifexists").parquet(output_path)
        return JobSummary(articles.value, errors.value, time.perf_counter() - started, output_path)
    finally:
        if own_session:
            session.stop()


_ERROR = RESULT_COLUMNS.index("error")


def _result_rdd(session: SparkSession, input_path: str, tasks: int, spec: ExtractorSpec, version: str) -> RDD:
    name = _Namer(input_path)
    kinds = _kinds(input_path)
    where = _absolute(session, input_path)
    pieces = []
    if "jsonl" in kinds:
        lines = _numbered_lines(session, where, name, folder=len(kinds) > 1)
        if lines is not None:
            pieces.append(lines.repartition(tasks).mapPartitions(_jsonl_partition(spec, version)))
    if "warc" in kinds:
        files = _warc_files(session, where, tasks, folder=len(kinds) > 1)
        if files is not None:
            pieces.append(files.mapPartitions(_warc_partition(name, spec, version)))
    if not pieces:
        raise InputError(input_path, "no .jsonl/.ndjson or .warc/.warc.gz files found")
    return pieces[0] if len(pieces) == 1 else session.sparkContext.union(pieces)


def _absolute(session: SparkSession, input_path: str) -> str:
    """A relative local path made absolute here: the JVM resolves it against its own working directory,
    which is not this process's when the session outlives a ``chdir`` (or was started elsewhere)."""
    if urlparse(input_path).scheme:
        return input_path
    default_fs = session.sparkContext._jsc.hadoopConfiguration().get("fs.defaultFS") or "file:///"
    return os.path.abspath(input_path) if default_fs.startswith("file:") else input_path


def _kinds(input_path: str) -> tuple[str, ...]:
    """A JSONL or WARC file by its name; anything else (a folder, a glob) may hold both."""
    lowered = input_path.lower().rstrip("/")
    if lowered.endswith(_WARC_NAMES):
        return ("warc",)
    if lowered.endswith(_JSONL_NAMES):
        return ("jsonl",)
    return ("jsonl", "warc")


def _reader(session: SparkSession, folder: bool, glob: str) -> Any:
    reader = session.read
    if folder:
        reader = reader.option("recursiveFileLookup", "true").option("pathGlobFilter", glob)
    return reader


def _numbered_lines(session: SparkSession, input_path: str, name: _Namer, *, folder: bool) -> RDD | None:
    """``(source, line number, raw bytes)`` per line of every JSONL file, or None when there is none.

    Spark splits big files into blocks read by different tasks; a first pass counts the lines of each
    block so that each line gets its number in its file (what ``iter_jsonl`` calls it).  ``value`` is
    cast to binary so that invalid UTF-8 reaches the project's line parser as the bytes it was.
    """
    from pyspark.sql import functions as F

    frame: DataFrame = (
        _reader(session, folder, JSONL_GLOB)
        .text(input_path)
        .select(
            F.col("_metadata.file_path").alias("path"),
            F.col("_metadata.file_block_start").alias("start"),
            F.col("value").cast("binary").alias("raw"),
        )
    )
    counts = frame.groupBy("path", "start").count().collect()
    if not counts:
        return None
    before: dict[tuple[str, int], int] = {}
    running: dict[str, int] = {}
    for path, start, lines in sorted((r["path"], r["start"], r["count"]) for r in counts):
        before[(path, start)] = running.get(path, 0)
        running[path] = running.get(path, 0) + lines
    offsets = session.sparkContext.broadcast(before)

    def number(rows: Iterable[Any]) -> Iterator[tuple[str, int, bytes]]:
        seen: dict[tuple[str, int], int] = {}
        for path, start, raw in rows:
            key = (path, start)
            index = seen.get(key, 0)
            seen[key] = index + 1
            yield name(path), offsets.value[key] + index + 1, bytes(raw)

    return frame.rdd.mapPartitions(number)


def _warc_files(session: SparkSession, input_path: str, tasks: int, *, folder: bool) -> RDD | None:
    """``(path, bytes or None)`` per WARC file: local files are opened in place, others shipped whole."""
    listing = _reader(session, folder, WARC_GLOB).format("binaryFile").load(input_path).select("path")
    paths = [row["path"] for row in listing.collect()]
    if not paths:
        return None
    slices = min(len(paths), tasks)
    if all(p.startswith("file:") for p in paths):
        return session.sparkContext.parallelize([(p, None) for p in sorted(paths)], slices)
    frame = (
        _reader(session, folder, WARC_GLOB).format("binaryFile").load(input_path).select("path", "content")
    )
    return frame.rdd.map(lambda r: (r["path"], bytes(r["content"]))).repartition(slices)


def _spark_schema() -> Any:
    from pyspark.sql.types import StringType, StructField, StructType

    return StructType([StructField(column, StringType(), True) for column in RESULT_COLUMNS])


# --- inside the partitions (runs on the executors) ----------------------------------------------------


_EXTRACTORS: dict[ExtractorSpec, Extractor] = {}


def _extractor(spec: ExtractorSpec) -> Extractor:
    """One model per Python worker process, loaded on first use (Spark reuses workers between tasks)."""
    if spec not in _EXTRACTORS:
        _EXTRACTORS[spec] = spec()
    return _EXTRACTORS[spec]


def _jsonl_partition(spec: ExtractorSpec, version: str) -> Callable[[Iterable[Any]], Iterator[tuple[str, ...]]]:
    def partition(lines: Iterable[tuple[str, int, bytes]]) -> Iterator[tuple[str, ...]]:
        return extract_rows(_parse_lines(lines), spec, version)

    return partition


def _warc_partition(
    name: _Namer, spec: ExtractorSpec, version: str
) -> Callable[[Iterable[Any]], Iterator[tuple[str, ...]]]:
    def partition(files: Iterable[tuple[str, bytes | None]]) -> Iterator[tuple[str, ...]]:
        items = (
            item for path, content in files for item in warc_items(path, content, name(path, encoded=False))
        )
        return extract_rows(items, spec, version)

    return partition


def _parse_lines(lines: Iterable[tuple[str, int, bytes]]) -> Iterator[Article | InputError]:
    """The JSONL line parser of ``read.bulk``, so a line gives the same article or error as ``iter_jsonl``."""
    for source, number, raw in lines:
        line_source = f"{source}:{number}"
        if len(raw) > MAX_BYTES:
            yield InputError(line_source, f"line too large (more than {MAX_BYTES // (1024 * 1024)} MB)")
            continue
        item = parse_jsonl_line(raw, number, line_source, DEFAULT_MAPPING)
        if item is not None:
            yield item


def warc_items(uri: str, content: bytes | None, display: str) -> Iterator[Article | InputError]:
    """``iter_warc`` over one file given by URI (a ``file:`` path is opened in place) or by its bytes.

    Sources are renamed from the file actually read to ``display``, as ``backchannel ingest`` names them.
    """
    if content is None:
        local = _local_path(uri, encoded=False)
        yield from _renamed(iter_warc(local), local, display)
        return
    with tempfile.TemporaryDirectory(prefix="backchannel-warc-") as folder:
        local = os.path.join(folder, "input.warc.gz" if uri.lower().endswith(".gz") else "input.warc")
        with open(local, "wb") as handle:
            handle.write(content)
        yield from _renamed(iter_warc(local), local, display)


def _renamed(
    items: Iterable[Article | InputError], read_as: str, display: str
) -> Iterator[Article | InputError]:
    if read_as == display:
        yield from items
        return
    for item in items:
        if isinstance(item, InputError):
            yield InputError(_rename(item.source, read_as, display), item.reason)
        else:
            yield replace(item, source=_rename(item.source, read_as, display))


def _rename(source: str, read_as: str, display: str) -> str:
    return display + source[len(read_as) :] if source.startswith(read_as) else source


def extract_rows(
    items: Iterable[Article | InputError], spec: ExtractorSpec, version: str, batch: int = _BATCH
) -> Iterator[tuple[str, ...]]:
    """Output rows (``RESULT_COLUMNS`` order) for a stream of articles and errors, batched with ``nlp.pipe``.

    A batch that raises is redone one article at a time, so only the article that broke the extractor
    becomes an error row.  A missing model (``ModelError``) is not a bad document: it fails the task.
    """
    for chunk in in_chunks(items, batch):
        articles = [item for item in chunk if isinstance(item, Article)]
        done = _extractor(spec).extract_each(articles, batch_size=len(articles)) if articles else iter(())
        for item in chunk:
            if isinstance(item, InputError):
                yield _as_tuple(error_row(item.source, item.reason, version))
                continue
            outcome = next(done)
            if isinstance(outcome, ArticleResult):
                yield _as_tuple(result_row(outcome, version))
            else:
                yield _as_tuple(error_row(item.source, outcome.reason, version, article=item))


def _as_tuple(row: dict[str, str]) -> tuple[str, ...]:
    return tuple(row[column] for column in RESULT_COLUMNS)


# --- naming --------------------------------------------------------------------------------------------


class _Namer:
    """Spark's file URIs back to the names ``backchannel ingest INPUT`` gives the same files.

    ``file:/abs/data/a.jsonl`` read from INPUT ``data/`` becomes ``data/a.jsonl``; other schemes keep
    their URI (as Spark gives it).  Picklable (it travels to the executors inside the partition functions).
    """

    def __init__(self, input_path: str) -> None:
        self.input = input_path
        local = not urlparse(input_path).scheme or input_path.startswith("file:")
        self.is_glob = any(c in _GLOB_CHARS for c in input_path)
        self.root = (
            os.path.abspath(_local_path(input_path, encoded=False)) if local and not self.is_glob else ""
        )

    def __call__(self, uri: str, *, encoded: bool = True) -> str:
        if not uri.startswith("file:"):
            return uri
        path = _local_path(uri, encoded=encoded)
        if not self.root:
            return path
        if path == self.root:
            return str(Path(self.input))
        relative = os.path.relpath(path, self.root)
        if relative.startswith(".."):
            return path
        return str(Path(_local_path(self.input, encoded=False)) / relative)


def _local_path(uri: str, *, encoded: bool) -> str:
    """The file system path of a ``file:`` URI.  Spark percent-encodes ``_metadata.file_path`` but not the
    ``path`` column of the binaryFile source, so the caller says which it has."""
    if not uri.startswith("file:"):
        return uri
    rest = uri[len("file:") :]
    if rest.startswith("//"):
        rest = rest[2:]  # file:///abs
    return unquote(rest) if encoded else rest


# --- command line --------------------------------------------------------------------------------------


def build_parser(parser: argparse.ArgumentParser | None = None) -> argparse.ArgumentParser:
    """The arguments of ``spark-extract`` (also used by ``cli/commands.py`` for its subcommand)."""
    parser = parser or argparse.ArgumentParser(
        prog="spark-extract",
        description="Extract attributions and negotiation signals on Apache Spark: JSONL or WARC in, "
        "a Parquet folder out (load it with `backchannel ingest OUTPUT`).",
    )
    parser.add_argument(
        "input", metavar="INPUT", help="a .jsonl/.ndjson or .warc/.warc.gz file, or a folder of them"
    )
    parser.add_argument("output", metavar="OUTPUT", help="the Parquet folder to write (must not exist)")
    parser.add_argument(
        "--master", default=None, help=f"Spark master URL (default $SPARK_MASTER or {DEFAULT_MASTER})"
    )
    parser.add_argument(
        "--partitions", type=int, default=None, metavar="N", help="tasks (default 4 per core)"
    )
    add_extraction_flags(parser)
    parser.add_argument("--overwrite", action="store_true", help="replace OUTPUT if it exists")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Exit 0 when every document was extracted, 1 when some failed, 2 when the job could not run."""
    args = build_parser().parse_args(argv)
    return run_command(args)


def run_command(args: argparse.Namespace) -> int:
    if args.partitions is not None and args.partitions < 1:
        print("spark-extract: --partitions must be at least 1", file=sys.stderr)
        return 2
    if not args.overwrite and not urlparse(args.output).scheme and os.path.exists(args.output):
        print(
            f"spark-extract: {args.output}: already exists (use --overwrite to replace it)", file=sys.stderr
        )
        return 2
    try:
        summary = run(
            args.input,
            args.output,
            master=args.master,
            partitions=args.partitions,
            actors_file=args.actors,
            conflicts_file=args.conflicts,
            all_articles=args.all_articles,
            signal_model=args.signal_model,
            full_parse=args.full_parse,
            overwrite=args.overwrite,
        )
    except BackchannelError as exc:
        print(f"spark-extract: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - Spark's AnalysisException etc.: one line, not a JVM trace
        if type(exc).__name__ not in ("AnalysisException", "Py4JJavaError", "PySparkException"):
            raise
        print(f"spark-extract: {_first_line(exc)}", file=sys.stderr)
        return 2
    print(summary.line(), file=sys.stderr)
    if not summary.articles:
        return 2
    return 1 if summary.errors else 0


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__


if __name__ == "__main__":
    # `spark-submit src/backchannel/jobs/spark_job.py INPUT OUTPUT`: hand over to the installed module, so that the
    # functions shipped to the executors are pickled by reference to `backchannel.jobs.spark_job`, not by value.
    from backchannel.jobs.spark_job import main as _module_main

    sys.exit(_module_main())
