"""The ASGI app: routes, representations (HTML page or ``.json``), security headers, start-up and shutdown.

Why Starlette: the pages are server-rendered HTML with a JSON twin each, so
a small toolkit with routing, a test client and Jinja2 fits; FastAPI's
generated OpenAPI would describe only half of each route and bring pydantic
models for data that is already plain dicts.  The OpenAPI description is
written out in ``openapi.py`` and a test keeps it in step with the routes.

Handlers are synchronous on purpose: the store and the analyses are blocking
code, and Starlette runs sync handlers in its thread pool (see
``backend.Backend`` for the one-store-per-thread rule).
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backchannel.chains import chain_text
from backchannel.export import export_signals
from backchannel.web import claims, docs, openapi, pages, params
from backchannel.web.backend import Backend
from backchannel.web.errors import HANDLERS
from backchannel.web.writes import Ingester, check_token, correction_routes, json_body, string_field

HERE = Path(__file__).resolve().parent
TOKEN_ENV = "BACKCHANNEL_TOKEN"
CSV_SPOOL = 8 * 1024 * 1024  # a CSV download larger than this is spooled on disk
log = logging.getLogger("backchannel.web")

# No script runs on these pages at all: even text that escaped escaping could not execute.
SECURITY_HEADERS = [
    (b"content-security-policy",
     b"default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; "
     b"frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]


class SecurityHeaders:
    """Adds ``SECURITY_HEADERS`` to every response, errors included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name for name, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []),
                                      *((n, v) for n, v in SECURITY_HEADERS if n not in names)]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _templates() -> Environment:
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["pathq"] = lambda value: quote(str(value), safe="")
    env.filters["chain"] = chain_text  # the one notation of a chain of sources (``backchannel.chains``)
    env.filters["short"] = lambda value, n=160: (value if len(value or "") <= n else value[: n - 1] + "…")
    env.globals["query"] = lambda **kw: urlencode({k: v for k, v in kw.items() if v}, doseq=True)
    env.globals["chosen"] = lambda value, option: option == value or (
        isinstance(value, (tuple, list)) and option in value)
    env.globals["highlighted"] = pages.highlighted
    return env


def _page(request: Request, template: str, **context: Any) -> HTMLResponse:
    html = request.app.state.templates.get_template(template).render(
        writable=bool(request.app.state.token), **context)
    return HTMLResponse(html)


def create_app(store_url: str, token: str | None = None, *, extractor: Callable[[], Any] | None = None) -> Starlette:
    """The web app over the store at ``store_url``.

    ``token``: the write token; ``None`` or empty = read-only (the write
    endpoints answer 403).  It is taken literally here; ``serve`` reads
    ``BACKCHANNEL_TOKEN`` when no token is given.  ``extractor``: a factory
    for the ingest endpoint's extractor (tests pass a stub; default: the
    spaCy pipeline, loaded on the first ingest).
    """
    token = token or None
    backend = Backend(store_url)
    ingester = Ingester(extractor)

    # ---- reads ----------------------------------------------------------------------------------------
    cache = pages.OverviewCache()

    def query(request: Request, path: str) -> QueryParams:
        """The request's query, refused (400) unless every name is one the route at ``path`` documents."""
        return params.strict(request.query_params, openapi.query_names(path), openapi.repeatable(path))

    def _overview(request: Request) -> dict[str, Any]:
        query(request, "/index.json")
        return cache.get(backend.store.fingerprint(),
                         lambda: pages.overview(backend.store, backend.store.actor_overview()))

    def index(request: Request) -> Response:
        return _page(request, "overview.html", **pages.overview_html(_overview(request)))

    def index_json(request: Request) -> Response:
        return JSONResponse(_overview(request))

    def actors_json(request: Request) -> Response:
        query(request, "/actors.json")
        return JSONResponse(pages.actors_json(backend.store))

    def conflicts_json(request: Request) -> Response:
        query(request, "/conflicts.json")
        return JSONResponse(pages.conflicts_json(backend.store))

    def _actor(request: Request) -> dict[str, Any]:
        since, until = params.dates(query(request, "/actors/{name}.json"))
        return pages.actor(backend.store, request.path_params["name"], since, until)

    def actor_page(request: Request) -> Response:
        return _page(request, "actor.html", **pages.actor_html(_actor(request)))

    def actor_json(request: Request) -> Response:
        return JSONResponse(pages.actor_json(_actor(request)))

    def _signal(request: Request) -> dict[str, Any]:
        query(request, "/signals/{id}.json")
        sid = params.signal_id(request.path_params["id"])
        return pages.signal(backend.store, sid, backend.store.corrections(sid))

    def signal_page(request: Request) -> Response:
        return _page(request, "signal.html", **_signal(request))

    def signal_json(request: Request) -> Response:
        return JSONResponse(pages.signal_json(_signal(request)))

    def _divergence(request: Request) -> dict[str, Any]:
        q = query(request, "/divergence.json")
        since, until = params.dates(q)
        return pages.divergences(backend.store, params.text(q, "actor"), since, until, params.period(q))

    def divergence_page(request: Request) -> Response:
        return _page(request, "divergence.html", **_divergence(request))

    def divergence_json(request: Request) -> Response:
        return JSONResponse(pages.divergences_json(_divergence(request)))

    def _corroboration(request: Request) -> dict[str, Any]:
        q = query(request, "/corroboration.json")
        filters = params.signal_filter(q, pages.CORROBORATION_FILTERS)
        return pages.corroborations(backend.store, filters, params.choice(q, "corroborated", ("yes", "no")),
                                    params.limit(q))

    def corroboration_page(request: Request) -> Response:
        return _page(request, "corroboration.html", **_corroboration(request))

    def corroboration_json(request: Request) -> Response:
        return JSONResponse(pages.corroborations_json(_corroboration(request)))

    def _search(request: Request) -> dict[str, Any]:
        q = query(request, "/search.json")
        order = params.sort(q)
        return pages.search(backend.store, params.signal_filter(q), order, params.limit(q), params.after(q, order))

    def search_page(request: Request) -> Response:
        return _page(request, "search.html", **_search(request), request_cursor=bool(request.query_params.get("cursor")))

    def search_json(request: Request) -> Response:
        return JSONResponse(_search(request))

    def search_csv(request: Request) -> Response:
        """Every signal of the filter, written by the CSV export (``backchannel export --format csv``): spooled
        to a temporary file in a worker thread, so a large answer neither fills memory nor holds the loop."""
        filters = params.signal_filter(query(request, "/search.csv"))
        spool = tempfile.SpooledTemporaryFile(max_size=CSV_SPOOL)
        export_signals(backend.store, "csv", spool, **filters.values())
        spool.seek(0)

        def chunks() -> Iterator[bytes]:
            try:
                while chunk := spool.read(65536):
                    yield chunk
            finally:
                spool.close()

        return StreamingResponse(chunks(), media_type="text/csv; charset=utf-8",
                                 headers={"content-disposition": 'attachment; filename="signals.csv"'})

    def openapi_json(request: Request) -> Response:
        query(request, "/openapi.json")
        return JSONResponse(openapi.spec())

    def docs_page(request: Request) -> Response:
        params.strict(request.query_params, ())
        return _page(request, "docs.html", **docs.reference(openapi.spec()))

    # ---- writes -----------------------------------------------------------------------------------------
    async def ingest_url(request: Request) -> Response:
        check_token(request, token)
        url = string_field(await json_body(request), "url", True, 2000)
        result = await run_in_threadpool(lambda: ingester(backend.store, url))
        return JSONResponse(result)

    routes = [
        Route("/", index, name="index"),
        Route("/index.json", index_json),
        Route("/openapi.json", openapi_json),
        Route("/docs", docs_page, name="docs"),
        Route("/actors.json", actors_json),
        Route("/conflicts.json", conflicts_json),
        # The .json twins first: "{name:path}" would otherwise swallow the suffix.
        Route("/actors/{name:path}.json", actor_json),
        Route("/actors/{name:path}", actor_page, name="actor"),
        Route("/signals/{id}.json", signal_json),
        Route("/signals/{id}", signal_page, name="signal"),
        Route("/divergence.json", divergence_json),
        Route("/divergence", divergence_page, name="divergence"),
        Route("/corroboration.json", corroboration_json),
        Route("/corroboration", corroboration_page, name="corroboration"),
        Route("/search.json", search_json),
        Route("/search.csv", search_csv),
        Route("/search", search_page, name="search"),
        Route("/api/ingest", ingest_url, methods=["POST"]),
        *correction_routes(backend, token),
        *claims.routes(backend, _page),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await run_in_threadpool(lambda: backend.store)  # open (and migrate) the database before the first request
        try:
            yield
        finally:
            backend.close()

    app = Starlette(routes=routes, exception_handlers=HANDLERS, lifespan=lifespan)  # type: ignore[arg-type]
    app.state.templates = _templates()
    app.state.token = token
    app.state.backend = backend
    app.add_middleware(SecurityHeaders)
    return app


def resolve_token(token: str | None) -> str | None:
    """The write token: ``--token``, else ``$BACKCHANNEL_TOKEN``, else none (read-only)."""
    return token or os.environ.get(TOKEN_ENV) or None


def serve(store_url: str, host: str = "127.0.0.1", port: int = 8000, token: str | None = None,
          extractor: Callable[[], Any] | None = None) -> None:
    """Run the app with uvicorn until interrupted (what ``backchannel serve`` calls); ``extractor`` is the
    ingest endpoint's (see ``create_app``)."""
    import uvicorn

    token = resolve_token(token)
    mode = "writes need the bearer token" if token else "read-only (no token)"
    log.warning("backchannel web on http://%s:%d/ over %s: %s", host, port, store_url, mode)
    if token and host not in ("127.0.0.1", "localhost", "::1"):
        log.warning("the token travels in clear text over plain HTTP: put a TLS proxy in front of %s", host)
    uvicorn.run(create_app(store_url, token, extractor=extractor), host=host, port=port, log_level="info")
