"""``backchannel export``: every matching signal, streamed from the store into CSV, JSON Lines, Parquet or PLOVER.

Why it is built this way:

* Streaming.  Rows come one at a time from ``Store.iter_signals`` and go
  straight to the writer (Parquet: in row groups of ``PARQUET_ROW_GROUP``),
  so an export of millions of signals runs in bounded memory.
* Atomic files.  A path target is written to a temporary file beside it and
  renamed over it only when the export has finished; an interrupted or
  failed export leaves the previous file (or none), never half a file.  The
  temporary file is removed on any error, Ctrl-C included (a SIGKILL can
  leave a ``.NAME.*.part`` file, but never a truncated ``NAME``).
* ``-`` is standard output, for the text formats; Parquet is binary and
  needs a path (or a binary stream when called from Python).
* pyarrow is imported only for Parquet, so the other formats work without it.

PLOVER and CAMEO
----------------
``plover`` writes one event record per signal for event-data users (not for a
signal an analyst marked "not a signal": the other formats keep it, flagged by
``corrected``, but an event feed has no field to say the event did not happen), with the
CAMEO code of the stance and topic (``CAMEO``).  The codes and labels are
those of the CAMEO codebook 1.1b3 (Schrodt, 2012); each code's PLOVER event
type and mode follow the Open Event Data Alliance's CAMEO-to-PLOVER
crosswalk (``CAMEO2PLOVER-2021.txt`` in the openeventdata/PLOVER
repository), so that our ``event_type`` is what a user converting our
``cameo`` field themselves would get.  The choices, and what is uncertain:

* ``open`` and ``proposes`` are CAMEO 03 "express intent to cooperate",
  whose definition covers "offer, promise, agree to, or otherwise indicate
  willingness": talks 036, a deal 037 "settle dispute".  A ceasefire is not a
  settlement but a de-escalation, and CAMEO has a code for exactly that:
  0356 "Express intent to de-escalate military engagement" (the same family
  as 0871 "Declare truce, ceasefire", used for ``agrees``).  The ceasefire row
  therefore uses the 0x56/1246 "de-escalate" codes for ``open``, ``proposes``,
  ``urges`` and ``refuses`` rather than 037/027/127 (``agrees`` and ``opposes``
  below); this is a deliberate reading of the codebook, and the one place
  where another coder might reasonably differ.
* ``agrees``: talks 046 "Engage in negotiation" (CONSULT); a ceasefire 0871
  (RETREAT, mode ``ceasefire`` in the crosswalk, although the PLOVER manual's
  prose would call a *declared* but not yet observed truce CONCEDE); a deal
  057 "Sign formal agreement" (SUPPORT: PLOVER puts signing and ratifying
  agreements there).  "Agreed to hold talks" is 036 in strict CAMEO; the
  extractor labels that ``open``, so ``agrees`` + talks is negotiating itself.
* ``urges`` is CAMEO 02 APPEAL: 026, 027 and 0256 "Appeal for de-escalation
  of military engagement".  The OEDA PLOVER draft (0.7) drops appeals; the
  later PLOVER used by the POLECAT data set codes demands and appeals as
  REQUEST, which is what we write, with the modes PLOVER gives demands and
  rejections (``meet`` for talks and settlements, ``yield`` for ceasefires).
* ``refuses``: talks 125 "Reject proposal to meet, discuss, or negotiate",
  a deal 127 "Reject plan, agreement to settle dispute", a ceasefire 1246
  "Refuse to de-escalate military engagement" -- all REJECT.
* ``opposes`` (a third party working against talks or a deal): 125 for talks
  and 127 otherwise, REJECT.  CAMEO has no code for obstructing *others'*
  negotiations, so this is the nearest fit, not an exact one.
* ``mode`` is empty where PLOVER gives none (AGREE, CONSULT and SUPPORT are
  verbal; PLOVER only sets modes for how a consultation happened).
* ``context`` is ``"negotiation"`` for every record: PLOVER allows
  project-specific contexts, and its standard ones (``diplomatic``,
  ``military``) would say less.  ``source_country`` is the actor's
  state as the extractor's registry named it (not an ISO code); ``target_actor`` is the signal's
  ``counterpart`` (the other side's lead for a party, both sides for a third party; empty when the article
  places the signal in no known conflict).
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, BinaryIO, TextIO

from backchannel.chains import chain_text
from backchannel.errors import BackchannelError
from backchannel.store import SIGNAL_FILTERS

# The export and ``signals --format csv`` column order: who/what/when first, provenance after.
CSV_COLUMNS: tuple[str, ...] = (
    "id", "date", "actor", "stance", "topic", "channel", "when", "terms", "sources", "evidence", "conflict",
    "counterpart", "role", "outlet", "title", "url", "published", "article_id", "confidence", "extractor_version",
    "corrected", "not_a_signal",
)
LIST_SEPARATOR = " | "  # lists in one CSV cell; a bar is rarer than a comma or semicolon in the items
# except ``sources``, which is a chain and is written as every chain is (``chains.chain_text``)


FORMATS: tuple[str, ...] = ("csv", "jsonl", "parquet", "plover")
FILTERS: frozenset[str] = frozenset({*SIGNAL_FILTERS, "include_superseded"})
PARQUET_ROW_GROUP = 10_000
PLOVER_CONTEXT = "negotiation"


@dataclass(frozen=True)
class EventCode:
    cameo: str
    label: str  # the CAMEO codebook's wording
    plover: str  # PLOVER event type
    mode: str = ""  # PLOVER mode, empty where PLOVER has none


# (stance, topic) -> event code.  See the module docstring for why each one.
CAMEO: dict[tuple[str, str], EventCode] = {
    ("open", "talks"): EventCode("036", "Express intent to meet or negotiate", "AGREE"),
    ("open", "ceasefire"): EventCode("0356", "Express intent to de-escalate military engagement", "AGREE"),
    ("open", "deal"): EventCode("037", "Express intent to settle dispute", "AGREE"),
    ("proposes", "talks"): EventCode("036", "Express intent to meet or negotiate", "AGREE"),
    ("proposes", "ceasefire"): EventCode("0356", "Express intent to de-escalate military engagement", "AGREE"),
    ("proposes", "deal"): EventCode("037", "Express intent to settle dispute", "AGREE"),
    ("agrees", "talks"): EventCode("046", "Engage in negotiation", "CONSULT"),
    ("agrees", "ceasefire"): EventCode("0871", "Declare truce, ceasefire", "RETREAT", "ceasefire"),
    ("agrees", "deal"): EventCode("057", "Sign formal agreement", "SUPPORT"),
    ("urges", "talks"): EventCode("026", "Appeal to others to meet or negotiate", "REQUEST", "meet"),
    ("urges", "ceasefire"): EventCode("0256", "Appeal for de-escalation of military engagement", "REQUEST", "yield"),
    ("urges", "deal"): EventCode("027", "Appeal to others to settle dispute", "REQUEST", "meet"),
    ("refuses", "talks"): EventCode("125", "Reject proposal to meet, discuss, or negotiate", "REJECT", "meet"),
    ("refuses", "ceasefire"): EventCode("1246", "Refuse to de-escalate military engagement", "REJECT", "yield"),
    ("refuses", "deal"): EventCode("127", "Reject plan, agreement to settle dispute", "REJECT", "meet"),
    ("opposes", "talks"): EventCode("125", "Reject proposal to meet, discuss, or negotiate", "REJECT", "meet"),
    ("opposes", "ceasefire"): EventCode("127", "Reject plan, agreement to settle dispute", "REJECT", "meet"),
    ("opposes", "deal"): EventCode("127", "Reject plan, agreement to settle dispute", "REJECT", "meet"),
}
_NO_CODE = EventCode("", "", "")  # a stance or topic outside docs/SCHEMA.md (an old or foreign extraction)


def event_code(stance: str, topic: str) -> EventCode:
    return CAMEO.get(((stance or "").strip().lower(), (topic or "").strip().lower()), _NO_CODE)


# ---- records ------------------------------------------------------------------------------------------
def jsonl_record(row: Mapping[str, Any]) -> dict[str, Any]:
    """The store's signal dict as it is: docs/SCHEMA.md fields, then id, article and extraction fields."""
    return dict(row)


def plover_record(row: Mapping[str, Any], country_of: Callable[[str], str | None]) -> dict[str, Any]:
    code = event_code(row.get("stance", ""), row.get("topic", ""))
    return {
        "event_id": row["id"],
        "event_date": row.get("date") or "",
        "event_type": code.plover,
        "mode": code.mode,
        "context": PLOVER_CONTEXT,
        "cameo": code.cameo,
        "source_actor": row.get("actor") or "",
        "source_country": country_of(row.get("actor") or "") or "",
        "target_actor": row.get("counterpart") or "",
        "channel": row.get("channel") or "",
        "sources": list(row.get("sources") or []),
        "evidence": row.get("evidence") or "",
        "url": row.get("url") or "",
        "publisher": row.get("outlet") or "",
        "story_date": row.get("published") or "",
        "backchannel_stance": row.get("stance") or "",
        "backchannel_topic": row.get("topic") or "",
    }


# ---- writers: each takes the rows and an open target, returns the number written ----------------------------
def csv_record(row: Mapping[str, Any]) -> list[str]:
    """One signal as CSV cells in ``CSV_COLUMNS`` order: the source chain in its notation, other lists
    joined, numbers as text."""
    cells: list[str] = []
    for column in CSV_COLUMNS:
        value = row.get(column)
        if column == "sources":
            value = chain_text(value or ())
        elif isinstance(value, (list, tuple)):
            value = LIST_SEPARATOR.join(str(v) for v in value)
        elif isinstance(value, bool):
            value = "true" if value else "false"
        elif value is None:
            value = ""
        cells.append(str(value))
    return cells


def write_csv(rows: Iterator[Mapping[str, Any]], out: TextIO, **_: Any) -> int:
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    n = 0
    for row in rows:
        writer.writerow(csv_record(row))
        n += 1
    return n


def _write_lines(rows: Iterator[Mapping[str, Any]], out: TextIO, record: Callable[[Mapping[str, Any]], dict]) -> int:
    n = 0
    for row in rows:
        out.write(json.dumps(record(row), ensure_ascii=False) + "\n")
        n += 1
    return n


def _pyarrow() -> tuple[Any, Any]:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise BackchannelError("the parquet format needs pyarrow, which is not installed: pip install pyarrow") \
            from exc
    return pa, pq


def parquet_schema() -> Any:
    pa, _ = _pyarrow()
    types = {"id": pa.int64(), "confidence": pa.float64(), "terms": pa.list_(pa.string()),
             "sources": pa.list_(pa.string()), "corrected": pa.bool_(), "not_a_signal": pa.bool_()}
    return pa.schema([pa.field(c, types.get(c, pa.string()), nullable=c != "id") for c in CSV_COLUMNS])


def _parquet_value(row: Mapping[str, Any], column: str) -> Any:
    value = row.get(column)
    if column in ("terms", "sources"):
        return [str(v) for v in value or []]
    if column == "id":
        return int(value)
    if column == "confidence":
        return None if value is None else float(value)
    if column in ("corrected", "not_a_signal"):
        return bool(value)
    return None if value is None else str(value)


def _write_parquet(rows: Iterator[Mapping[str, Any]], out: str | BinaryIO, **_: Any) -> int:
    pa, pq = _pyarrow()
    schema = parquet_schema()
    n = 0
    writer = pq.ParquetWriter(out, schema)
    try:
        batch: dict[str, list[Any]] = {c: [] for c in CSV_COLUMNS}
        for row in rows:
            for column in CSV_COLUMNS:
                batch[column].append(_parquet_value(row, column))
            n += 1
            if len(batch["id"]) >= PARQUET_ROW_GROUP:
                writer.write_table(pa.Table.from_pydict(batch, schema=schema))
                batch = {c: [] for c in CSV_COLUMNS}
        if batch["id"]:
            writer.write_table(pa.Table.from_pydict(batch, schema=schema))
    finally:
        writer.close()
    return n


# ---- targets ------------------------------------------------------------------------------------------
@contextlib.contextmanager
def _atomic_path(target: Path) -> Iterator[Path]:
    """A temporary file beside ``target``, renamed over it only if the block finishes."""
    folder = target.parent
    if target.is_dir():
        raise BackchannelError(f"{target}: is a folder; give a file name to export to")
    if not folder.is_dir():
        raise BackchannelError(f"{target}: cannot export there: the folder {folder} does not exist")
    try:
        fd, name = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".part")
    except OSError as exc:
        raise BackchannelError(f"{target}: cannot write in {folder}: {exc.strerror or exc}") from exc
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        with open(tmp, "rb+") as fh:  # on disk before the rename makes it visible
            os.fsync(fh.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it private; an export is an ordinary file
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def _is_text_stream(out: Any) -> bool:
    return isinstance(out, io.TextIOBase)


def _run(writer: Callable[..., int], rows: Iterator[Mapping[str, Any]], out: Any, binary: bool,
         **kwargs: Any) -> int:
    if isinstance(out, (str, os.PathLike)) and str(out) == "-":
        if binary:
            raise BackchannelError("parquet is a binary format and cannot go to standard output: "
                                   "give a file with --to PATH")
        return writer(rows, sys.stdout, **kwargs)
    if isinstance(out, (str, os.PathLike)):
        target = Path(out)
        try:
            with _atomic_path(target) as tmp:
                if binary:
                    return writer(rows, str(tmp), **kwargs)
                with open(tmp, "w", encoding="utf-8", newline="") as fh:
                    return writer(rows, fh, **kwargs)
        except OSError as exc:
            raise BackchannelError(f"{target}: cannot write the export: {exc.strerror or exc}") from exc
    if binary:
        if _is_text_stream(out):
            raise BackchannelError("parquet is a binary format: give a file path or a binary stream")
        return writer(rows, out, **kwargs)
    if _is_text_stream(out):
        return writer(rows, out, **kwargs)
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    try:
        return writer(rows, text, **kwargs)
    finally:
        text.flush()
        text.detach()  # the caller's binary stream stays open


def export_signals(store: Any, fmt: str, out: BinaryIO | TextIO | IO[Any] | Path | str, **filters: Any) -> int:
    """Write every signal matching ``filters`` (those of ``Store.signals``) to ``out``; return how many.

    ``fmt`` is one of ``FORMATS``.  ``out`` is a path (written atomically),
    ``"-"`` for standard output, or an open stream.  PLOVER's ``source_country``
    is the actor's state as the store holds it (``Store.actor_countries``).  Raises ``BackchannelError`` for an unknown format or filter,
    Parquet to standard output, or a target that cannot be written.
    """
    fmt = (fmt or "").strip().lower()
    if fmt not in FORMATS:
        raise BackchannelError(f"unknown export format {fmt!r}: use one of {', '.join(FORMATS)}")
    unknown = sorted(set(filters) - FILTERS)
    if unknown:
        raise BackchannelError(f"unknown export filter {unknown[0]!r}: use {', '.join(sorted(FILTERS))}")
    if fmt == "parquet":
        _pyarrow()  # fail before anything is created
    rows = iter(store.iter_signals(**filters))
    try:
        if fmt == "csv":
            return _run(write_csv, rows, out, binary=False)
        if fmt == "jsonl":
            return _run(_write_lines, rows, out, binary=False, record=jsonl_record)
        if fmt == "parquet":
            return _run(_write_parquet, rows, out, binary=True)
        countries = store.actor_countries()
        events = (r for r in rows if not r.get("not_a_signal"))  # an event feed has no room for a rejected one
        return _run(_write_lines, events, out, binary=False,
                    record=lambda r: plover_record(r, lambda actor: countries.get(actor) or None))
    finally:
        close = getattr(rows, "close", None)  # ends the store's read cursor even when writing failed
        if close is not None:
            close()


# ---- annotations: analysts' corrections for training (``corpus.corrected``) ----------------------------------
def export_annotations(store: Any, out: Path) -> tuple[int, list[str]]:
    """Write one annotation file per current article with corrections into the folder ``out`` (created if
    missing; each file written atomically); return how many were written and a line per signal or article
    left out.  The files hold labels, spans and the text's sha256, never the text."""
    from backchannel.corpus.annotations import dump_annotation
    from backchannel.corpus.corrected import annotation_of, problems_of

    if out.exists() and not out.is_dir():
        raise BackchannelError(f"{out}: not a folder; --out takes the folder to write the annotation files in")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackchannelError(f"{out}: cannot create the folder: {exc.strerror or exc}") from exc
    written, skipped = 0, []
    for article_id in store.corrected_articles():
        article = store.article(article_id)
        data, left_out = annotation_of(article["text"], store.article_signals(article_id),
                                       store.article_corrections(article_id))
        skipped += [f"article {article_id}: {line}" for line in left_out]
        target = out / f"{data['id']}.json"
        problems = problems_of(data, article["text"], target)
        if problems:
            skipped.append(f"article {article_id}: {problems[0]}")
            continue
        try:
            with _atomic_path(target) as tmp:
                tmp.write_text(dump_annotation(data), encoding="utf-8")
        except OSError as exc:
            raise BackchannelError(f"{target}: cannot write: {exc.strerror or exc}") from exc
        written += 1
    return written, skipped
