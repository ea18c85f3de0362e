"""WARC and WARC.gz: HTML responses and resources become articles, the rest is skipped, damage ends the file cleanly."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from backchannel.errors import InputError
from backchannel.read import iter_source
from backchannel.read.warc import iter_warc
from backchannel.records import Article

FIXTURES = Path(__file__).parent / "fixtures" / "web"
UNDATED = b"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>Beirut truce | Cedar Bulletin</title>
<meta property="og:site_name" content="Cedar Bulletin"></head><body><article><h1>Truce takes hold in Lebanon</h1>
<p>A ceasefire between Israel and Hezbollah took effect before dawn, and displaced families began driving south
within hours, Lebanese officials said.</p>
<p>The agreement, brokered by the United States and France, gives Israeli forces sixty days to withdraw while the
Lebanese army deploys in the south.</p>
<p>Hezbollah did not comment directly, but a lawmaker allied with the group said it would respect the arrangement if
Israel did.</p></article></body></html>"""
NAV_ONLY = b"<html><body><nav><ul><li><a href='/'>Home</a></li><li><a href='/world'>World</a></li></ul></nav></body></html>"


def response(writer: WARCWriter, uri: str, body: bytes, *, status: str = "200 OK", content_type: str = "text/html",
             date: str = "2024-11-27T09:15:00Z") -> None:
    headers = StatusAndHeaders(status, [("Content-Type", content_type), ("Content-Length", str(len(body)))], protocol="HTTP/1.1")
    record = writer.create_warc_record(
        uri, "response", payload=io.BytesIO(body), length=len(body), http_headers=headers,
        warc_headers_dict={"WARC-Date": date},
    )
    writer.write_record(record)


def build_warc(path: Path, *, gzip: bool) -> list[int]:
    """A small crawl; returns the byte offset of each record."""
    offsets: list[int] = []
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=gzip)

        def mark() -> None:
            handle.flush()
            offsets.append(handle.tell())

        mark()
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "test"}))
        mark()
        request = writer.create_warc_record(
            "https://cedar.example/truce", "request", payload=io.BytesIO(b""), length=0,
            http_headers=StatusAndHeaders("GET /truce HTTP/1.1", [("Host", "cedar.example")], is_http_request=True),
        )
        writer.write_record(request)
        mark()
        response(writer, "https://cedar.example/truce", UNDATED)
        mark()
        response(writer, "https://cedar.example/logo.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, content_type="image/png")
        mark()
        response(writer, "https://cedar.example/gone", b"<html><body><p>Not found</p></body></html>", status="404 Not Found")
        mark()
        page = (FIXTURES / "pretoria_truce.html").read_bytes()
        resource = writer.create_warc_record(
            "https://meridian.example/africa/pretoria", "resource", payload=io.BytesIO(page), length=len(page),
            warc_content_type="text/html; charset=utf-8",
        )
        writer.write_record(resource)
        mark()
        response(writer, "https://cedar.example/", NAV_ONLY, content_type="text/html; charset=utf-8")
        mark()
        response(writer, "https://harbour.example/grain", (FIXTURES / "grain_corridor.html").read_bytes())
        mark()
    return offsets


@pytest.fixture(params=[False, True], ids=["warc", "warc.gz"])
def crawl(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Path, list[int]]:
    path = tmp_path / ("crawl.warc.gz" if request.param else "crawl.warc")
    return path, build_warc(path, gzip=request.param)


def test_html_records_become_articles_and_the_rest_is_skipped(crawl: tuple[Path, list[int]]) -> None:
    path, offsets = crawl
    out = list(iter_source(str(path)))
    assert [type(item).__name__ for item in out] == ["Article", "Article", "InputError", "Article"]
    truce, pretoria, nav, grain = out
    assert isinstance(truce, Article) and isinstance(pretoria, Article) and isinstance(grain, Article)
    assert truce.url == "https://cedar.example/truce"
    assert truce.source == f"{path}@{offsets[2]}"
    assert truce.published == "2024-11-27"  # the page has no date: the crawl date stands in
    assert truce.outlet == "Cedar Bulletin"
    assert truce.text.split("\n\n")[1].startswith("A ceasefire between Israel and Hezbollah took effect")
    assert pretoria.url == "https://meridian.example/africa/pretoria"
    assert pretoria.published == "2022-11-02"  # the page's own date beats the crawl date
    assert pretoria.source == f"{path}@{offsets[5]}"
    assert isinstance(nav, InputError)
    assert (nav.source, nav.reason) == (f"{path}@{offsets[6]}", "no article text found in the HTML")
    assert grain.title == "Grain deal signed in Istanbul"


def test_truncated_warc_keeps_the_records_before_the_cut(crawl: tuple[Path, list[int]]) -> None:
    path, offsets = crawl
    data = path.read_bytes()
    path.write_bytes(data[: offsets[7] + (offsets[8] - offsets[7]) // 2])  # half of the last record
    out = list(iter_warc(path))
    assert [type(item).__name__ for item in out] == ["Article", "Article", "InputError", "InputError"]
    last = out[-1]
    assert isinstance(last, InputError)
    assert last.source == f"{path}@{offsets[7]}"
    assert "truncated" in last.reason


def test_corrupt_record_ends_the_file_with_its_offset(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc"
    offsets = build_warc(path, gzip=False)
    data = bytearray(path.read_bytes())
    data[offsets[5] : offsets[5] + 8] = b"GARBAGE!"  # the resource record's "WARC/1.x" line
    path.write_bytes(bytes(data))
    out = list(iter_warc(path))
    assert [type(item).__name__ for item in out] == ["Article", "InputError"]
    error = out[-1]
    assert isinstance(error, InputError)
    assert error.source == f"{path}@{offsets[5]}"
    assert error.reason.startswith(f"corrupt WARC at byte offset {offsets[5]} (")
    assert error.reason.endswith("the rest of the file is skipped")
    assert "\n" not in str(error)


def test_corrupt_gzip_member_ends_the_file(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc.gz"
    offsets = build_warc(path, gzip=True)
    data = bytearray(path.read_bytes())
    for index in range(offsets[5] + 20, offsets[5] + 60):
        data[index] ^= 0x55
    path.write_bytes(bytes(data))
    out = list(iter_warc(path))
    assert [type(item).__name__ for item in out] == ["Article", "InputError"]
    assert isinstance(out[-1], InputError) and out[-1].source == f"{path}@{offsets[5]}"
    assert out[-1].reason.startswith(f"corrupt WARC at byte offset {offsets[5]} (")
    assert out[-1].reason.isprintable()


def test_not_a_warc_at_all(tmp_path: Path) -> None:
    path = tmp_path / "notes.warc"
    path.write_text("These are my notes, not a web archive.\n", encoding="utf-8")
    [error] = list(iter_warc(path))
    assert isinstance(error, InputError)
    assert error.source == f"{path}@0" and error.reason.startswith("not a WARC file (")


def test_warc_without_suffix_is_sniffed(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc"
    build_warc(path, gzip=False)
    renamed = path.rename(tmp_path / "crawl-2024-11-27")
    assert len([a for a in iter_source(str(renamed)) if isinstance(a, Article)]) == 3
