"""One error shape for every failure the web app reports: ``{"error": {"status": int, "message": str}}``.

Handlers turn Starlette's own 404/405, our ``ApiError`` (400, 401, 403, 404, 413)
and any unexpected exception (500, message without internals) into that
shape, so a client needs one parser for every error.  A browser asking for an
HTML page (``Accept: text/html`` on a non-API path) gets the same status and
message as a small HTML page instead; ``.json`` paths, ``/api/`` and
``/openapi.json`` always answer JSON.
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

log = logging.getLogger("backchannel.web")

_DEFAULT_MESSAGES = {400: "bad request", 401: "authentication required", 403: "forbidden", 404: "not found",
                     405: "method not allowed", 413: "request body too large", 500: "internal server error"}


class ApiError(Exception):
    """A client-visible failure: raised anywhere in a handler, rendered by ``error_response``."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def error_body(status: int, message: str) -> dict[str, Any]:
    return {"error": {"status": status, "message": message}}


def wants_html(request: Request) -> bool:
    path = request.url.path
    if path.endswith(".json") or path.startswith("/api/"):
        return False
    return "text/html" in request.headers.get("accept", "")


def error_response(request: Request, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    if wants_html(request):
        templates = request.app.state.templates
        html = templates.get_template("error.html").render(status=status, message=message,
                                                           writable=bool(request.app.state.token))
        return HTMLResponse(html, status_code=status, headers=headers)
    return JSONResponse(error_body(status, message), status_code=status, headers=headers)


async def api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(request, exc.status, exc.message, exc.headers)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    message = exc.detail if isinstance(exc.detail, str) and exc.detail else _DEFAULT_MESSAGES.get(exc.status_code, "")
    if exc.status_code == 404 and message == "Not Found":
        message = f"not found: {request.url.path}"
    elif exc.status_code == 405:
        message = f"method {request.method} not allowed on {request.url.path}"
    return error_response(request, exc.status_code, message, dict(exc.headers or {}))


async def server_error(request: Request, exc: Exception) -> Response:
    """Anything unexpected: logged with its traceback, answered without internals."""
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(request, 500, _DEFAULT_MESSAGES[500])


HANDLERS = {ApiError: api_error, HTTPException: http_error, Exception: server_error}
