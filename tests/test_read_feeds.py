"""Feed files and feed entry bodies (the HTTP side of feeds is in test_read_web.py)."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from backchannel.errors import InputError
from backchannel.read import Fetcher, iter_source
from backchannel.read.feeds import fragment_text, iter_feed, looks_like_feed
from backchannel.records import Article

FIXTURES = Path(__file__).parent / "fixtures" / "web"
NO_NETWORK = Fetcher(resolver=lambda host, port: [])  # any entry link would fail the lookup, never reach DNS

RSS_HEAD = (
    '<?xml version="1.0"?>\n<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
    "<channel><title>Desk</title>"
)


def rss(items: str) -> bytes:
    return (RSS_HEAD + items + "</channel></rss>").encode("utf-8")


def test_fragment_text_keeps_every_paragraph_and_drops_scripts() -> None:
    html = (
        "<p>Envoys met in <b>Doha</b>.</p><script>var x = 1;</script><div>Second&nbsp;block<br>third line</div>"
        "<ul><li>prisoner releases</li><li>aid trucks</li></ul>trailing words"
    )
    assert fragment_text(html) == (
        "Envoys met in Doha.\n\nSecond block\n\nthird line\n\nprisoner releases\n\naid trucks\n\ntrailing words"
    )
    assert fragment_text("   ") == ""


def test_looks_like_feed_checks_the_root_element() -> None:
    assert looks_like_feed(rss(""))
    assert looks_like_feed(b"\xef\xbb\xbf<?xml version='1.0'?><!-- x --><feed xmlns='http://www.w3.org/2005/Atom'>")
    assert looks_like_feed(b"<?xml version='1.0'?><rdf:RDF xmlns:rdf='x'>")
    assert not looks_like_feed(b"<!DOCTYPE html><html><head><link type='application/rss+xml'></head>")
    assert not looks_like_feed(b"<feedback>not a feed</feedback>")


def test_feed_file_with_content_entries_and_a_broken_entry(tmp_path: Path) -> None:
    path = tmp_path / "desk.rss"
    path.write_bytes(
        rss(
            "<item><title>Truce in Lebanon</title><pubDate>Wed, 27 Nov 2024 04:00:00 +0200</pubDate>"
            "<content:encoded><![CDATA[<p>A ceasefire between Israel and Hezbollah took effect at 4 am.</p>]]>"
            "</content:encoded></item>"
            "<item><title>Nothing to read</title></item>"
            "<item><title>Summary only</title><description>Sudan's warring sides signed a declaration in Jeddah."
            "</description></item>"
        )
    )
    out = list(iter_source(str(path), fetcher=NO_NETWORK))
    assert [type(item).__name__ for item in out] == ["Article", "InputError", "Article"]
    truce, broken, summary = out
    assert isinstance(truce, Article) and isinstance(broken, InputError) and isinstance(summary, Article)
    assert truce.text == "A ceasefire between Israel and Hezbollah took effect at 4 am."
    assert (truce.outlet, truce.published, truce.source) == ("Desk", "2024-11-27", f"{path}#entry-1")
    assert (broken.source, broken.reason) == (f"{path}#entry-2", "feed entry 2 has neither content nor a link")
    assert summary.text == "Sudan's warring sides signed a declaration in Jeddah."


def test_feed_file_entry_links_are_fetched_through_the_guard(tmp_path: Path) -> None:
    path = tmp_path / "links.xml"
    path.write_bytes(rss("<item><title>Internal</title><link>http://10.1.2.3/story</link></item>"))
    [error] = list(iter_source(str(path)))  # the default fetcher: no private addresses
    assert isinstance(error, InputError)
    assert error.source == "http://10.1.2.3/story"
    assert error.reason.startswith("refused: 10.1.2.3 is a private address")


def test_atom_fixture_file_is_a_feed(tmp_path: Path) -> None:
    path = tmp_path / "regional.atom"
    path.write_text((FIXTURES / "regional.atom").read_text(encoding="utf-8").replace("{base}", "https://wire.example"))
    out = list(iter_source(str(path), fetcher=NO_NETWORK))
    caucasus, grain = out
    assert isinstance(caucasus, Article)
    assert caucasus.url == "https://wire.example/regional/caucasus-peace"
    assert caucasus.text.startswith("Armenian Prime Minister Nikol Pashinyan")
    assert isinstance(grain, InputError)  # would need a fetch; the lookup fails and says so
    assert grain.source == "https://wire.example/pages/grain_corridor.html"
    assert grain.reason.startswith("DNS lookup failed for wire.example")


def test_sniffed_feed_without_a_feed_suffix(tmp_path: Path) -> None:
    path = tmp_path / "download"
    path.write_bytes(
        rss("<item><title>T</title><content:encoded>&lt;p&gt;Mediators met in Cairo.&lt;/p&gt;</content:encoded></item>")
    )
    [article] = list(iter_source(str(path)))
    assert isinstance(article, Article) and article.text == "Mediators met in Cairo."


def test_broken_and_non_feeds_are_one_error_each() -> None:
    cases = {
        b"<rss version='2.0'><channel><title>Half": "broken feed (",
        b"<?xml version='1.0'?><catalogue><book>Atlas</book></catalogue>": "not an RSS or Atom feed",
        b"\x00\x01\x02binary\x00": "binary file, not text",
    }
    for data, reason in cases.items():
        [error] = list(iter_feed(data, source="f.xml"))
        assert isinstance(error, InputError)
        assert error.source == "f.xml" and error.reason.startswith(reason)
        assert "\n" not in str(error)


def test_empty_feed_gives_nothing() -> None:
    assert list(iter_feed(rss(""), source="f.xml")) == []


# ---- a fetched entry's page names its own title and outlet ---------------------------------------------------
BODY = ("<p>The two armies agreed a ceasefire on Monday after weeks of talks in the capital, officials said, "
        "and both delegations promised to meet again within a month to discuss the withdrawal of troops.</p>")
PAGES = {
    # og:title and og:site_name: both win over the feed's item title and the feed's title
    "tagged.html": '<html><head><title>Truce agreed | The Daily Bugle</title>'
                   '<meta property="og:title" content="Armies agree a truce after weeks of talks">'
                   '<meta property="og:site_name" content="The Daily Bugle"></head>'
                   f"<body><article><h1>Truce</h1>{BODY}</article></body></html>",
    # only a <title>: it wins (without its " | outlet" tail); no site name, so the feed's title stays the outlet
    "titled.html": "<html><head><title>Ceasefire holds in the north | Some Site</title></head>"
                   f"<body><article>{BODY}</article></body></html>",
    # neither: a heading and a domain are guesses, so the feed's labels stay
    "bare.html": f"<html><head></head><body><article><h1>A heading, not a title</h1>{BODY}</article></body></html>",
}


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:  # no request lines in the test output
        pass


@pytest.fixture
def site(tmp_path: Path) -> Iterator[str]:
    """A real HTTP server on 127.0.0.1 serving the pages and a feed that links to them."""
    for name, html in PAGES.items():
        (tmp_path / name).write_text(html, encoding="utf-8")
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(tmp_path)))
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    items = "".join(f"<item><title>Aggregator headline {i}</title><link>{base}/{name}</link>"
                    "<author>desk@agg.org (Agg Desk)</author><pubDate>Mon, 03 Mar 2025 08:00:00 GMT</pubDate>"
                    "</item>" for i, name in enumerate(PAGES, start=1))
    (tmp_path / "feed.rss").write_bytes(rss(items).replace(b"<title>Desk</title>", b"<title>Agg: World</title>"))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield base
    httpd.shutdown()
    httpd.server_close()


def test_a_fetched_page_names_its_own_title_and_outlet_over_the_feeds(site: str) -> None:
    fetcher = Fetcher(trusted_hosts={"127.0.0.1"}, read_timeout=5.0)
    tagged, titled, bare = list(iter_source(f"{site}/feed.rss", fetcher=fetcher))
    assert isinstance(tagged, Article) and isinstance(titled, Article) and isinstance(bare, Article)
    assert (tagged.title, tagged.outlet) == ("Armies agree a truce after weeks of talks", "The Daily Bugle")
    assert (titled.title, titled.outlet) == ("Ceasefire holds in the north", "Agg: World")
    assert (bare.title, bare.outlet) == ("Aggregator headline 3", "Agg: World")
    for article in (tagged, titled, bare):  # the feed's structured data still wins for the rest
        assert (article.published, article.author) == ("2025-03-03", "Agg Desk")
        assert "The two armies agreed a ceasefire on Monday" in article.text
