"""JSONL and CSV dumps: one article per record, a bad record is an error naming ``file:line``, the rest go on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backchannel.errors import InputError
from backchannel.read import MAX_BYTES, FieldMapping, iter_source
from backchannel.read.bulk import iter_csv, iter_jsonl
from backchannel.records import Article

HORMUZ = "Oman's foreign minister said on Saturday that Iranian and American envoys had held indirect talks in Muscat."
KASHMIR = (
    "India's foreign secretary Vikram Misri said Pakistan's director general of military operations had called "
    "his Indian counterpart, and that both sides agreed to stop all firing from 5 pm."
)
DRC = (
    "The foreign ministers of the Democratic Republic of Congo and Rwanda signed a peace agreement in Washington, "
    "with US Secretary of State Marco Rubio looking on."
)


def split(items: list[Article | InputError]) -> tuple[list[Article], list[InputError]]:
    return [a for a in items if isinstance(a, Article)], [e for e in items if isinstance(e, InputError)]


def jsonl(tmp_path: Path, lines: list[str | bytes], name: str = "dump.jsonl") -> Path:
    path = tmp_path / name
    path.write_bytes(b"".join((line.encode("utf-8") if isinstance(line, str) else line) + b"\n" for line in lines))
    return path


def record(**fields: object) -> str:
    return json.dumps(fields, ensure_ascii=False)


# --- JSONL -------------------------------------------------------------------------------------------


def test_jsonl_bad_lines_in_the_middle_do_not_stop_the_file(tmp_path: Path) -> None:
    path = jsonl(
        tmp_path,
        [
            record(text=KASHMIR, title="Guns fall silent on the Line of Control", published="2025-05-10", outlet="Desk"),
            '{"text": "unterminated',
            "",
            b'{"text": "caf\xe9 owners in Srinagar reopened"}',
            record(title="no text here"),
            record(text=DRC, published="27 June 2025", author="R. Mensah", url="https://wire.example/drc"),
            "[1, 2]",
            record(text=HORMUZ, published="next week"),
        ],
    )
    articles, errors = split(list(iter_jsonl(path)))
    assert [(a.source, a.title, a.published) for a in articles] == [
        (f"{path}:1", "Guns fall silent on the Line of Control", "2025-05-10"),
        (f"{path}:6", "", "2025-06-27"),
    ]
    assert articles[0].text == KASHMIR and articles[0].outlet == "Desk"
    assert (articles[1].author, articles[1].url) == ("R. Mensah", "https://wire.example/drc")
    assert [(e.source, e.reason) for e in errors] == [
        (f"{path}:2", "invalid JSON at column 10: Unterminated string starting at"),
        (f"{path}:4", "not valid UTF-8 (byte 0xe9 at column 14)"),
        (f"{path}:5", "field 'text' is missing"),
        (f"{path}:7", "expected one article object, found a list"),
        (f"{path}:8", "field 'published' is not a date: 'next week' (use YYYY-MM-DD or YYYY-MM)"),
    ]
    assert all(str(e).startswith(f"{e.source}: ") and "\n" not in str(e) for e in errors)


def test_jsonl_field_mapping_with_nested_names_and_renamed_reasons(tmp_path: Path) -> None:
    path = jsonl(
        tmp_path,
        [
            record(body=HORMUZ, headline="Talks in Muscat", meta={"site": "Gulf Desk", "date": "2025-04-12"}),
            record(body=DRC, headline=7),
            record(text=KASHMIR),
        ],
    )
    mapping = FieldMapping(text="body", title="headline", outlet="meta.site", published="meta.date")
    articles, errors = split(list(iter_source(str(path), mapping=mapping)))
    [article] = articles
    assert (article.title, article.outlet, article.published, article.text) == (
        "Talks in Muscat",
        "Gulf Desk",
        "2025-04-12",
        HORMUZ,
    )
    assert [(e.source, e.reason) for e in errors] == [
        (f"{path}:2", "field 'headline' must be a string, found a number"),
        (f"{path}:3", "field 'body' is missing"),
    ]


def test_jsonl_bom_crlf_and_ndjson_suffix(tmp_path: Path) -> None:
    path = tmp_path / "feed.ndjson"
    path.write_bytes(b"\xef\xbb\xbf" + record(text=KASHMIR).encode() + b"\r\n" + record(text=DRC).encode() + b"\r\n")
    articles, errors = split(list(iter_source(str(path))))
    assert errors == []
    assert [a.text for a in articles] == [KASHMIR, DRC]


def test_jsonl_line_over_the_size_limit_is_skipped_without_reading_it_whole(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    with open(path, "wb") as handle:
        handle.write(record(text=KASHMIR).encode() + b"\n")
        handle.write(b'{"text": "' + b"a" * (MAX_BYTES + 10) + b'"}\n')
        handle.write(record(text=DRC).encode() + b"\n")
    articles, errors = split(list(iter_jsonl(path)))
    assert [a.source for a in articles] == [f"{path}:1", f"{path}:3"]
    assert [(e.source, e.reason) for e in errors] == [(f"{path}:2", "line too large (more than 10 MB)")]


def test_jsonl_streams_one_line_at_a_time(tmp_path: Path) -> None:
    """The first article arrives before the rest of the file is touched (the file is still being written)."""
    path = tmp_path / "live.jsonl"
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(record(text=KASHMIR) + "\n")
        handle.flush()
        stream = iter_jsonl(path)
        first = next(stream)
        handle.write(record(text=DRC) + "\n")
    assert isinstance(first, Article) and first.text == KASHMIR
    assert [a.text for a in stream if isinstance(a, Article)] == [DRC]


# --- CSV ---------------------------------------------------------------------------------------------


def csv_file(tmp_path: Path, data: bytes, name: str = "dump.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_csv_rows_quoted_newlines_and_a_bad_row_in_the_middle(tmp_path: Path) -> None:
    data = (
        "title,text,published,outlet,extra\r\n"
        f'"Guns fall silent","{KASHMIR}",2025-05-10,Desk,x\r\n'
        '"Two paragraphs","First paragraph about the talks in Muscat.\n\nSecond paragraph, quoting ""a constructive meeting"".",'
        "2025-04-12,Gulf Desk,y\r\n"
    ).encode() + b'"Bad bytes","caf\xe9 talk",2025-05-11,Desk,z\r\n' + (
        '"Empty text","",2025-05-12,Desk,z\r\n'
        ",,,,\r\n"
        f'"Congo deal","{DRC}",27 June 2025,Wire\r\n'
    ).encode()
    path = csv_file(tmp_path, data)
    articles, errors = split(list(iter_csv(path)))
    assert [(a.source, a.title, a.published, a.outlet) for a in articles] == [
        (f"{path}:2", "Guns fall silent", "2025-05-10", "Desk"),
        (f"{path}:3", "Two paragraphs", "2025-04-12", "Gulf Desk"),  # lines 3-5: quoted newlines
        (f"{path}:9", "Congo deal", "2025-06-27", "Wire"),  # short row: missing cells are absent fields
    ]
    assert articles[1].text == (
        "First paragraph about the talks in Muscat.\n\nSecond paragraph, quoting \"a constructive meeting\"."
    )
    assert [(e.source, e.reason) for e in errors] == [
        (f"{path}:6", "not valid UTF-8; convert the file to UTF-8"),
        (f"{path}:7", "field 'text' must be a non-empty string"),
    ]


def test_csv_mapping_and_missing_text_column(tmp_path: Path) -> None:
    path = csv_file(tmp_path, f'headline,body\n"Congo deal","{DRC}"\n'.encode())
    [article] = list(iter_source(str(path), mapping=FieldMapping(text="body", title="headline")))
    assert isinstance(article, Article) and article.title == "Congo deal" and article.text == DRC
    [error] = list(iter_source(str(path)))
    assert isinstance(error, InputError)
    assert (error.source, error.reason) == (str(path), "no 'text' column in the CSV header (columns: headline, body)")


def test_csv_oversized_field_is_one_row_error_and_reading_resumes(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    with open(path, "wb") as handle:
        handle.write(f'text\n"{KASHMIR}"\n'.encode())
        handle.write(b'"' + b"word " * (MAX_BYTES // 5 + 10) + b'"\n')
        handle.write(f'"{DRC}"\n'.encode())
    articles, errors = split(list(iter_csv(path)))
    assert [a.text for a in articles] == [KASHMIR, DRC]
    assert [(e.source, e.reason) for e in errors] == [(f"{path}:3", "line too large (more than 10 MB)")]


@pytest.mark.parametrize(
    ("data", "reason"),
    [(b"", "empty CSV file (no header row)"), (b"\xff\xfetext\n", "not valid UTF-8 in the header row; convert the file to UTF-8")],
)
def test_csv_unreadable_header(tmp_path: Path, data: bytes, reason: str) -> None:
    [error] = list(iter_csv(csv_file(tmp_path, data)))
    assert isinstance(error, InputError) and error.reason == reason
