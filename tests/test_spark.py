"""Spark gives the single-machine answer: the same articles, errors, attributions and signals, by source.

One ``local[2]`` session serves the module.  Files are split into small blocks (``maxPartitionBytes``) so
that the line numbering across blocks is exercised as it would be on gigabyte dumps.  Without pyspark or
Java the Spark tests are skipped locally and fail in CI (``CI=true``), where they must run.
"""

from __future__ import annotations

import io
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from backchannel.errors import InputError
from backchannel.jobs.extractor import Extractor
from backchannel.jobs.results_io import read_results, read_rows
from backchannel.jobs.spark_job import _Namer, main, run, warc_items
from backchannel.read import iter_source
from backchannel.read.warc import iter_warc
from backchannel.records import ArticleResult

ARTICLES = [
    {
        "title": "Zelensky open to energy truce",
        "outlet": "Northern Wire",
        "published": "2025-03-04",
        "url": "https://wire.example/ukraine-energy-truce",
        "text": "Ukrainian President Volodymyr Zelensky said on Tuesday that Kyiv was ready to discuss a "
        'ceasefire if Russia stopped its strikes on power plants. "We are open to talks, but not to '
        'surrender," Zelensky told reporters in Kyiv.\n\nThe Kremlin did not immediately respond to a '
        "request for comment.",
    },
    {
        "title": "Hamas accepts mediators' proposal",
        "outlet": "Gulf Ledger",
        "published": "2024-05-06",
        "url": "https://ledger.example/hamas-proposal",
        "text": "Hamas told Egyptian and Qatari mediators that it had accepted their proposal for a "
        "ceasefire in Gaza, according to two officials familiar with the talks. Israeli Prime Minister "
        "Benjamin Netanyahu said the proposal was far from Israel's requirements.",
    },
    {
        "title": "Library hours extended",
        "outlet": "Town Crier",
        "published": "2025-01-13",
        "url": "https://crier.example/library-hours",
        "text": "The city council voted on Monday to extend the opening hours of public libraries. "
        '"Residents asked for this for years," said councillor Jane Moore, who proposed the change.',
    },
    {
        "title": "Sudan army rejects truce call",
        "outlet": "Nile Desk",
        "published": "2025-11-08",
        "url": "https://nile.example/sudan-truce",
        "text": "Sudan's army rejected on Saturday a humanitarian truce proposed by the United States, "
        "Saudi Arabia, Egypt and the United Arab Emirates. Army chief Abdel Fattah al-Burhan said there "
        "would be no truce while the Rapid Support Forces occupied cities. The RSF said it had agreed to "
        "the plan.",
    },
    {
        "title": "Local team wins derby",
        "outlet": "Sports Daily",
        "published": "2025-02-02",
        "url": "https://sports.example/derby",
        "text": 'The home side won the derby 3-1 on Sunday. "The players gave everything," the coach '
        "said after the match, adding that the title race was far from over.",
    },
    {
        "title": "Armenia and Azerbaijan initial peace text",
        "outlet": "Caucasus Report",
        "published": "2025-08-09",
        "url": "https://caucasus.example/peace-text",
        "text": "Armenia and Azerbaijan initialled a peace agreement at the White House on Friday, "
        "officials said. Armenian Prime Minister Nikol Pashinyan said both sides had agreed to open "
        "transport links.",
    },
    {
        "title": "Quarterly earnings beat forecasts",
        "outlet": "Market Line",
        "published": "2025-04-24",
        "url": "https://market.example/earnings",
        "text": "Shares rose 4 percent after the company reported quarterly earnings above analysts' "
        "forecasts. The chief executive said demand for its cloud services remained strong.",
    },
    {
        "title": "Houthis offer to halt attacks",
        "outlet": "Red Sea Monitor",
        "published": "2025-05-07",
        "url": "https://redsea.example/houthi-halt",
        "text": "Oman said on Tuesday that the United States and the Houthis had agreed to a ceasefire. "
        "A Houthi official told Reuters the group would stop attacking American ships if Washington "
        "halted its air strikes, but said attacks on Israel would continue.",
    },
    {
        "title": "Storm closes schools",
        "outlet": "Weather Now",
        "published": "2025-01-20",
        "url": "https://weather.example/storm",
        "text": "Schools across the region closed on Monday as a winter storm brought heavy snow. "
        "Forecasters said the snow would ease by Wednesday.",
    },
    {
        "title": "Congo and M23 sign declaration",
        "outlet": "Great Lakes Post",
        "published": "2025-07-20",
        "url": "https://lakes.example/doha",
        "text": "Congo's government and the M23 rebels signed a declaration of principles in Doha on "
        "Saturday, committing to a permanent ceasefire, Qatari mediators said. A government spokesperson "
        "said Kinshasa would not accept any deal that left the rebels in control of Goma.",
    },
    {
        "title": "New bakery opens",
        "outlet": "Town Crier",
        "published": "2025-03-15",
        "url": "https://crier.example/bakery",
        "text": "A new bakery opened on the high street on Saturday, with a queue stretching around the "
        'block. "We sold out by noon," the owner said.',
    },
    {
        "title": "Putin sets conditions for talks",
        "outlet": "Northern Wire",
        "published": "2024-06-14",
        "url": "https://wire.example/putin-conditions",
        "text": "Russian President Vladimir Putin said on Friday that Moscow would order a ceasefire and "
        "begin negotiations as soon as Kyiv withdrew its troops from four regions. Ukraine's foreign "
        "ministry called the offer manipulative and rejected it.",
    },
]
PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title} | Harbour Times</title>
<meta property="og:site_name" content="Harbour Times"></head><body><article><h1>{title}</h1>{paragraphs}
</article></body></html>"""
TRUCE_PAGE = PAGE.format(
    title="Truce holds in Lebanon",
    paragraphs=(
        "<p>A ceasefire between Israel and Hezbollah held for a second day on Thursday, Lebanese "
        "officials said, as displaced families drove south.</p><p>Hezbollah said it would respect the "
        "agreement as long as Israel did, according to a statement read by a lawmaker allied with the "
        "group.</p><p>The United States and France, which brokered the deal, urged both sides to keep to "
        "its terms.</p>"
    ),
).encode()
MARKET_PAGE = PAGE.format(
    title="Fish market reopens",
    paragraphs=(
        "<p>The old fish market reopened on Thursday after two years of repairs, the harbour authority "
        'said.</p><p>"It is good to be back," said one trader, who has sold fish there for thirty '
        "years.</p><p>The market will open six days a week from next month.</p>"
    ),
).encode()
NAV_ONLY = b"<html><body><nav><ul><li><a href='/'>Home</a></li></ul></nav></body></html>"


# --- environment -------------------------------------------------------------------------------------------


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"the Spark tests must run in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def spark() -> Iterator[object]:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        _unavailable("pyspark is not installed (pip install 'backchannel[spark]')")
    if not shutil.which("java") and not os.environ.get("JAVA_HOME"):
        _unavailable("no Java runtime (run .ci/java.sh)")
    from backchannel.jobs.spark_job import spark_session

    session = spark_session("local[2]", app_name="backchannel-tests")
    # Small blocks: every JSONL file is read by several tasks, as a multi-gigabyte dump would be.
    session.conf.set("spark.sql.files.maxPartitionBytes", "1500")
    session.conf.set("spark.sql.files.openCostInBytes", "0")
    yield session
    session.stop()


# --- inputs --------------------------------------------------------------------------------------------


def _response(
    writer: WARCWriter, uri: str, body: bytes, *, status: str = "200 OK", content_type: str = "text/html"
) -> None:
    headers = StatusAndHeaders(
        status, [("Content-Type", content_type), ("Content-Length", str(len(body)))], protocol="HTTP/1.1"
    )
    record = writer.create_warc_record(
        uri,
        "response",
        payload=io.BytesIO(body),
        length=len(body),
        http_headers=headers,
        warc_headers_dict={"WARC-Date": "2024-11-28T08:00:00Z"},
    )
    writer.write_record(record)


def write_warc(path: Path) -> None:
    """Two article pages, an image and a 404 (skipped), and a page with no article (an error in both)."""
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "backchannel tests"}))
        _response(writer, "https://harbour.example/lebanon-truce", TRUCE_PAGE)
        _response(
            writer,
            "https://harbour.example/logo.png",
            b"\x89PNG\r\n\x1a\n" + b"\0" * 32,
            content_type="image/png",
        )
        _response(
            writer,
            "https://harbour.example/missing",
            b"<html><body>gone</body></html>",
            status="404 Not Found",
        )
        _response(writer, "https://harbour.example/", NAV_ONLY)
        _response(writer, "https://harbour.example/fish-market", MARKET_PAGE)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """a.jsonl (8 articles, invalid JSON, a blank line), more/b.ndjson (4 articles, one object
    without text, a non-UTF-8 line) and more/crawl.warc.gz, in a folder whose name has a space."""
    root = tmp_path_factory.mktemp("spark") / "news wire"  # a space: Spark percent-encodes some paths
    (root / "more").mkdir(parents=True)
    a_lines = (
        [json.dumps(a) for a in ARTICLES[:4]] + ['{"title": "broken", "text": "no closing brace"'] + [""]
    )
    a_lines += [json.dumps(a, ensure_ascii=False) for a in ARTICLES[4:8]]
    (root / "a.jsonl").write_text("\n".join(a_lines) + "\n", encoding="utf-8")
    b_lines = [json.dumps(a).encode() for a in ARTICLES[8:10]] + [b'{"title": "no text here", "url": "x"}']
    b_lines += [b'{"text": "caf\xe9 au lait"}'] + [json.dumps(a).encode() for a in ARTICLES[10:]]
    (root / "more" / "b.ndjson").write_bytes(b"\n".join(b_lines))  # no final newline
    write_warc(root / "more" / "crawl.warc.gz")
    return root


def single_machine(source: str, extractor: Extractor) -> dict[str, ArticleResult | str]:
    """What `backchannel ingest SOURCE` would store: a result per article, the reason per error, by source."""
    out: dict[str, ArticleResult | str] = {}
    for item in iter_source(source):
        if isinstance(item, InputError):
            out[item.source] = item.reason
        else:
            out[item.source] = extractor.extract(item)
    return out


def spark_output(path: Path) -> dict[str, ArticleResult | str]:
    out: dict[str, ArticleResult | str] = {}
    for item in read_results(path):
        key = item.source if isinstance(item, InputError) else item.article.source
        assert key not in out, f"two rows for {key}"
        out[key] = item.reason if isinstance(item, InputError) else item
    return out


def assert_same(spark_rows: dict[str, ArticleResult | str], local: dict[str, ArticleResult | str]) -> None:
    assert sorted(spark_rows) == sorted(local)
    for source, expected in local.items():
        got = spark_rows[source]
        if isinstance(expected, str):
            assert got == expected, source
        else:
            assert isinstance(got, ArticleResult), f"{source}: {got}"
            assert got.to_dict() == expected.to_dict(), source
            assert got == expected, source  # also the unrounded confidences and the source field


# --- the tests that need Spark -------------------------------------------------------------------------


def test_folder_of_jsonl_and_warc_equals_single_machine(
    spark, corpus: Path, tmp_path: Path, extractor: Extractor
) -> None:
    local = single_machine(str(corpus), extractor)
    summary = run(str(corpus), str(tmp_path / "out"), spark=spark, partitions=3)
    got = spark_output(tmp_path / "out")
    assert_same(got, local)

    errors = {source: reason for source, reason in local.items() if isinstance(reason, str)}
    assert f"{corpus}/a.jsonl:5" in errors and "invalid JSON" in errors[f"{corpus}/a.jsonl:5"]
    assert f"{corpus}/more/b.ndjson:3" in errors
    assert "not valid UTF-8" in errors[f"{corpus}/more/b.ndjson:4"]
    assert any(source.startswith(f"{corpus}/more/crawl.warc.gz@") for source in errors)
    results = [r for r in local.values() if isinstance(r, ArticleResult)]
    assert len(results) == len(ARTICLES) + 2
    assert sum(len(r.signals) for r in results) >= 3 and sum(len(r.attributions) for r in results) >= 10
    assert (summary.articles, summary.errors) == (len(results), len(errors))


def test_single_jsonl_file_and_relative_names(
    spark, corpus: Path, tmp_path: Path, extractor: Extractor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file given by a relative path is named as `backchannel ingest` names it."""
    monkeypatch.chdir(corpus)
    local = single_machine("a.jsonl", extractor)
    run("a.jsonl", str(tmp_path / "out"), spark=spark, partitions=2)
    got = spark_output(tmp_path / "out")
    assert "a.jsonl:9" in got and "a.jsonl:5" in got
    assert_same(got, local)


def test_the_parse_mode_reaches_the_executors(spark, corpus: Path, tmp_path: Path) -> None:
    """``--full-parse`` is part of the spec the executors build their extractor from, and of the version."""
    run(str(corpus / "a.jsonl"), str(tmp_path / "full"), spark=spark, partitions=1, full_parse=True)
    run(str(corpus / "a.jsonl"), str(tmp_path / "gated"), spark=spark, partitions=1)
    full = {row.extractor_version for row in read_rows(tmp_path / "full")}
    gated = {row.extractor_version for row in read_rows(tmp_path / "gated")}
    assert len(full) == len(gated) == 1
    assert "+full" in next(iter(full)) and "+gated" in next(iter(gated))


def test_existing_output_is_refused_unless_overwrite(spark, corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run(str(corpus / "more" / "crawl.warc.gz"), str(out), spark=spark, partitions=1)
    with pytest.raises(Exception, match="already exists"):
        run(str(corpus / "more" / "crawl.warc.gz"), str(out), spark=spark, partitions=1)
    run(str(corpus / "more" / "b.ndjson"), str(out), spark=spark, partitions=1, overwrite=True)
    assert all(
        (item.source if isinstance(item, InputError) else item.article.source).startswith(
            str(corpus / "more" / "b.ndjson")
        )
        for item in read_results(out)
    )


# --- without Spark -------------------------------------------------------------------------------------


def test_warc_shipped_as_bytes_reads_like_the_file(corpus: Path) -> None:
    """The branch for cluster paths (hdfs://, s3a://): the bytes are parsed by the same reader, renamed."""
    path = corpus / "more" / "crawl.warc.gz"
    uri = "s3a://bucket/crawl.warc.gz"
    shipped = list(warc_items(uri, path.read_bytes(), uri))
    local = list(iter_warc(path))
    assert len(shipped) == len(local) == 3

    assert [i.source for i in shipped] == [i.source.replace(str(path), uri) for i in local]
    assert [getattr(i, "text", None) for i in shipped] == [getattr(i, "text", None) for i in local]


def test_spark_file_uris_become_the_names_ingest_uses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data dir").mkdir()
    name = _Namer("data dir/")
    assert name(f"file:{tmp_path}/data%20dir/x/a.jsonl") == "data dir/x/a.jsonl"
    assert _Namer("data dir/a.jsonl")(f"file://{tmp_path}/data%20dir/a.jsonl") == "data dir/a.jsonl"
    assert name(f"file://{tmp_path}/data dir/100%25.warc", encoded=False) == "data dir/100%25.warc"
    assert _Namer("hdfs://nn/news")("hdfs://nn/news/a.jsonl") == "hdfs://nn/news/a.jsonl"
    assert _Namer("data*/")(f"file:{tmp_path}/data%20dir/a.jsonl") == f"{tmp_path}/data dir/a.jsonl"


def test_main_refuses_an_existing_output_before_starting_spark(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "out").mkdir()
    assert main([str(tmp_path / "in.jsonl"), str(tmp_path / "out")]) == 2
    assert "already exists" in capsys.readouterr().err
    assert main([str(tmp_path / "in.jsonl"), str(tmp_path / "new"), "--partitions", "0"]) == 2
