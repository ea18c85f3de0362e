"""Fetch one http(s) URL safely: timeouts, a size cap, bounded redirects and no requests to private networks.

Why the standard library (``http.client``) and not httpx: the SSRF check is
only sound if the connection goes to the very address that was checked.  A
check-then-connect-by-name design is open to DNS rebinding (the name resolves
to a public address for the check and to 127.0.0.1 for the connection).
``http.client`` lets a small subclass override ``connect()`` to dial the
checked address while the ``Host`` header and the TLS server name keep the
host name; httpx would need httpcore's private connection pool swapped out for
the same effect, and it honours ``HTTP_PROXY`` variables by default, which
would hand name resolution to a proxy and bypass the check.  It also adds no
dependency.

The guard, per hop (the first request and every redirect):

1. only ``http`` and ``https`` URLs;
2. resolve the host (``resolver``, injectable) to all its addresses;
3. refuse when ANY address is loopback, private, link-local, multicast,
   reserved, unspecified or otherwise not globally routable (IPv4 and IPv6,
   including IPv4-mapped IPv6), unless ``allow_private`` is set or the host
   name is in ``trusted_hosts``;
4. connect only to those checked addresses.

``trusted_hosts`` exists so tests (and users with one known intranet server)
can exempt named hosts without opening every private address: a test serves
from 127.0.0.1 under a trusted name and proves that a redirect from it to
127.0.0.1 or 10.x is still refused.

Every failure is ``InputError(source=<the URL asked for>, reason=<one line>)``.
"""

from __future__ import annotations

import http.client
import ipaddress
import re
import socket
import ssl
import time
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from backchannel import __version__
from backchannel.errors import InputError
from backchannel.read.text import MAX_BYTES, one_line, too_large_reason

USER_AGENT = f"backchannel/{__version__} (news reader; +https://pypi.org/project/backchannel/)"
ACCEPT = (
    "text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,"
    "application/xml;q=0.9,text/xml;q=0.9,*/*;q=0.5"
)
MAX_REDIRECTS = 5
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 30.0
TOTAL_TIMEOUT = 60.0
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 * 1024
_HOST_CHARS = re.compile(r"[A-Za-z0-9._:%-]+")  # names after IDNA, IPv4, IPv6 (with zone) literals

Resolver = Callable[[str, int], Sequence[str]]
"""``resolver(host, port)`` returns the host's IP addresses as strings; raises ``OSError`` when it cannot."""


def system_resolver(host: str, port: int) -> list[str]:
    """All addresses the system resolver gives for ``host`` (IPv4 and IPv6), in its order, without repeats."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses: list[str] = []
    for info in infos:
        address = str(info[4][0])
        if address not in addresses:
            addresses.append(address)
    return addresses


def refusal_reason(address: str) -> str | None:
    """Why connecting to ``address`` is refused (e.g. "loopback"), or None for a public address."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "not an IP address"
    if isinstance(ip, ipaddress.IPv6Address):
        # IPv6 forms that carry an IPv4 address reach that address: judge the embedded one.
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        elif ip.sixtofour is not None:
            return refusal_reason(str(ip.sixtofour))
        elif ip.teredo is not None:
            return refusal_reason(str(ip.teredo[1]))
    checks = (
        ("unspecified", ip.is_unspecified),
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("reserved", ip.is_reserved),
        ("private", ip.is_private),
    )
    for name, hit in checks:
        if hit:
            return name
    if not ip.is_global:  # e.g. 100.64.0.0/10 carrier-grade NAT, 6to4/Teredo oddities
        return "not globally routable"
    return None


@dataclass(frozen=True)
class Response:
    """A fetched document: the final URL after redirects, its media type and its (decoded) body bytes."""

    url: str
    status: int
    content_type: str
    charset: str | None
    body: bytes
    redirects: tuple[str, ...] = ()


@dataclass
class Fetcher:
    """Fetches URLs one at a time under the guard described in the module docstring.

    ``max_bytes`` caps the body after decompression (a gzip bomb is stopped
    like any other oversized page).  ``connect_timeout`` bounds the TCP/TLS
    connection, ``read_timeout`` each wait for data and ``total_timeout`` the
    whole response, so a server dripping one byte at a time still ends.
    """

    allow_private: bool = False
    trusted_hosts: Iterable[str] = ()
    resolver: Resolver = system_resolver
    connect_timeout: float = CONNECT_TIMEOUT
    read_timeout: float = READ_TIMEOUT
    total_timeout: float = TOTAL_TIMEOUT
    max_bytes: int = MAX_BYTES
    max_redirects: int = MAX_REDIRECTS
    user_agent: str = USER_AGENT
    tls_context: ssl.SSLContext | None = None
    _trusted: frozenset[str] = field(init=False, repr=False)
    _tls: ssl.SSLContext = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._trusted = frozenset(host.lower().strip("[]") for host in self.trusted_hosts)
        # Certificates and host names are always verified; a caller may only choose which CAs to trust.
        self._tls = self.tls_context or ssl.create_default_context()

    def fetch(self, url: str) -> Response:
        """GET ``url`` following up to ``max_redirects`` redirects, each hop checked; or raise ``InputError``."""
        current = url
        hops: list[str] = []
        deadline = time.monotonic() + self.total_timeout
        while True:
            where = "" if not hops else f"redirected to {one_line(current, 120)}: "
            try:
                status, headers, body = self._get(current, deadline)
            except InputError as exc:
                raise InputError(url, where + exc.reason) from None
            if status in _REDIRECTS:
                location = headers.get("location")
                if not location:
                    raise InputError(url, f"{where}HTTP {status} redirect without a Location header")
                if len(hops) >= self.max_redirects:
                    raise InputError(url, f"too many redirects (more than {self.max_redirects})")
                hops.append(current)
                current = urljoin(current, location.strip())
                continue
            if not 200 <= status < 300:
                raise InputError(url, f"{where}HTTP {status} {http_reason(status)}".rstrip())
            media_type, charset = parse_content_type(headers.get("content-type", ""))
            return Response(current, status, media_type, charset, body, tuple(hops))

    # --- one hop -------------------------------------------------------------------------------------

    def _get(self, url: str, deadline: float) -> tuple[int, http.client.HTTPMessage, bytes]:
        """One request without following redirects; redirect bodies are not read."""
        scheme, host, port, target = split_url(url)
        addresses = self._checked_addresses(host, port)
        connection: http.client.HTTPConnection
        if scheme == "https":
            connection = _PinnedHTTPSConnection(host, port, context=self._tls, timeout=self.read_timeout)
        else:
            connection = _PinnedHTTPConnection(host, port, timeout=self.read_timeout)
        connection.pin(addresses, self.connect_timeout)
        try:
            connection.request("GET", target, headers=self._headers())
            response = connection.getresponse()
            if response.status in _REDIRECTS:
                return response.status, response.msg, b""
            body = self._read_body(response, deadline) if 200 <= response.status < 300 else b""
            return response.status, response.msg, body
        except InputError:
            raise
        except TimeoutError:
            raise InputError(url, f"timed out waiting for the server (no data for {self.read_timeout:g} s)") from None
        except ssl.SSLCertVerificationError as exc:
            raise InputError(url, f"TLS certificate not valid ({one_line(exc.verify_message or str(exc), 100)})") from None
        except ssl.SSLError as exc:
            raise InputError(url, f"TLS error ({one_line(exc.reason or str(exc), 100)})") from None
        except http.client.IncompleteRead:
            raise InputError(url, "the connection closed before the whole response arrived") from None
        except http.client.RemoteDisconnected:
            raise InputError(url, "the server closed the connection without answering") from None
        except http.client.HTTPException as exc:
            raise InputError(url, f"invalid HTTP response ({type(exc).__name__}: {one_line(str(exc), 80)})") from None
        except OSError as exc:
            raise InputError(url, f"network error ({one_line(exc.strerror or str(exc), 100)})") from None
        finally:
            connection.close()

    def _headers(self) -> dict[str, str]:
        return {
            "User-Agent": self.user_agent,
            "Accept": ACCEPT,
            "Accept-Encoding": "gzip, deflate",
            "Connection": "close",
        }

    def _checked_addresses(self, host: str, port: int) -> list[str]:
        try:
            addresses = list(self.resolver(host, port))
        except (OSError, UnicodeError) as exc:
            detail = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
            raise InputError(host, f"DNS lookup failed for {host} ({one_line(detail, 80)})") from None
        if not addresses:
            raise InputError(host, f"DNS lookup failed for {host} (no addresses)")
        if self.allow_private or host.lower() in self._trusted:
            return addresses
        for address in addresses:
            reason = refusal_reason(address)
            if reason:
                article = "an" if reason[0] in "aeiou" else "a"
                what = address if host.strip("[]") == address else f"{host} resolves to {address}, which"
                raise InputError(
                    host,
                    f"refused: {what} is {article} {reason} address "
                    "(private networks are not fetched; use --allow-private to allow)",
                )
        return addresses

    def _read_body(self, response: http.client.HTTPResponse, deadline: float) -> bytes:
        """Read at most ``max_bytes`` (after decoding gzip/deflate), refusing anything longer."""
        length = response.getheader("content-length")
        if length and length.strip().isdigit() and int(length) > self.max_bytes:
            raise InputError("", self._too_large(int(length)))
        encoding = (response.getheader("content-encoding") or "identity").strip().lower()
        if encoding in ("gzip", "x-gzip", "deflate"):
            inflater = zlib.decompressobj(zlib.MAX_WBITS | 32)  # gzip or zlib header, detected
        elif encoding == "identity":
            inflater = None
        else:
            raise InputError("", f"unsupported Content-Encoding: {one_line(encoding, 40)}")
        parts: list[bytes] = []
        size = 0
        while True:
            if time.monotonic() > deadline:
                raise InputError("", f"timed out (the response took more than {self.total_timeout:g} s)")
            chunk = response.read1(_CHUNK)  # what has arrived, so the deadline is checked between reads
            if not chunk:
                break
            if inflater is not None:
                try:
                    chunk = inflater.decompress(chunk, self.max_bytes - size + 1)
                except zlib.error as exc:
                    raise InputError("", f"corrupt {encoding} body ({one_line(str(exc), 60)})") from None
            size += len(chunk)
            if size > self.max_bytes:
                raise InputError("", self._too_large(None))
            parts.append(chunk)
        return b"".join(parts)

    def _too_large(self, size: int | None) -> str:
        if self.max_bytes == MAX_BYTES:
            return too_large_reason(size)
        return f"too large (more than {self.max_bytes} bytes)" if size is None else f"too large ({size} bytes)"


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection that dials only the addresses the guard checked, never the name again."""

    _addresses: list[str]
    _connect_timeout: float

    def pin(self, addresses: list[str], connect_timeout: float) -> None:
        self._addresses = addresses
        self._connect_timeout = connect_timeout

    def connect(self) -> None:
        self.sock = _dial(self.host, self.port, self._addresses, self._connect_timeout, self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """As ``_PinnedHTTPConnection``, then TLS with the host name for SNI and certificate checks."""

    _addresses: list[str]
    _connect_timeout: float
    _tls_context: ssl.SSLContext

    def __init__(self, host: str, port: int, *, context: ssl.SSLContext, timeout: float) -> None:
        super().__init__(host, port, context=context, timeout=timeout)
        self._tls_context = context

    def pin(self, addresses: list[str], connect_timeout: float) -> None:
        self._addresses = addresses
        self._connect_timeout = connect_timeout

    def connect(self) -> None:
        sock = _dial(self.host, self.port, self._addresses, self._connect_timeout, self.timeout)
        try:
            sock.settimeout(self._connect_timeout)
            self.sock = self._tls_context.wrap_socket(sock, server_hostname=self.host)
            self.sock.settimeout(self.timeout)
        except TimeoutError:
            sock.close()
            raise InputError(self.host, f"timed out in the TLS handshake with {self.host} ({self._connect_timeout:g} s)") from None
        except BaseException:
            sock.close()
            raise


def _dial(host: str, port: int, addresses: list[str], connect_timeout: float, read_timeout: float | None) -> socket.socket:
    """Connect to the first checked address that answers; the socket then waits ``read_timeout`` per read."""
    failure = ""
    where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    for address in addresses:
        try:
            sock = socket.create_connection((address, port), timeout=connect_timeout)
        except TimeoutError:
            failure = f"timed out connecting to {where} ({connect_timeout:g} s)"
            continue
        except ConnectionRefusedError:
            failure = f"connection refused by {where}"
            continue
        except OSError as exc:
            failure = f"cannot connect to {where} ({one_line(exc.strerror or str(exc), 80)})"
            continue
        sock.settimeout(read_timeout)
        return sock
    raise InputError(host, failure or f"cannot connect to {where}")


def split_url(url: str) -> tuple[str, str, int, str]:
    """(scheme, ASCII host, port, request target) of an http(s) URL, or ``InputError`` naming the problem."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise InputError(url, f"invalid URL ({one_line(str(exc), 80)})") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        shown = f"'{scheme}'" if scheme else "no scheme"
        raise InputError(url, f"only http and https URLs are fetched ({shown})")
    host = parts.hostname or ""
    if not host:
        raise InputError(url, "invalid URL (no host)")
    try:
        host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        raise InputError(url, "invalid URL (host name cannot be encoded)") from None
    if not _HOST_CHARS.fullmatch(host):
        raise InputError(url, "invalid URL (bad characters in the host name)")
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    if any(c in target for c in " \r\n\t"):
        target = target.replace(" ", "%20")
        if any(c in target for c in "\r\n\t"):
            raise InputError(url, "invalid URL (control characters in the path)")
    return scheme, host, port or (443 if scheme == "https" else 80), target


def is_url(source: str) -> bool:
    """True for ``http://`` and ``https://`` sources (any case)."""
    return source[:8].lower().startswith(("http://", "https://"))


def parse_content_type(value: str) -> tuple[str, str | None]:
    """``"text/html; charset=UTF-8"`` -> ``("text/html", "UTF-8")``; empty type when missing."""
    media_type, _, params = value.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, val = param.partition("=")
        if key.strip().lower() == "charset" and val.strip():
            charset = val.strip().strip("\"'")
    return media_type.strip().lower(), charset


def http_reason(status: int) -> str:
    try:
        return http.client.responses[status]
    except KeyError:
        return ""
