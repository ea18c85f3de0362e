"""The two write endpoints and the rule that guards them.

Safe by default: with no token configured the server is read-only and every
write answers 403 "read-only".  With a token, a write needs
``Authorization: Bearer <token>``: no (or a non-Bearer) header is 401, a
wrong token is 403.  Tokens are compared in constant time.  A bearer header
is never sent by a browser on its own, so a page elsewhere cannot make a
logged-in analyst's browser write (no CSRF surface).

Ingest takes one http(s) URL, nothing else: ``iter_source`` also reads local
files and folders, which a web client must never reach.  The fetch keeps the
ingest guard (loopback, private and link-local addresses refused on every
redirect hop).  Writes are serialised by one lock: the extractor is loaded
once and is not shared between threads.
"""

from __future__ import annotations

import hmac
import json
import threading
from collections.abc import Callable
from typing import Any

from starlette.requests import Request

from backchannel.web.errors import ApiError

MAX_BODY = 64 * 1024
MAX_NOTE = 4000
MAX_VALUE = 1000
CORRECTABLE = ("actor", "stance", "topic", "channel", "terms", "when", "sources", "evidence", "other")


def check_token(request: Request, token: str | None) -> None:
    if not token:
        raise ApiError(403, "read-only: this server was started without a write token (--token or BACKCHANNEL_TOKEN)")
    header = request.headers.get("authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        raise ApiError(401, "missing bearer token (Authorization: Bearer TOKEN)",
                       headers={"WWW-Authenticate": 'Bearer realm="backchannel"'})
    if not hmac.compare_digest(given.strip().encode(), token.encode()):
        raise ApiError(403, "wrong token")


async def json_body(request: Request) -> dict[str, Any]:
    """The request's JSON object, at most ``MAX_BODY`` bytes; 400/413 otherwise."""
    size = 0
    chunks: list[bytes] = []
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise ApiError(413, f"request body over {MAX_BODY} bytes")
        chunks.append(chunk)
    try:
        body = json.loads(b"".join(chunks) or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, f"body is not JSON ({exc})") from exc
    if not isinstance(body, dict):
        raise ApiError(400, "body must be a JSON object")
    return body


def string_field(body: dict[str, Any], name: str, required: bool, max_len: int) -> str:
    value = body.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ApiError(400, f"{name}: required")
        return ""
    if not isinstance(value, str):
        raise ApiError(400, f"{name}: must be a string")
    if len(value) > max_len:
        raise ApiError(400, f"{name}: at most {max_len} characters")
    return value.strip()


def correction_fields(body: dict[str, Any]) -> tuple[str, str, str]:
    note = string_field(body, "note", True, MAX_NOTE)
    field = string_field(body, "field", False, 40).lower()
    if field and field not in CORRECTABLE:
        raise ApiError(400, f"field: {field!r} is not one of {', '.join(CORRECTABLE)}")
    return field, string_field(body, "value", False, MAX_VALUE), note


class Ingester:
    """Runs ``backchannel.jobs.ingest.ingest`` for one URL at a time, with one lazily loaded extractor."""

    def __init__(self, extractor: Callable[[], Any] | None = None) -> None:
        """``extractor``: a factory called on the first ingest (``serve`` passes a ``LazyExtractor`` of the
        user's ``--actors``, ``--conflicts``, ``--all-articles`` and ``--signal-model``); default: the default
        extractor."""
        if extractor is None:
            from backchannel.jobs.extractor import ExtractorSpec, LazyExtractor

            extractor = LazyExtractor(ExtractorSpec())
        self._extractor = extractor
        self._lock = threading.Lock()

    def __call__(self, store: Any, url: str) -> dict[str, Any]:
        from backchannel.jobs.ingest import ingest
        from backchannel.read.web import is_url

        if not is_url(url):
            raise ApiError(400, "url: only http:// and https:// URLs can be ingested")
        with self._lock:
            summary = ingest([url], store, self._extractor, allow_private=False)
        if summary.errors and not (summary.read or summary.duplicates):
            raise ApiError(400, summary.error_lines[0] if summary.error_lines else f"{url}: could not be ingested")
        return {"url": url, **summary.counts(), "errors": summary.error_lines}
