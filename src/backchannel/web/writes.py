"""The write endpoints (ingest, corrections) and the rule that guards them.

Safe by default: with no token configured the server is read-only and every
write answers 403 "read-only".  With a token, an API write needs
``Authorization: Bearer <token>``: no (or a non-Bearer) header is 401, a
wrong token is 403.  Tokens are compared in constant time.  A bearer header
is never sent by a browser on its own, so a page elsewhere cannot make a
logged-in analyst's browser write (no CSRF surface).

The correction form of the signal page keeps that property without any script
(the pages' Content-Security-Policy runs none): the analyst types the token
into the form, and it is checked like a bearer token.  Nothing the browser
holds (no cookie, no session) authorises a write, so a forged cross-site form
cannot carry the secret; a request whose ``Origin`` is another site is refused
as well.  After a correction the browser is sent back to the signal page (303),
which shows the signal as corrected.

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
from urllib.parse import parse_qs, urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from backchannel.errors import BackchannelError
from backchannel.store.corrections import CHANGES, FIELDS, MISSED, NOT_A_SIGNAL
from backchannel.web import params
from backchannel.web.errors import ApiError

MAX_BODY = 64 * 1024
MAX_NOTE = 4000
MAX_VALUE = 1000
MAX_SENTENCE = 600  # an evidence sentence, as an annotation allows
CORRECTABLE = FIELDS


def check_token(request: Request, token: str | None) -> None:
    if not token:
        raise ApiError(403, "read-only: this server was started without a write token (--token or BACKCHANNEL_TOKEN)")
    header = request.headers.get("authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        raise ApiError(401, "missing bearer token (Authorization: Bearer TOKEN)",
                       headers={"WWW-Authenticate": 'Bearer realm="backchannel"'})
    _same_token(given, token)


def _same_token(given: str, token: str) -> None:
    if not hmac.compare_digest(given.strip().encode(), token.encode()):
        raise ApiError(403, "wrong token")


def check_form_token(request: Request, form: dict[str, Any], token: str | None) -> None:
    """The form's rule: the token typed into the form, and no other site's ``Origin``."""
    if not token:
        raise ApiError(403, "read-only: this server was started without a write token (--token or BACKCHANNEL_TOKEN)")
    origin = request.headers.get("origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.headers.get("host", ""):
        raise ApiError(403, "a form of another site cannot write here")
    given = form.get("token")
    if not isinstance(given, str) or not given.strip():
        raise ApiError(401, "token: type the server's write token into the form")
    _same_token(given, token)


async def _body(request: Request) -> bytes:
    """The request body, at most ``MAX_BODY`` bytes (413 beyond)."""
    size = 0
    chunks: list[bytes] = []
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise ApiError(413, f"request body over {MAX_BODY} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def form_body(request: Request) -> dict[str, Any]:
    """An HTML form's fields (``application/x-www-form-urlencoded``), the last value of each."""
    try:
        fields = parse_qs((await _body(request)).decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ApiError(400, f"the form could not be read ({exc})") from exc
    return {name: values[-1] for name, values in fields.items()}


async def json_body(request: Request) -> dict[str, Any]:
    """The request's JSON object, at most ``MAX_BODY`` bytes; 400/413 otherwise."""
    chunks = await _body(request)
    try:
        body = json.loads(chunks or b"null")
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
    """``(field, value, note)`` of an API correction: a note alone needs its text; a change needs its value."""
    field = string_field(body, "field", False, 40).lower()
    if field and field not in CORRECTABLE:
        raise ApiError(400, f"field: {field!r} is not one of {', '.join(CORRECTABLE)}")
    note = string_field(body, "note", field not in CHANGES and field not in (NOT_A_SIGNAL, MISSED), MAX_NOTE)
    return field, string_field(body, "value", field in CHANGES, MAX_VALUE), note


def _form_changes(form: dict[str, Any]) -> list[tuple[str, str]]:
    """The changes the signal page's form asks for: each field given a value, or "not a signal" alone."""
    changes = [(f, form[f].strip()) for f in CHANGES if isinstance(form.get(f), str) and form[f].strip()]
    if form.get(NOT_A_SIGNAL):
        if changes:
            raise ApiError(400, "not a signal: tick it alone (a signal that is not one has no right stance)")
        return [(NOT_A_SIGNAL, "")]
    return changes


def _sentence_span(text: str, sentence: str, near: int) -> tuple[int, int]:
    """Where the analyst's sentence (copied from the article) is in the text: the occurrence nearest ``near``."""
    sentence = sentence.strip()
    if not sentence or len(sentence) > MAX_SENTENCE:
        raise ApiError(400, f"sentence: copy one sentence of the article (1 to {MAX_SENTENCE} characters)")
    found, at = [], text.find(sentence)
    while at >= 0:
        found.append(at)
        at = text.find(sentence, at + 1)
    if not found:
        raise ApiError(400, "sentence: not found in the article's text (copy it exactly, one sentence)")
    start = min(found, key=lambda a: abs(a - near))
    return start, start + len(sentence)


def record_corrections(store: Any, signal_id: int, body: dict[str, Any], changes: list[tuple[str, str]]
                       ) -> list[dict[str, Any]]:
    """Record ``changes`` to one signal, or the missed signal ``body`` describes (``field: missed``, with
    ``sentence`` or ``evidence_span`` and the signal's fields), by ``body["by"]``; 404/400 as the store says."""
    signal = store.signal(signal_id)
    if signal is None:
        raise ApiError(404, f"no signal with id {signal_id}")
    note = str(body.get("note") or "")[:MAX_NOTE]
    author = str(body.get("by") or "")
    try:
        if changes and changes[0][0] == MISSED:
            text = (signal.get("article") or {}).get("text") or ""
            span = body.get("evidence_span")
            if not (isinstance(span, list) and len(span) == 2 and all(isinstance(x, int) for x in span)):
                span = _sentence_span(text, str(body.get("sentence") or ""), (signal["evidence_span"] or [0])[0])
            return [store.add_missed_signal(signal["article_id"], span, body, note, author)]
        return [store.add_correction(signal_id, field, value, note, author) for field, value in changes]
    except BackchannelError as exc:
        raise ApiError(400, str(exc)) from exc


def correction_routes(backend: Any, token: str | None) -> list[Route]:
    """The API endpoint (bearer token, JSON) and the signal page's two forms (token typed in, then 303 back)."""

    async def api(request: Request) -> Response:
        check_token(request, token)
        sid = params.signal_id(request.path_params["id"])
        body = await json_body(request)
        field, value, _ = correction_fields(body)
        body.setdefault("note", "")
        written = await run_in_threadpool(lambda: record_corrections(backend.store, sid, body, [(field, value)]))
        return JSONResponse(written[0], status_code=201)

    async def form(request: Request) -> Response:
        sid = params.signal_id(request.path_params["id"])
        if request.path_params["kind"] not in ("correct", "missed"):
            raise ApiError(404, f"not found: {request.url.path}")
        fields = await form_body(request)
        check_form_token(request, fields, token)
        if request.path_params["kind"] == "missed":
            changes = [(MISSED, "")]
        else:
            changes = _form_changes(fields) or (
                [("", "")] if str(fields.get("note") or "").strip() else [])
            if not changes:
                raise ApiError(400, "nothing to correct: choose a new value, tick \"not a signal\" or write a note")
        await run_in_threadpool(lambda: record_corrections(backend.store, sid, fields, changes))
        return RedirectResponse(f"/signals/{sid}#corrected", status_code=303)

    return [Route("/api/signals/{id}/correction", api, methods=["POST"]),
            Route("/signals/{id}/{kind:str}", form, methods=["POST"])]


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
