"""``iter_source`` dispatch for local sources: files by kind, folders, and sources that are not there."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backchannel.errors import InputError
from backchannel.read import PARQUET_REASON, Fetcher, iter_source
from backchannel.records import Article

READ = Path(__file__).parent / "fixtures" / "read"
WEB = Path(__file__).parent / "fixtures" / "web"


def split(source: str, **kwargs: object) -> tuple[list[Article], list[InputError]]:
    out = list(iter_source(source, **kwargs))  # type: ignore[arg-type]
    return [a for a in out if isinstance(a, Article)], [e for e in out if isinstance(e, InputError)]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "news"
    (root / "2022" / "nov").mkdir(parents=True)
    (root / ".git").mkdir()
    shutil.copy(WEB / "pretoria_truce.html", root / "2022" / "nov" / "pretoria.html")
    shutil.copy(READ / "ceasefire_wire.txt", root / "b_wire.txt")
    shutil.copy(READ / "broken.json", root / "a_broken.json")
    (root / "c_dump.jsonl").write_text(
        json.dumps({"text": "Envoys met in Cairo on Monday."}) + "\n" + "{oops\n", encoding="utf-8"
    )
    (root / "README.md").write_text("# About this folder\n\nNot an article.\n", encoding="utf-8")
    (root / ".git" / "HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    (root / "2022" / "nov" / "pretoria_files").mkdir()
    (root / "2022" / "nov" / "pretoria_files" / "style.css").write_text("body { color: red }", encoding="utf-8")
    (root / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    return root


def test_folder_is_read_recursively_in_sorted_order_skipping_readme_hidden_and_assets(folder: Path) -> None:
    out = list(iter_source(str(folder)))
    sources = [item.source for item in out]
    assert sources == [
        str(folder / "2022" / "nov" / "pretoria.html"),
        str(folder / "a_broken.json"),
        str(folder / "b_wire.txt"),
        f"{folder / 'c_dump.jsonl'}:1",
        f"{folder / 'c_dump.jsonl'}:2",
    ]
    assert [type(item).__name__ for item in out] == ["Article", "InputError", "Article", "Article", "InputError"]


def test_folder_glob_filters_relative_paths(folder: Path) -> None:
    articles, errors = split(str(folder), glob="*.txt")
    assert [a.source for a in articles] == [str(folder / "b_wire.txt")]
    assert errors == []
    articles, errors = split(str(folder), glob="**/*.html")
    assert [a.title for a in articles] == ["Ethiopia and Tigray forces agree to silence the guns"]


def test_folder_without_matching_files_is_an_error(folder: Path) -> None:
    [error] = split(str(folder), glob="*.docx")[1]
    assert (error.source, error.reason) == (str(folder), "no readable files matching '*.docx'")


def test_single_files_by_kind(tmp_path: Path) -> None:
    [article] = split(str(READ / "kyiv_talks.html"))[0]
    assert article.outlet == "The Daily Ledger"
    parquet = tmp_path / "dump.parquet"
    parquet.write_bytes(b"PAR1")
    [error] = split(str(parquet))[1]
    assert (error.source, error.reason) == (str(parquet), PARQUET_REASON)
    assert error.reason == "parquet input is handled by ingest"


def test_file_errors_are_yielded_not_raised() -> None:
    [error] = split(str(READ / "broken.json"))[1]
    assert error.source == str(READ / "broken.json") and error.reason.startswith("invalid JSON")


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("no/such/place.txt", "no such file or folder"),
        ("www.example.com/news/story", "no such file or folder (a URL must start with http:// or https://)"),
        ("ftp://example.com/feed.xml", "only http:// and https:// URLs are supported"),
        ("file:///etc/hosts", "only http:// and https:// URLs are supported"),
    ],
)
def test_sources_that_cannot_be_read(source: str, reason: str) -> None:
    [error] = list(iter_source(source))
    assert isinstance(error, InputError)
    assert (error.source, error.reason) == (source, reason)


def test_json_file_honours_the_field_mapping(tmp_path: Path) -> None:
    from backchannel.read import FieldMapping

    path = tmp_path / "story.json"
    path.write_text(json.dumps({"body": "Envoys met in Cairo.", "headline": "Cairo talks"}), encoding="utf-8")
    [article] = split(str(path), mapping=FieldMapping(text="body", title="headline"))[0]
    assert (article.title, article.text, article.source) == ("Cairo talks", "Envoys met in Cairo.", str(path))
    [error] = split(str(path))[1]
    assert error.reason == "field 'text' is missing"


# --- robustness: whatever the bytes, results come back as values ------------------------------------

_SEEDS = {
    ".jsonl": b'{"text": "Envoys met in Cairo."}\n{"title": "x"}\n',
    ".csv": b'title,text\n"Cairo","Envoys met in Cairo."\n',
    ".xml": b'<rss version="2.0"><channel><title>D</title><item><title>T</title><description>Envoys met.</description></item></channel></rss>',
    ".warc": b"WARC/1.0\r\nWARC-Type: resource\r\nWARC-Target-URI: https://x.example/\r\nContent-Type: text/html\r\nContent-Length: 40\r\n\r\n<html><body><p>Envoys met.</p></body>\r\n\r\n",
    ".html": b"<html><body><article><p>Envoys met in Cairo on Monday.</p></article></body></html>",
}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    suffix=st.sampled_from(sorted(_SEEDS)),
    cut=st.integers(min_value=0, max_value=400),
    noise=st.binary(max_size=64),
    position=st.integers(min_value=0, max_value=400),
)
def test_mangled_documents_never_raise(tmp_path: Path, suffix: str, cut: int, noise: bytes, position: int) -> None:
    """Truncated seeds with random bytes spliced in: every result is an Article or a one-line InputError."""
    seed = _SEEDS[suffix][:cut] if cut < len(_SEEDS[suffix]) else _SEEDS[suffix]
    at = min(position, len(seed))
    path = tmp_path / f"doc{suffix}"
    path.write_bytes(seed[:at] + noise + seed[at:])
    for item in iter_source(str(path), fetcher=Fetcher(resolver=lambda host, port: [])):
        assert isinstance(item, Article | InputError)
        if isinstance(item, InputError):
            assert "\n" not in str(item) and item.reason
