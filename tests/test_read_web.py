"""Fetching URLs and feeds from a local HTTP server on 127.0.0.1: the guard, the limits, the dispatch.

The server is the only network these tests touch.  Most tests trust the
server's host explicitly (``trusted_hosts``), so the rest of the SSRF guard is
live: a redirect from it to any other private address must be refused.
"""

from __future__ import annotations

import gzip
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from backchannel.errors import InputError
from backchannel.read import MAX_BYTES, Fetcher, iter_source
from backchannel.read.web import refusal_reason
from backchannel.records import Article

FIXTURES = Path(__file__).parent / "fixtures" / "web"
HUGE = MAX_BYTES + 512 * 1024


class _Handler(BaseHTTPRequestHandler):
    """Routes for the tests; every request path is logged in ``server.seen``."""

    server: _Server

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - signature of the base class
        pass

    def do_GET(self) -> None:  # noqa: N802 - name fixed by http.server
        self.server.seen.append(self.path)
        parts = urlsplit(self.path)
        path, query = parts.path, parse_qs(parts.query)
        base = f"http://127.0.0.1:{self.server.server_address[1]}"
        if path.startswith("/pages/"):
            charset = "iso-8859-1" if "latin1" in path else "utf-8"
            self._send(200, f"text/html; charset={charset}", (FIXTURES / path[len("/pages/") :]).read_bytes())
        elif path == "/feeds/world.rss":
            self._send(200, "application/rss+xml", self._feed("world.rss", base))
        elif path == "/feeds/regional.atom":
            self._send(200, "text/xml; charset=utf-8", self._feed("regional.atom", base))
        elif path == "/feeds/mislabelled":
            self._send(200, "text/html", self._feed("world.rss", base))
        elif path == "/feeds/broken":
            self._send(200, "application/rss+xml", b"<rss version='2.0'><channel><title>Half a feed</ti")
        elif path == "/not-a-feed.xml":
            self._send(200, "application/xml", b"<?xml version='1.0'?><catalogue><book>Atlas</book></catalogue>")
        elif path == "/plain":
            self._send(200, "text/plain; charset=utf-8", b"Truce holds\n\nThe ceasefire held overnight, officials said.\n")
        elif path == "/report.pdf":
            self._send(200, "application/pdf", b"%PDF-1.7 not really")
        elif path == "/gzip-page":
            body = gzip.compress((FIXTURES / "pretoria_truce.html").read_bytes())
            self._send(200, "text/html; charset=utf-8", body, encoding="gzip")
        elif path == "/bomb":
            self._send(200, "text/html", gzip.compress(b"<p>" + b"a" * HUGE), encoding="gzip")
        elif path == "/huge":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()  # no Content-Length: the body runs until the connection closes
            chunk = b"<p>" + b"x" * 65533
            try:
                for _ in range(HUGE // len(chunk) + 2):
                    self.wfile.write(chunk)
            except OSError:
                pass  # the client stopped reading at the cap
        elif path == "/huge-declared":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(HUGE))
            self.end_headers()
        elif path == "/slow":
            time.sleep(2)
            self._send(200, "text/html", b"<p>too late</p>")
        elif path == "/drip":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            try:
                for _ in range(30):
                    self.wfile.write(b"<p>.</p>")
                    self.wfile.flush()
                    time.sleep(0.1)
            except OSError:
                pass
        elif path == "/redirect":
            self.send_response(302)
            self.send_header("Location", query["to"][0])
            self.end_headers()
        elif path == "/loop":
            self.send_response(301)
            self.send_header("Location", "/loop")
            self.end_headers()
        else:
            self._send(404, "text/html", b"<h1>Not here</h1>")

    def _feed(self, name: str, base: str) -> bytes:
        return (FIXTURES / name).read_text(encoding="utf-8").replace("{base}", base).encode("utf-8")

    def _send(self, status: int, content_type: str, body: bytes, encoding: str = "") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if encoding:
            self.send_header("Content-Encoding", encoding)
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:
            pass  # the client gave up first (timeout tests)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    seen: list[str]


@pytest.fixture(scope="module")
def server() -> Iterator[_Server]:
    httpd = _Server(("127.0.0.1", 0), _Handler)
    httpd.seen = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def base(server: _Server) -> str:
    server.seen.clear()
    return f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture
def fetcher() -> Fetcher:
    """Trusts the test server's address by name; every other private address stays refused."""
    return Fetcher(trusted_hosts={"127.0.0.1"}, read_timeout=2.0)


def local_resolver(host: str, port: int) -> list[str]:
    """No DNS in tests: a fake public name for the server, literals as themselves, localhost as loopback."""
    names = {"news.example": ["127.0.0.1"], "localhost": ["127.0.0.1", "::1"], "mixed.example": ["93.184.216.34", "127.0.0.1"]}
    if host in names:
        return names[host]
    try:
        socket.inet_pton(socket.AF_INET6 if ":" in host else socket.AF_INET, host)
    except OSError:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known") from None
    return [host]


def fetch_error(fetcher: Fetcher, url: str) -> InputError:
    with pytest.raises(InputError) as info:
        fetcher.fetch(url)
    assert info.value.source == url
    assert "\n" not in str(info.value)
    return info.value


def results(source: str, **kwargs: object) -> tuple[list[Article], list[InputError]]:
    out = list(iter_source(source, **kwargs))  # type: ignore[arg-type]
    assert all(isinstance(item, Article | InputError) for item in out)
    return [a for a in out if isinstance(a, Article)], [e for e in out if isinstance(e, InputError)]


# --- the address guard -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("10.0.0.1", "private"),
        ("172.16.5.4", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),
        ("224.0.0.1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("240.0.0.1", "reserved"),
        ("100.64.0.1", "not globally routable"),
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fe80::1", "link-local"),
        ("fc00::1", "private"),
        ("ff02::1", "multicast"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:10.0.0.1", "private"),
        ("2002:a00:1::", "private"),  # 6to4 wrapping 10.0.0.1
        ("8.8.8.8", None),
        ("93.184.216.34", None),
        ("2001:4860:4860::8888", None),
    ],
)
def test_refusal_reason_by_address(address: str, reason: str | None) -> None:
    assert refusal_reason(address) == reason


def test_default_fetcher_refuses_loopback_without_sending_a_request(server: _Server, base: str) -> None:
    error = fetch_error(Fetcher(), f"{base}/pages/pretoria_truce.html")
    assert "refused: 127.0.0.1 is a loopback address" in error.reason
    assert "--allow-private" in error.reason
    assert server.seen == []


def test_allow_private_fetches_loopback_and_follows_redirects_there(server: _Server, base: str) -> None:
    fetcher = Fetcher(allow_private=True, resolver=local_resolver)
    target = f"http://localhost:{server.server_address[1]}/pages/pretoria_truce.html"
    response = fetcher.fetch(f"{base}/redirect?to={target}")
    assert response.url == target
    assert response.redirects == (f"{base}/redirect?to={target}",)
    assert b"Pretoria" in response.body


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.1:{port}/pages/pretoria_truce.html",
        "http://localhost:{port}/pages/pretoria_truce.html",
        "http://[::1]:{port}/pages/pretoria_truce.html",
        "http://[::ffff:127.0.0.1]:{port}/pages/pretoria_truce.html",
        "http://10.0.0.8/admin",
        "http://169.254.169.254/latest/meta-data/",
        "http://0.0.0.0:{port}/",
        "http://mixed.example:{port}/",
    ],
)
def test_redirect_from_a_public_host_to_a_private_address_is_refused(server: _Server, target: str) -> None:
    """news.example stands for a public site (trusted, resolved to the server); its redirect must not be followed."""
    port = server.server_address[1]
    server.seen.clear()
    fetcher = Fetcher(trusted_hosts={"news.example"}, resolver=local_resolver)
    url = f"http://news.example:{port}/redirect?to={target.format(port=port)}"
    error = fetch_error(fetcher, url)
    assert error.reason.startswith(f"redirected to {target.format(port=port)}: refused: ")
    assert "address" in error.reason
    assert server.seen == [f"/redirect?to={target.format(port=port)}"]  # the second hop never happened


def test_connection_goes_to_the_checked_address_not_a_new_lookup(server: _Server) -> None:
    """news.example does not exist in DNS: the page arrives only because the checked address itself is dialled."""
    port = server.server_address[1]
    fetcher = Fetcher(trusted_hosts={"news.example"}, resolver=local_resolver)
    response = fetcher.fetch(f"http://news.example:{port}/pages/grain_corridor.html")
    assert b"Black Sea" in response.body


def test_only_http_and_https(fetcher: Fetcher) -> None:
    for url in ("ftp://example.org/feed.xml", "file:///etc/passwd", "gopher://x/"):
        assert "only http and https" in fetch_error(fetcher, url).reason


def test_redirect_to_a_file_url_is_refused(fetcher: Fetcher, base: str) -> None:
    error = fetch_error(fetcher, f"{base}/redirect?to=file:///etc/passwd")
    assert error.reason.startswith("redirected to file:///etc/passwd: only http and https")


def test_dns_failure_is_one_line(fetcher: Fetcher) -> None:
    fetcher = Fetcher(resolver=local_resolver)
    error = fetch_error(fetcher, "https://no-such-host.invalid/story")
    assert error.reason.startswith("DNS lookup failed for no-such-host.invalid")


# --- TLS to a pinned address ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, ssl.SSLContext]]:
    """An HTTPS server on 127.0.0.1 with a throwaway certificate for news.example, and a context trusting it."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=news.example",
         "-addext", "subjectAltName=DNS:news.example"],
        check=True, capture_output=True,
    )
    httpd = _Server(("127.0.0.1", 0), _Handler)
    httpd.seen = []
    server_side = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_side.load_cert_chain(cert, key)
    httpd.socket = server_side.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address[1], ssl.create_default_context(cafile=str(cert))
    httpd.shutdown()
    httpd.server_close()


def test_https_checks_the_certificate_against_the_name_while_dialling_the_checked_address(
    tls_server: tuple[int, ssl.SSLContext],
) -> None:
    port, trust = tls_server
    fetcher = Fetcher(trusted_hosts={"news.example", "127.0.0.1"}, resolver=local_resolver, tls_context=trust)
    response = fetcher.fetch(f"https://news.example:{port}/pages/grain_corridor.html")
    assert b"Black Sea" in response.body
    error = fetch_error(fetcher, f"https://127.0.0.1:{port}/pages/grain_corridor.html")  # certificate is for news.example
    assert error.reason.startswith("TLS certificate not valid ("), error.reason
    untrusted = Fetcher(trusted_hosts={"news.example"}, resolver=local_resolver)
    assert fetch_error(untrusted, f"https://news.example:{port}/").reason.startswith("TLS certificate not valid (")


# --- HTTP behaviour and limits ----------------------------------------------------------------------


def test_user_agent_and_accept_headers_are_sent(base: str) -> None:
    seen: dict[str, str] = {}

    class Echo(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

        def do_GET(self) -> None:  # noqa: N802
            seen.update({k.lower(): v for k, v in self.headers.items()})
            self.send_response(204)
            self.end_headers()

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        Fetcher(allow_private=True).fetch(f"http://127.0.0.1:{httpd.server_address[1]}/")
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert seen["user-agent"].startswith("backchannel/")
    assert "application/rss+xml" in seen["accept"]
    assert seen["host"] == f"127.0.0.1:{httpd.server_address[1]}"


def test_http_error_status(fetcher: Fetcher, base: str) -> None:
    assert fetch_error(fetcher, f"{base}/missing").reason == "HTTP 404 Not Found"


def test_too_many_redirects(fetcher: Fetcher, base: str, server: _Server) -> None:
    assert fetch_error(fetcher, f"{base}/loop").reason == "too many redirects (more than 5)"
    assert len(server.seen) == 6


def test_read_timeout_is_reported_quickly(base: str) -> None:
    fetcher = Fetcher(trusted_hosts={"127.0.0.1"}, read_timeout=0.3)
    started = time.monotonic()
    error = fetch_error(fetcher, f"{base}/slow")
    assert time.monotonic() - started < 1.5
    assert error.reason == "timed out waiting for the server (no data for 0.3 s)"


def test_total_timeout_stops_a_dripping_server(base: str) -> None:
    fetcher = Fetcher(trusted_hosts={"127.0.0.1"}, read_timeout=1.0, total_timeout=0.5)
    started = time.monotonic()
    error = fetch_error(fetcher, f"{base}/drip")
    assert time.monotonic() - started < 1.5
    assert error.reason == "timed out (the response took more than 0.5 s)"


def test_connection_refused(fetcher: Fetcher) -> None:
    with socket.socket() as probe:  # a port that was free a moment ago and has no listener
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert fetch_error(fetcher, f"http://127.0.0.1:{port}/").reason == f"connection refused by 127.0.0.1:{port}"


def test_size_cap_stops_reading_an_endless_body(fetcher: Fetcher, base: str) -> None:
    assert fetch_error(fetcher, f"{base}/huge").reason == "too large (more than the 10 MB limit)"


def test_size_cap_refuses_a_declared_length_before_reading(fetcher: Fetcher, base: str) -> None:
    assert fetch_error(fetcher, f"{base}/huge-declared").reason == "too large (10.5 MB > 10 MB limit)"


def test_size_cap_applies_after_decompression(fetcher: Fetcher, base: str) -> None:
    assert fetch_error(fetcher, f"{base}/bomb").reason == "too large (more than the 10 MB limit)"


def test_gzip_body_is_decoded(fetcher: Fetcher, base: str) -> None:
    assert fetcher.fetch(f"{base}/gzip-page").body == (FIXTURES / "pretoria_truce.html").read_bytes()


# --- URL sources: pages ---------------------------------------------------------------------------


def test_url_source_gives_the_page_article(fetcher: Fetcher, base: str) -> None:
    articles, errors = results(f"{base}/pages/pretoria_truce.html", fetcher=fetcher)
    assert errors == []
    [article] = articles
    assert article.title == "Ethiopia and Tigray forces agree to silence the guns"
    assert article.outlet == "The Meridian Post"
    assert article.author == "Amara Tesfaye"
    assert article.published == "2022-11-02"
    assert article.url == article.source == f"{base}/pages/pretoria_truce.html"
    assert article.text.split("\n\n")[1].startswith("Ethiopia’s federal government and the Tigray")
    assert "rights reserved" not in article.text


def test_redirected_url_keeps_the_asked_source_and_the_final_url(fetcher: Fetcher, base: str) -> None:
    asked = f"{base}/redirect?to=/pages/grain_corridor.html"
    [article] = results(asked, fetcher=fetcher)[0]
    assert article.source == asked
    assert article.url == f"{base}/pages/grain_corridor.html"


def test_header_charset_decodes_a_latin1_page(fetcher: Fetcher, base: str) -> None:
    [article] = results(f"{base}/pages/latin1_page.html", fetcher=fetcher)[0]
    assert "the café where she works" in article.text


def test_plain_text_url(fetcher: Fetcher, base: str) -> None:
    [article] = results(f"{base}/plain", fetcher=fetcher)[0]
    assert article.title == "Truce holds"
    assert article.text.endswith("officials said.\n")


def test_url_errors_are_yielded_not_raised(fetcher: Fetcher, base: str) -> None:
    for path, reason in (
        ("/missing", "HTTP 404 Not Found"),
        ("/report.pdf", "unsupported content type: application/pdf"),
        ("/not-a-feed.xml", "XML that is not an RSS or Atom feed (application/xml)"),
    ):
        articles, errors = results(base + path, fetcher=fetcher)
        assert articles == []
        assert [(e.source, e.reason) for e in errors] == [(base + path, reason)]


def test_allow_private_flag_reaches_the_default_fetcher(base: str, server: _Server) -> None:
    refused = results(f"{base}/pages/pretoria_truce.html")[1]
    assert "loopback" in refused[0].reason
    assert server.seen == []
    assert len(results(f"{base}/pages/pretoria_truce.html", allow_private=True)[0]) == 1


# --- URL sources: feeds ---------------------------------------------------------------------------


def test_rss_feed_uses_full_content_fetches_links_and_reports_bad_entries(
    fetcher: Fetcher, base: str, server: _Server
) -> None:
    out = list(iter_source(f"{base}/feeds/world.rss", fetcher=fetcher))
    assert [type(item).__name__ for item in out] == ["Article", "Article", "InputError"]
    gaza, pretoria, missing = out
    assert isinstance(gaza, Article) and isinstance(pretoria, Article) and isinstance(missing, InputError)

    # entry 1: content:encoded, used as is (no fetch); scripts dropped, paragraphs kept
    assert "/world/gaza-deal" not in " ".join(server.seen)
    assert gaza.title == "Gaza ceasefire deal announced in Doha"
    assert gaza.author == "Layla Haddad"
    assert gaza.published == "2025-01-15"
    assert gaza.outlet == "Meridian Post – World"
    assert gaza.url == gaza.source == f"{base}/world/gaza-deal"
    paragraphs = gaza.text.split("\n\n")
    assert len(paragraphs) == 3
    assert paragraphs[0].startswith("Qatar’s prime minister, Sheikh Mohammed bin Abdulrahman Al Thani")
    assert paragraphs[2].endswith("would monitor the implementation of the agreement.")
    assert "trackVisitor" not in gaza.text and "teaser" not in gaza.text

    # entry 2: no content, so its link was fetched; feed metadata wins over the page's, except the title and
    # outlet the page names itself (og:title, og:site_name)
    assert "/pages/pretoria_truce.html" in server.seen
    assert pretoria.text.split("\n\n")[1].startswith("Ethiopia’s federal government")
    assert pretoria.title == "Ethiopia and Tigray forces agree to silence the guns"
    assert pretoria.outlet == "The Meridian Post"
    assert pretoria.author == "Amara Tesfaye (Meridian Africa desk)"
    assert pretoria.published == "2022-11-02"

    # entry 3: its link is a 404; the error names the entry, the others were not stopped
    assert (missing.source, missing.reason) == (f"{base}/missing", "HTTP 404 Not Found")


def test_atom_feed_served_as_text_xml_is_sniffed(fetcher: Fetcher, base: str) -> None:
    articles, errors = results(f"{base}/feeds/regional.atom", fetcher=fetcher)
    assert errors == []
    caucasus, grain = articles
    assert caucasus.title == "Armenia and Azerbaijan initial a peace text at the White House"
    assert caucasus.author == "Nare Petrosyan"
    assert caucasus.published == "2025-08-08"  # the local date written in the feed, not UTC's 9 August
    assert caucasus.outlet == "Harbour Wire: Regional"
    assert caucasus.text.startswith("Armenian Prime Minister Nikol Pashinyan")
    assert len(caucasus.text.split("\n\n")) == 2
    assert grain.text.split("\n\n")[1].startswith("Russia and Ukraine signed separate agreements")
    assert grain.url == f"{base}/pages/grain_corridor.html"
    assert grain.author == "Selin Aydın"


def test_feed_served_as_html_is_still_read_as_a_feed(fetcher: Fetcher, base: str) -> None:
    articles, errors = results(f"{base}/feeds/mislabelled", fetcher=fetcher)
    assert [a.title for a in articles] == ["Gaza ceasefire deal announced in Doha",
                                          "Ethiopia and Tigray forces agree to silence the guns"]  # the page's og:title
    assert len(errors) == 1


def test_broken_feed_is_one_error(fetcher: Fetcher, base: str) -> None:
    articles, errors = results(f"{base}/feeds/broken", fetcher=fetcher)
    assert articles == []
    [error] = errors
    assert error.source == f"{base}/feeds/broken"
    assert error.reason.startswith("broken feed (")


def test_feed_entry_links_go_through_the_guard(base: str, server: _Server) -> None:
    """The feed host is trusted; its entry links to 127.0.0.1 under another name are not."""
    port = server.server_address[1]
    fetcher = Fetcher(trusted_hosts={"news.example"}, resolver=local_resolver)
    articles, errors = results(f"http://news.example:{port}/feeds/world.rss", fetcher=fetcher)
    assert [a.title for a in articles] == ["Gaza ceasefire deal announced in Doha"]
    assert [e.source for e in errors] == [f"{base}/pages/pretoria_truce.html", f"{base}/missing"]
    assert all("refused: 127.0.0.1 is a loopback address" in e.reason for e in errors)
    assert server.seen == ["/feeds/world.rss"]
