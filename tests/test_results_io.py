"""Results Parquet: what goes in comes back as equal dataclasses, errors included, from a file or a folder."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from backchannel.errors import InputError
from backchannel.jobs.results_io import SCHEMA, read_results, read_rows, result_row, write_results
from backchannel.records import Article, ArticleResult, Attribution, Signal

TEXT = "Ankara — «Nous sommes prêts», a dit le ministre. Officials said talks could resume 🕊."


def handmade() -> ArticleResult:
    """Every field set, with values that break naive round trips: spans, None spans, odd floats, unicode."""
    article = Article(
        text=TEXT,
        title="Talks «resume»",
        outlet="Wire",
        author="A. Writer",
        published="2025-03",
        url="https://wire.example/a?b=1",
        source="dump.jsonl:7",
    )
    attributions = [
        Attribution(
            speaker="le ministre",
            speaker_kind="named",
            cue="a dit",
            content="Nous sommes prêts",
            kind="direct",
            via=["Wire", "AFP"],
            speaker_span=(40, 51),
            cue_span=(34, 39),
            content_span=(11, 28),
            confidence=0.1 + 0.2,
        ),
        Attribution(
            speaker="Officials",
            speaker_kind="anonymous",
            cue="said",
            content="talks could resume",
            kind="indirect",
        ),
    ]
    signals = [
        Signal(
            actor="Turkey",
            stance="open",
            topic="talks",
            channel="public",
            evidence="talks could resume",
            terms=["on Monday"],
            when="2025-03-03",
            sources=["Officials"],
            evidence_span=(67, 85),
            confidence=0.123456789,
        ),
        Signal(actor="Russia", stance="refuses", topic="ceasefire", channel="unknown", evidence="x"),
    ]
    return ArticleResult(article=article, attributions=attributions, signals=signals)


def test_results_and_errors_round_trip_exactly(tmp_path: Path) -> None:
    result = handmade()
    empty = ArticleResult(article=Article(text="Nothing here.", source="b.txt"))
    path = tmp_path / "r.parquet"
    rows = [
        result,
        InputError("dump.jsonl:8", "invalid JSON at column 3: Expecting value"),
        empty,
        ("crawl.warc.gz@512", "no article text in the page"),
    ]
    assert write_results(rows, path, extractor_version="0.1.0+abc") == 4

    back = list(read_results(path))
    assert back[0] == result  # dataclass equality: spans are tuples again, confidences unrounded
    assert isinstance(back[0].attributions[0].speaker_span, tuple)
    assert back[0].signals[0].confidence == 0.123456789
    assert back[2] == empty
    assert isinstance(back[1], InputError)
    assert (back[1].source, back[1].reason) == ("dump.jsonl:8", "invalid JSON at column 3: Expecting value")
    assert isinstance(back[3], InputError) and (back[3].source, back[3].reason) == rows[3]
    assert {row.extractor_version for row in read_rows(path)} == {"0.1.0+abc"}


def test_real_extraction_round_trips(tmp_path: Path, extract) -> None:
    result = extract(
        "Sudan's army rejected on Saturday a humanitarian truce proposed by the United States and Egypt. "
        "Army chief Abdel Fattah al-Burhan said there would be no truce while the RSF occupied cities."
    )
    assert result.signals and result.attributions
    write_results([result], tmp_path / "r.parquet", extractor_version="v")
    assert list(read_results(tmp_path / "r.parquet")) == [result]


def test_default_version_is_the_running_extractors(tmp_path: Path) -> None:
    from backchannel.jobs.extractor import extractor_version

    write_results([handmade()], tmp_path / "r.parquet")
    assert [row.extractor_version for row in read_rows(tmp_path / "r.parquet")] == [extractor_version()]


def test_long_streams_are_written_in_row_groups(tmp_path: Path) -> None:
    results = (ArticleResult(article=Article(text=f"Article {i}.", source=f"s:{i}")) for i in range(25))
    write_results(results, tmp_path / "r.parquet", extractor_version="v", row_group_size=10)
    meta = pq.ParquetFile(tmp_path / "r.parquet").metadata
    assert (meta.num_rows, meta.num_row_groups) == (25, 3)
    assert [r.article.source for r in read_results(tmp_path / "r.parquet")] == [f"s:{i}" for i in range(25)]


def test_an_empty_stream_writes_a_readable_file(tmp_path: Path) -> None:
    assert write_results([], tmp_path / "r.parquet", extractor_version="v") == 0
    assert list(read_results(tmp_path / "r.parquet")) == []


def test_a_folder_of_part_files_is_read_in_order_skipping_markers(tmp_path: Path) -> None:
    """Spark's layout: part-*.parquet, plus _SUCCESS and .crc files that are not data."""
    out = tmp_path / "out"
    out.mkdir()
    for part in range(3):
        rows = [
            result_row(ArticleResult(article=Article(text=f"t{part}{i}", source=f"p{part}:{i}")), "v")
            for i in range(2)
        ]
        pq.write_table(pa.Table.from_pylist(rows, schema=SCHEMA), out / f"part-{part:05d}-abc.snappy.parquet")
    (out / "_SUCCESS").write_text("")
    (out / ".part-00000-abc.snappy.parquet.crc").write_bytes(b"\0crc")
    assert [r.article.source for r in read_results(out)] == [f"p{p}:{i}" for p in range(3) for i in range(2)]


def test_files_that_are_not_results_are_refused_by_name(tmp_path: Path) -> None:
    other = tmp_path / "other.parquet"
    pq.write_table(pa.table({"text": ["a"]}), other)
    with pytest.raises(
        InputError, match="other.parquet: not a backchannel results file .*missing columns: source"
    ):
        list(read_results(other))
    (tmp_path / "junk.parquet").write_bytes(b"not parquet at all")
    with pytest.raises(InputError, match="junk.parquet: not a Parquet file"):
        list(read_results(tmp_path / "junk.parquet"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no .parquet files"):
        list(read_results(tmp_path / "empty"))
    with pytest.raises(InputError, match="no such file"):
        list(read_results(tmp_path / "missing.parquet"))


def test_a_corrupt_row_is_an_error_for_that_row_only(tmp_path: Path) -> None:
    good = result_row(handmade(), "v")
    bad = dict(good, source="x:2", attributions="[{not json")
    newer = dict(
        good,
        source="x:3",
        signals=json.dumps(
            [
                {
                    "actor": "A",
                    "stance": "open",
                    "topic": "talks",
                    "channel": "public",
                    "evidence": "e",
                    "mood": "sunny",
                }
            ]
        ),
    )
    pq.write_table(pa.Table.from_pylist([good, bad, newer], schema=SCHEMA), tmp_path / "r.parquet")
    items = list(read_results(tmp_path / "r.parquet"))
    assert items[0] == handmade()
    assert (
        isinstance(items[1], InputError)
        and items[1].source == "x:2"
        and "corrupt results row" in items[1].reason
    )
    assert isinstance(items[2], InputError) and "mood" in items[2].reason
