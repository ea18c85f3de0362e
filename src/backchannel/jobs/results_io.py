"""Extraction results as Parquet: one row per article, so a batch extracted elsewhere (on Spark, on another
machine) can be loaded into the store without parsing the articles again.

Columns (all strings; ``RESULT_COLUMNS`` is the order):

- ``source``, then the ``Article``'s fields (``records.ARTICLE_FIELDS``: title, outlet, author, published, url, text);
- ``attributions``, ``signals``: JSON arrays of the records with *every* dataclass field, unrounded
  (``Signal.to_dict`` rounds ``confidence`` for display, which would not survive a round trip);
- ``actors``: JSON array of the ``ActorInfo`` of the signals' actors (kind, state, aliases), so that the
  store gets them as from a local extraction; optional when reading (older files: none);
- ``about_war``: ``"false"`` when the pre-parse scan skipped the article (not about a war), else ``"true"``;
  optional when reading (files written before it existed read as ``"true"``);
- ``extractor_version``: what produced the row, so the store can tell stale results from current ones;
- ``error``: empty for an extracted article; for a document that could not be read, its reason (the article
  columns then hold what is known, at least ``source``).

JSON text rather than nested Parquet structs keeps the schema identical whichever engine writes it
(pyarrow here, Spark in ``spark_job``) and rebuilds the records exactly: spans become tuples again,
floats round-trip through ``repr``.  ``read_results`` accepts one file or a folder of part files (Spark's
output layout).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from ..errors import InputError
from ..read.clean import replace_surrogates
from ..records import ARTICLE_FIELDS, ActorInfo, Article, ArticleResult, Attribution, Signal
from .extractor import ExtractorSpec

ARTICLE_COLUMNS: tuple[str, ...] = ("source", *ARTICLE_FIELDS)
RESULT_COLUMNS: tuple[str, ...] = (
    *ARTICLE_COLUMNS, "attributions", "signals", "actors", "about_war", "extractor_version", "error"
)
OPTIONAL_COLUMNS = frozenset({"about_war", "actors"})
SCHEMA = pa.schema([pa.field(name, pa.string()) for name in RESULT_COLUMNS])
ROW_GROUP_SIZE = 1000  # about 5-10 MB of ~600-word articles: bounded memory, still efficient to scan

_ATTRIBUTION_SPANS = ("speaker_span", "cue_span", "content_span")
_ATTRIBUTION_FIELDS = frozenset(f.name for f in fields(Attribution))
_SIGNAL_FIELDS = frozenset(f.name for f in fields(Signal))
_ACTOR_FIELDS = frozenset(f.name for f in fields(ActorInfo))

Row = ArticleResult | InputError | tuple[str, str]


@dataclass(frozen=True)
class StoredRow:
    """One row read back: the result (or the document's error) and the extractor version that wrote it."""

    item: ArticleResult | InputError
    extractor_version: str


# --- encoding ------------------------------------------------------------------------------------------


def result_row(result: ArticleResult, extractor_version: str) -> dict[str, str]:
    """The Parquet row of an extracted article (also used by ``spark_job`` for Spark rows)."""
    article = result.article
    row = {name: getattr(article, name) or "" for name in ARTICLE_COLUMNS}
    row["attributions"] = json.dumps([asdict(a) for a in result.attributions], ensure_ascii=False)
    row["signals"] = json.dumps([asdict(s) for s in result.signals], ensure_ascii=False)
    row["about_war"] = "true" if result.about_war else "false"
    row["extractor_version"] = extractor_version
    row["error"] = ""
    row["actors"] = json.dumps([asdict(a) for a in result.actors], ensure_ascii=False)
    return _writable(row)


def error_row(
    source: str, reason: str, extractor_version: str, article: Article | None = None
) -> dict[str, str]:
    """The Parquet row of a document that failed; a non-empty ``reason`` is what marks the row as an error."""
    row = {name: (getattr(article, name) or "") if article else "" for name in ARTICLE_COLUMNS}
    row["source"] = source
    row.update(
        attributions="[]", signals="[]", about_war="", extractor_version=extractor_version,
        error=reason or "unknown error", actors="[]",
    )
    return _writable(row)


def _writable(row: dict[str, str]) -> dict[str, str]:
    """No character may stop a write: a lone surrogate (Arrow and Spark refuse it) becomes U+FFFD."""
    return {name: replace_surrogates(value) for name, value in row.items()}


def to_row(item: Row, extractor_version: str) -> dict[str, str]:
    if isinstance(item, ArticleResult):
        return result_row(item, extractor_version)
    if isinstance(item, InputError):
        return error_row(item.source, item.reason, extractor_version)
    source, reason = item
    return error_row(source, reason, extractor_version)


def write_results(
    rows: Iterable[Row],
    path: str | Path,
    *,
    extractor_version: str | None = None,
    row_group_size: int = ROW_GROUP_SIZE,
) -> int:
    """Write results and errors (``InputError`` or ``(source, reason)``) to one Parquet file; return how many.

    Rows are buffered one row group at a time, so memory stays bounded however long the stream is.
    ``extractor_version`` defaults to the default extractor's (``ExtractorSpec().version``).
    """
    if extractor_version is None:
        extractor_version = ExtractorSpec().version
    count = 0
    buffer: list[dict[str, str]] = []
    with pq.ParquetWriter(str(path), SCHEMA, compression="zstd") as writer:
        for item in rows:
            buffer.append(to_row(item, extractor_version))
            if len(buffer) >= row_group_size:
                writer.write_table(pa.Table.from_pylist(buffer, schema=SCHEMA))
                count += len(buffer)
                buffer.clear()
        if buffer or not count:
            writer.write_table(pa.Table.from_pylist(buffer, schema=SCHEMA))
            count += len(buffer)
    return count


# --- decoding ------------------------------------------------------------------------------------------


def read_results(path: str | Path) -> Iterator[ArticleResult | InputError]:
    """Yield an ``ArticleResult`` per extracted article and an ``InputError`` per error row, rebuilt exactly.

    ``path`` is a Parquet file or a folder of them (Spark's ``part-*.parquet``; files whose names start
    with ``_`` or ``.`` are skipped, as Spark does).  A file that is not a results file raises
    ``InputError`` naming it; a corrupt row becomes an ``InputError`` for that row's source.
    """
    for row in read_rows(path):
        yield row.item


def read_rows(path: str | Path) -> Iterator[StoredRow]:
    """``read_results`` with each row's ``extractor_version`` (to tell current results from stale ones)."""
    for file in results_files(path):
        yield from _read_file(file)


def results_files(path: str | Path) -> list[Path]:
    """The Parquet files of a results path, in a stable order."""
    root = Path(path)
    if not root.exists():
        raise InputError(str(path), "no such file or folder")
    if root.is_file():
        return [root]
    files = sorted(
        p
        for p in root.rglob("*.parquet")
        if p.is_file() and not any(part.startswith(("_", ".")) for part in p.relative_to(root).parts)
    )
    if not files:
        raise InputError(str(path), "no .parquet files in the folder")
    return files


def _read_file(file: Path) -> Iterator[StoredRow]:
    try:
        parquet = pq.ParquetFile(file)
    except (OSError, pa.ArrowException) as exc:
        raise InputError(str(file), f"not a Parquet file ({exc})") from None
    present = parquet.schema_arrow.names
    missing = [name for name in RESULT_COLUMNS if name not in present and name not in OPTIONAL_COLUMNS]
    if missing:
        raise InputError(str(file), f"not a backchannel results file (missing columns: {', '.join(missing)})")
    for batch in parquet.iter_batches(columns=[name for name in RESULT_COLUMNS if name in present]):
        for row in batch.to_pylist():
            yield StoredRow(_decode(row), row["extractor_version"] or "")


def _decode(row: dict[str, Any]) -> ArticleResult | InputError:
    source = row["source"] or ""
    if row["error"]:
        return InputError(source, row["error"])
    article = Article.from_dict(row, source=source)
    try:
        attributions = [_attribution(d) for d in json.loads(row["attributions"] or "[]")]
        signals = [_signal(d) for d in json.loads(row["signals"] or "[]")]
        actors = [_actor(d) for d in json.loads(row.get("actors") or "[]")]
    except (ValueError, TypeError, KeyError) as exc:  # JSONDecodeError is a ValueError
        return InputError(source, f"corrupt results row ({type(exc).__name__}: {exc})")
    about_war = (row.get("about_war") or "true") != "false"
    return ArticleResult(article=article, attributions=attributions, signals=signals, about_war=about_war,
                         actors=actors)


def _attribution(d: dict[str, Any]) -> Attribution:
    _check_keys(d, _ATTRIBUTION_FIELDS, "attribution")
    for key in _ATTRIBUTION_SPANS:
        if d.get(key) is not None:
            d[key] = _span(d[key])
    return Attribution(**d)


def _signal(d: dict[str, Any]) -> Signal:
    _check_keys(d, _SIGNAL_FIELDS, "signal")
    if d.get("evidence_span") is not None:
        d["evidence_span"] = _span(d["evidence_span"])
    return Signal(**d)


def _actor(d: dict[str, Any]) -> ActorInfo:
    _check_keys(d, _ACTOR_FIELDS, "actor")
    return ActorInfo(**{**d, "aliases": tuple(d.get("aliases") or ())})


def _span(value: Any) -> tuple[int, int]:
    start, end = value
    return (int(start), int(end))


def _check_keys(d: dict[str, Any], known: frozenset[str], what: str) -> None:
    """Unknown fields mean another version of backchannel wrote the row; dropping them would lose data."""
    unknown = sorted(set(d) - known)
    if unknown:
        raise ValueError(f"{what} has fields this version does not know: {', '.join(unknown)}")
