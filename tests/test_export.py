"""Exports from a real SQLite store: every format read back, filters, CAMEO/PLOVER codes, atomic files.

Results are built by hand (no spaCy), so the file runs in a second or two.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys

import pytest

from backchannel import export
from backchannel.errors import BackchannelError
from backchannel.export import CAMEO, CSV_COLUMNS, FORMATS, export_signals
from backchannel.records import ArticleResult
from backchannel.store import open_store
from builders import attribution, result, signal

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

REUTERS = (
    "Putin open to talks\n\n"
    "Russian President Vladimir Putin said on Friday he was open to talks with Ukraine, the Kremlin said.\n\n"
    "Ukrainian President Volodymyr Zelensky rejected a ceasefire that freezes the front line."
)
PEACE_NEWS = (
    "A back channel\n\n"
    "A former senior official told The New York Times that Russia had agreed a ceasefire in private.\n\n"
    'Qatar urged both sides to sign a deal, "now, not later", its foreign ministry said.'
)


def reuters() -> ArticleResult:
    putin = "Russian President Vladimir Putin said on Friday he was open to talks with Ukraine, the Kremlin said."
    zelensky = "Ukrainian President Volodymyr Zelensky rejected a ceasefire that freezes the front line."
    return result(
        REUTERS,
        attributions=[attribution(REUTERS, "Vladimir Putin", "named", "said", "he was open to talks with Ukraine",
                                  via=["the Kremlin"])],
        signals=[signal(REUTERS, putin, "Vladimir Putin", "open", "talks", terms=["with Ukraine"],
                        when="2025-03-14", sources=["the Kremlin"], confidence=0.9),
                 signal(REUTERS, zelensky, "Volodymyr Zelensky", "refuses", "ceasefire",
                        terms=["freezes the front line", "no NATO"], confidence=0.7)],
        title="Putin open to talks", outlet="Reuters", published="2025-03-14", url="https://reuters.example/putin",
    )


def peace_news() -> ArticleResult:
    russia = "A former senior official told The New York Times that Russia had agreed a ceasefire in private."
    qatar = 'Qatar urged both sides to sign a deal, "now, not later", its foreign ministry said.'
    return result(
        PEACE_NEWS,
        signals=[signal(PEACE_NEWS, russia, "Russia", "agrees", "ceasefire", "private", when="2024-10",
                        sources=["a former senior official", "The New York Times"]),
                 signal(PEACE_NEWS, qatar, "Qatar", "urges", "deal", sources=["its foreign ministry"])],
        title="A back channel", outlet="Peace News", published="2024-11-02",
        url="https://peacenews.example/back-channel",
    )


@pytest.fixture
def store(tmp_path):
    with open_store(str(tmp_path / "t.db")) as s:
        s.save(reuters(), None, "1.0")
        s.save(peace_news(), None, "1.0")
        yield s


def _csv(path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _jsonl(path) -> list[dict]:
    return [json.loads(line) for line in open(path, encoding="utf-8").read().splitlines()]


def _leftovers(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


# ---- round trips -------------------------------------------------------------------------------------------
def test_csv_round_trips_with_stable_columns_and_joined_lists(store, tmp_path):
    target = tmp_path / "out.csv"
    assert export_signals(store, "csv", target) == 4
    with open(target, encoding="utf-8", newline="") as fh:
        assert next(csv.reader(fh)) == list(CSV_COLUMNS)
    rows = _csv(target)
    expected = store.signals()
    assert [int(r["id"]) for r in rows] == [s["id"] for s in expected]
    by_actor = {r["actor"]: r for r in rows}
    zelensky = by_actor["Volodymyr Zelensky"]
    assert zelensky["terms"] == "freezes the front line | no NATO"
    assert zelensky["when"] == "" and zelensky["date"] == "2025-03-14"  # the article's date stands in
    russia = by_actor["Russia"]
    assert russia["sources"] == "a former senior official → The New York Times"
    assert (russia["channel"], russia["when"], russia["outlet"]) == ("private", "2024-10", "Peace News")
    qatar = by_actor["Qatar"]
    assert qatar["evidence"] == 'Qatar urged both sides to sign a deal, "now, not later", its foreign ministry said.'
    assert float(by_actor["Vladimir Putin"]["confidence"]) == pytest.approx(0.9)
    assert by_actor["Vladimir Putin"]["extractor_version"] == "1.0"
    assert len(by_actor["Vladimir Putin"]["article_id"]) > 8
    assert _leftovers(tmp_path) == []


def test_jsonl_round_trips_the_store_dicts(store, tmp_path):
    target = tmp_path / "out.jsonl"
    assert export_signals(store, "jsonl", target) == 4
    rows = _jsonl(target)
    assert rows == store.signals()  # every field, lists as lists, numbers as numbers
    putin = next(r for r in rows if r["actor"] == "Vladimir Putin")
    assert putin["terms"] == ["with Ukraine"] and putin["sources"] == ["the Kremlin"]
    assert isinstance(putin["id"], int) and isinstance(putin["confidence"], float)
    assert REUTERS[putin["evidence_span"][0]:putin["evidence_span"][1]] == putin["evidence"]
    assert {"actor", "stance", "topic", "channel", "terms", "when", "sources", "evidence", "id", "article_id",
            "title", "outlet", "published", "url"} <= set(putin)


def test_parquet_round_trips_with_an_explicit_schema_in_row_groups(store, tmp_path, monkeypatch):
    monkeypatch.setattr(export, "PARQUET_ROW_GROUP", 3)
    target = tmp_path / "out.parquet"
    assert export_signals(store, "parquet", target) == 4
    parquet = pq.ParquetFile(target)
    assert parquet.metadata.num_row_groups == 2  # 3 + 1: written in batches, not all at once
    schema = parquet.schema_arrow
    assert schema.names == list(CSV_COLUMNS)
    assert schema.field("id").type == pa.int64() and not schema.field("id").nullable
    assert schema.field("terms").type == pa.list_(pa.string())
    assert schema.field("sources").type == pa.list_(pa.string())
    assert schema.field("confidence").type == pa.float64()
    rows = parquet.read().to_pylist()
    expected = store.signals()
    assert [r["id"] for r in rows] == [s["id"] for s in expected]
    zelensky = next(r for r in rows if r["actor"] == "Volodymyr Zelensky")
    assert zelensky["terms"] == ["freezes the front line", "no NATO"] and zelensky["sources"] == []
    russia = next(r for r in rows if r["actor"] == "Russia")
    assert russia["sources"] == ["a former senior official", "The New York Times"]
    assert russia["confidence"] == pytest.approx(0.5)


def test_parquet_of_nothing_is_a_valid_empty_file(store, tmp_path):
    target = tmp_path / "none.parquet"
    assert export_signals(store, "parquet", target, actor="Nobody") == 0
    table = pq.read_table(target)
    assert table.num_rows == 0 and table.schema.names == list(CSV_COLUMNS)


def test_plover_records_carry_cameo_codes_and_provenance(store, tmp_path):
    target = tmp_path / "events.jsonl"
    assert export_signals(store, "plover", target) == 4
    events = {e["source_actor"]: e for e in _jsonl(target)}
    putin = events["Vladimir Putin"]
    assert putin == {
        "event_id": store.signals(actor="Vladimir Putin")[0]["id"], "event_date": "2025-03-14", "event_type": "AGREE",
        "mode": "", "context": "negotiation", "cameo": "036", "source_actor": "Vladimir Putin",
        "source_country": "Russia", "target_actor": "", "channel": "public", "sources": ["the Kremlin"],
        "evidence": store.signals(actor="Vladimir Putin")[0]["evidence"], "url": "https://reuters.example/putin",
        "publisher": "Reuters", "story_date": "2025-03-14", "backchannel_stance": "open",
        "backchannel_topic": "talks",
    }
    russia = events["Russia"]
    assert (russia["cameo"], russia["event_type"], russia["mode"]) == ("0871", "RETREAT", "ceasefire")
    assert (russia["event_date"], russia["story_date"], russia["source_country"]) == ("2024-10", "2024-11-02",
                                                                                       "Russia")
    assert (events["Qatar"]["cameo"], events["Qatar"]["event_type"]) == ("027", "REQUEST")
    assert events["Volodymyr Zelensky"]["source_country"] == "Ukraine"
    assert (events["Volodymyr Zelensky"]["cameo"], events["Volodymyr Zelensky"]["event_type"]) == ("1246", "REJECT")


def test_a_signal_marked_not_a_signal_is_no_plover_event_but_stays_flagged_in_the_csv(store, tmp_path):
    qatar = store.signals(actor="Qatar")[0]["id"]
    store.add_correction(qatar, "not_a_signal", "", "a mediator's schedule, not a position", "ana")
    assert export_signals(store, "plover", tmp_path / "events.jsonl") == 3
    assert "Qatar" not in {e["source_actor"] for e in _jsonl(tmp_path / "events.jsonl")}
    export_signals(store, "csv", tmp_path / "all.csv")
    [row] = [r for r in _csv(tmp_path / "all.csv") if r["actor"] == "Qatar"]
    assert (row["corrected"], row["not_a_signal"]) == ("true", "true")


# Pinned from the CAMEO 1.1b3 codebook; see export's docstring for the reasons.
EXPECTED_CAMEO = {
    ("open", "talks"): ("036", "AGREE"), ("open", "ceasefire"): ("0356", "AGREE"), ("open", "deal"): ("037", "AGREE"),
    ("proposes", "talks"): ("036", "AGREE"), ("proposes", "ceasefire"): ("0356", "AGREE"),
    ("proposes", "deal"): ("037", "AGREE"),
    ("agrees", "talks"): ("046", "CONSULT"), ("agrees", "ceasefire"): ("0871", "RETREAT"),
    ("agrees", "deal"): ("057", "SUPPORT"),
    ("urges", "talks"): ("026", "REQUEST"), ("urges", "ceasefire"): ("0256", "REQUEST"),
    ("urges", "deal"): ("027", "REQUEST"),
    ("refuses", "talks"): ("125", "REJECT"), ("refuses", "ceasefire"): ("1246", "REJECT"),
    ("refuses", "deal"): ("127", "REJECT"),
    ("opposes", "talks"): ("125", "REJECT"), ("opposes", "ceasefire"): ("127", "REJECT"),
    ("opposes", "deal"): ("127", "REJECT"),
}


def test_every_stance_and_topic_exports_its_cameo_code(tmp_path):
    from backchannel.records import STANCES, TOPICS

    assert set(CAMEO) == {(s, t) for s in STANCES for t in TOPICS} == set(EXPECTED_CAMEO)
    text = " ".join(f"Actor {s} {t}." for s in STANCES for t in TOPICS)
    signals = [signal(text, f"Actor {s} {t}.", f"Actor {s} {t}", s, t) for s in STANCES for t in TOPICS]
    with open_store(str(tmp_path / "all.db")) as s:
        s.save(result(text, signals=signals, outlet="Wire", published="2025-01-02"), None, "1.0")
        out = io.StringIO()
        assert export_signals(s, "plover", out) == len(EXPECTED_CAMEO)
    events = [json.loads(line) for line in out.getvalue().splitlines()]
    got = {(e["backchannel_stance"], e["backchannel_topic"]): (e["cameo"], e["event_type"]) for e in events}
    assert got == EXPECTED_CAMEO
    modes = {(e["backchannel_stance"], e["backchannel_topic"]): e["mode"] for e in events}
    assert modes[("urges", "ceasefire")] == modes[("refuses", "ceasefire")] == "yield"
    assert modes[("refuses", "talks")] == modes[("urges", "deal")] == "meet" and modes[("open", "talks")] == ""
    assert all(e["source_country"] == "" for e in events)  # unknown actors: no country invented


def test_a_stance_outside_the_schema_exports_empty_codes():
    row = {"id": 1, "actor": "X", "stance": "ponders", "topic": "talks"}
    record = export.plover_record(row, lambda actor: None)
    assert (record["cameo"], record["event_type"], record["mode"]) == ("", "", "")
    assert export.event_code(" Open ", "TALKS").cameo == "036"


# ---- filters, streams and errors ------------------------------------------------------------------------------
def test_filters_pass_through_to_the_store(store, tmp_path):
    out = io.StringIO()
    assert export_signals(store, "jsonl", out, actor="VLADIMIR putin") == 1
    assert [json.loads(line)["actor"] for line in out.getvalue().splitlines()] == ["Vladimir Putin"]
    target = tmp_path / "f.csv"
    assert export_signals(store, "csv", target, outlet="peace news", since="2024-10", until="2024-10") == 1
    assert [r["actor"] for r in _csv(target)] == ["Russia"]
    assert export_signals(store, "csv", target, stance="urges", topic="deal", channel="public") == 1
    assert export_signals(store, "csv", target, stance="urges", channel="private") == 0
    assert _csv(target) == []  # header only
    with pytest.raises(BackchannelError, match="unknown export filter 'speaker'"):
        export_signals(store, "csv", target, speaker="Putin")


def test_rows_are_written_as_they_are_read(store):
    """Each row is on its way out before the next one is read: nothing collects the whole result."""
    out = io.StringIO()
    real = store.iter_signals

    def watched(**filters):
        for n, row in enumerate(real(**filters)):
            assert out.getvalue().count("\n") == n, "rows were held back"
            yield row

    store.iter_signals = watched
    assert export_signals(store, "jsonl", out) == 4


def test_streams_and_standard_output(store, capsys):
    binary = io.BytesIO()
    assert export_signals(store, "csv", binary) == 4
    assert not binary.closed and binary.getvalue().decode("utf-8").startswith("id,date,actor,")
    raw = io.BytesIO()
    assert export_signals(store, "parquet", raw) == 4 and not raw.closed
    assert pq.read_table(io.BytesIO(raw.getvalue())).num_rows == 4
    assert export_signals(store, "plover", "-") == 4
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4 and all(json.loads(line)["context"] == "negotiation" for line in lines)


def test_parquet_to_standard_output_or_a_text_stream_is_refused(store):
    with pytest.raises(BackchannelError, match="binary format.*--to PATH"):
        export_signals(store, "parquet", "-")
    with pytest.raises(BackchannelError, match="binary"):
        export_signals(store, "parquet", io.StringIO())


def test_unknown_format_names_the_allowed_ones(store, tmp_path):
    with pytest.raises(BackchannelError) as info:
        export_signals(store, "xlsx", tmp_path / "x.xlsx")
    assert all(f in str(info.value) for f in FORMATS)
    assert not (tmp_path / "x.xlsx").exists()


def test_missing_pyarrow_is_one_clear_error_and_creates_nothing(store, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow now raises ImportError
    with pytest.raises(BackchannelError, match="pip install pyarrow"):
        export_signals(store, "parquet", tmp_path / "p.parquet")
    assert not (tmp_path / "p.parquet").exists() and _leftovers(tmp_path) == []
    assert export_signals(store, "csv", tmp_path / "ok.csv") == 4  # the other formats do not need it


def test_bad_targets_are_reported(store, tmp_path):
    with pytest.raises(BackchannelError, match="does not exist"):
        export_signals(store, "csv", tmp_path / "no" / "such" / "out.csv")
    with pytest.raises(BackchannelError, match="is a folder"):
        export_signals(store, "jsonl", tmp_path)


# ---- atomic files --------------------------------------------------------------------------------------------
class Interrupted(BaseException):
    """Stands for Ctrl-C (a BaseException, like KeyboardInterrupt, so nothing may swallow it)."""


def _failing_after(store, n: int):
    real = store.iter_signals

    def rows(**filters):
        for i, row in enumerate(real(**filters)):
            if i == n:
                raise Interrupted
            yield row

    return rows


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "plover"])
def test_an_interrupted_text_export_leaves_no_file(store, tmp_path, monkeypatch, fmt):
    monkeypatch.setattr(store, "iter_signals", _failing_after(store, 2))
    target = tmp_path / f"out.{fmt}"
    with pytest.raises(Interrupted):
        export_signals(store, fmt, target)
    assert not target.exists() and _leftovers(tmp_path) == []


def test_a_csv_writer_failing_midway_keeps_the_previous_export(store, tmp_path, monkeypatch):
    target = tmp_path / "out.csv"
    export_signals(store, "csv", target)
    before = target.read_bytes()
    calls = []

    def breaking(row):
        calls.append(row)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        return real(row)

    real = export.csv_record
    monkeypatch.setattr(export, "csv_record", breaking)
    with pytest.raises(BackchannelError, match="No space left"):
        export_signals(store, "csv", target)
    assert target.read_bytes() == before and _leftovers(tmp_path) == []


def test_an_interrupted_parquet_export_leaves_no_file(store, tmp_path, monkeypatch):
    monkeypatch.setattr(export, "PARQUET_ROW_GROUP", 1)
    real = pq.ParquetWriter.write_table
    written = []

    def write_table(self, table, *args, **kwargs):
        if written:
            raise Interrupted
        written.append(table.num_rows)
        return real(self, table, *args, **kwargs)

    monkeypatch.setattr(pq.ParquetWriter, "write_table", write_table)
    target = tmp_path / "out.parquet"
    with pytest.raises(Interrupted):
        export_signals(store, "parquet", target)
    assert written == [1]  # it did stop midway
    assert not target.exists() and _leftovers(tmp_path) == []


def test_a_finished_export_is_an_ordinary_readable_file(store, tmp_path):
    target = tmp_path / "out.jsonl"
    export_signals(store, "jsonl", target)
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask
