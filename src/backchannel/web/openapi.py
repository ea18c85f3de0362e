"""The OpenAPI 3.1 description of the JSON API, written out here rather than generated.

Starlette has no schema generator worth the name and the pages are not
FastAPI handlers, so the description is data: one entry per JSON route with
its parameters.  ``tests/test_web.py`` checks that every JSON route the app
serves is listed with every query parameter its handler reads, so the two
cannot drift apart silently.
"""

from __future__ import annotations

from typing import Any

from backchannel import __version__
from backchannel.analysis.dates import PERIODS
from backchannel.records import CHANNELS, ROLES, STANCES, TIME_BASES, TOPICS
from backchannel.store import DATE_FILTERS, FILTER_CHOICES, FILTER_HELP, SIGNAL_FILTERS
from backchannel.web.params import MAX_LIMIT, MAX_TEXT

_DATE = {"type": "string", "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$", "examples": ["2025-03", "2025-03-14"]}
_TEXT = {"type": "string", "maxLength": MAX_TEXT}


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


def _path(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": schema, "description": description}


def _filter(name: str) -> dict[str, Any]:
    """One of the store's signal filters (``SIGNAL_FILTERS``) as a query parameter."""
    schema = ({"type": "string", "enum": list(FILTER_CHOICES[name])} if name in FILTER_CHOICES
              else _DATE if name in DATE_FILTERS else _TEXT)
    return _query(name, schema, FILTER_HELP[name])


SINCE, UNTIL = _filter("since"), _filter("until")
SEARCH_PARAMS = [
    *(_filter(name) for name in SIGNAL_FILTERS),
    _query("limit", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": 100}, "rows at most"),
]

ERROR = {"type": "object", "required": ["error"], "properties": {"error": {
    "type": "object", "required": ["status", "message"],
    "properties": {"status": {"type": "integer"}, "message": {"type": "string"}}}}}


_STRING = {"type": "string"}
_SPAN = {"type": ["array", "null"], "items": {"type": "integer"}, "minItems": 2, "maxItems": 2}
#: A stored signal (docs/SCHEMA.md, "Stored signal"), as the search rows and the signal page give it.  Only the
#: fields whose form a client relies on are typed; the rest are listed for their names.
SIGNAL = {"type": "object", "required": ["id", "actor", "stance", "topic", "channel", "conflict", "counterpart", "role"],
          "properties": {
              "id": {"type": "integer"}, "article_id": _STRING, "actor": _STRING,
              "stance": {"type": "string", "enum": list(STANCES)}, "topic": {"type": "string", "enum": list(TOPICS)},
              "channel": {"type": "string", "enum": list(CHANNELS)},
              "terms": {"type": "array", "items": _STRING}, "when": _STRING,
              "sources": {"type": "array", "items": _STRING}, "evidence": _STRING, "evidence_span": _SPAN,
              "confidence": {"type": "number"}, "extractor_version": _STRING, "origin": _STRING,
              "conflict": {"type": "string", "description": "the conflict's name, '' when the article places none"},
              "counterpart": {"type": "string", "description": "whom the position is addressed to (the other side)"},
              "role": {"type": "string", "enum": ["", *ROLES], "description": "the actor's role in the conflict"},
              "time_basis": {"type": "string", "enum": ["", *TIME_BASES],
                             "description": "standing or recounted past position, '' when said at `when`"},
              "date": _STRING, "title": _STRING, "outlet": _STRING, "published": _STRING, "url": _STRING}}
SEARCH = {"type": "object", "required": ["signals"], "properties": {
    "filters": {"type": "object"}, "limit": {"type": "integer"}, "count": {"type": "integer"},
    "more": {"type": "boolean"}, "signals": {"type": "array", "items": {"$ref": "#/components/schemas/Signal"}}}}


def _responses(*statuses: int, ok: str = "the page's data", schema: dict[str, Any] | None = None) -> dict[str, Any]:
    responses: dict[str, Any] = {"200": {"description": ok, "content": {"application/json": {
        "schema": schema or {"type": "object"}}}}}
    for status in statuses:
        responses[str(status)] = {"$ref": f"#/components/responses/E{status}"}
    return responses


def _get(summary: str, parameters: list[dict[str, Any]], *errors: int,
         schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"get": {"summary": summary, "parameters": parameters,
                    "responses": _responses(*errors, 500, schema=schema)}}


def _write(summary: str, parameters: list[dict[str, Any]], body: dict[str, Any], ok: int) -> dict[str, Any]:
    responses = _responses(400, 401, 403, 404, 413, 500, ok="done")
    responses[str(ok)] = responses.pop("200")
    return {"post": {"summary": summary, "parameters": parameters, "security": [{"bearer": []}],
                     "requestBody": {"required": True, "content": {"application/json": {"schema": body}}},
                     "responses": responses}}


PATHS: dict[str, dict[str, Any]] = {
    "/index.json": _get("Overview: each actor's latest public and private stance and its recent trend", []),
    "/actors/{name}.json": _get(
        "An actor's timeline (every current signal, oldest first) and its trend",
        [_path("name", {"type": "string"}, "actor name or alias"), SINCE, UNTIL], 400, 404),
    "/signals/{id}.json": _get(
        "One signal: article, evidence bounds, source chain, related attributions, corroborating reports, corrections",
        [_path("id", {"type": "integer"}, "signal id")], 404),
    "/divergence.json": _get(
        "Public and private stances of one actor pointing opposite ways within a period",
        [_query("actor", _TEXT, "only this actor"), SINCE, UNTIL,
         _query("period", {"type": "string", "enum": list(PERIODS), "default": "month"}, "comparison period")],
        400),
    "/search.json": _get("Signals matching every given filter, newest first", SEARCH_PARAMS, 400,
                         schema={"$ref": "#/components/schemas/Search"}),
    "/openapi.json": _get("This description", []),
    "/api/ingest": _write(
        "Fetch one http(s) URL, extract it and store it (private and loopback addresses are refused)", [],
        {"type": "object", "required": ["url"], "properties": {"url": {"type": "string", "format": "uri"}}}, 200),
    "/api/signals/{id}/correction": _write(
        "Record an analyst's correction note on a signal (the signal itself is not changed)",
        [_path("id", {"type": "integer"}, "signal id")],
        {"type": "object", "required": ["note"], "properties": {
            "note": {"type": "string", "maxLength": 4000},
            "field": {"type": "string", "description": "the signal field the note is about"},
            "value": {"type": "string", "maxLength": 1000, "description": "the value it should have"}}}, 201),
}

_MESSAGES = {400: "invalid parameter or body", 401: "no bearer token", 403: "wrong token, or the server is read-only",
             404: "not found", 405: "method not allowed", 413: "request body too large", 500: "server error"}


def spec() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "backchannel", "version": __version__,
                 "description": "Negotiation signals extracted from news. Every HTML page has a JSON twin "
                                "(a .json suffix); every error answers {\"error\": {\"status\", \"message\"}}."},
        "paths": PATHS,
        "components": {
            "schemas": {"Error": ERROR, "Signal": SIGNAL, "Search": SEARCH},
            "responses": {f"E{status}": {"description": message, "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
                for status, message in _MESSAGES.items()},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
