"""The claim pages: signals shown one row per claim (``/claims``), and one claim with its reports (``/claims/{id}``).

The grouping is ``analysis.claims`` (over ``corroboration``'s rules); these routes only
read the same filters as search (``params.signal_filter``), pick a representation (HTML
or the ``.json`` twin) and describe themselves for ``/openapi.json`` (``document``).
A claim's id is the id of its first signal; any of its signals' ids finds it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from backchannel.analysis.claims import ClaimRow, claim_view, group
from backchannel.web import params
from backchannel.web.errors import ApiError

Page = Callable[..., Response]


def listing(store: Any, query: Any) -> dict[str, Any]:
    """The search's signals (same filters and limit, newest first) regrouped one row per claim."""
    filters = params.signal_filter(query)
    limit = params.limit(query)
    values = filters.values()
    rows = store.signals(**values, limit=limit + 1, newest_first=True)
    claims = group(store, rows[:limit], actor=values["actor"], stance=values["stance"], topic=values["topic"])
    return {"filters": values, "limit": limit, "more": len(rows) > limit, "signals": min(len(rows), limit),
            "count": len(claims), "claims": claims}


def one(store: Any, raw_id: str) -> ClaimRow:
    sid = params.signal_id(raw_id)
    found = claim_view(store, sid)
    if found is None:
        raise ApiError(404, f"no signal with id {sid}")
    return found


def routes(backend: Any, page: Page) -> list[Route]:
    """``/claims``, ``/claims.json``, ``/claims/{id}`` and ``/claims/{id}.json`` over ``backend``'s store;
    ``page(request, template, **context)`` renders HTML as every other page does."""

    def list_page(request: Request) -> Response:
        return page(request, "claims.html", **listing(backend.store, request.query_params))

    def list_json(request: Request) -> Response:
        data = listing(backend.store, request.query_params)
        return JSONResponse({**data, "claims": [c.to_dict() for c in data["claims"]]})

    def claim_page(request: Request) -> Response:
        return page(request, "claim.html", claim=one(backend.store, request.path_params["id"]))

    def claim_json(request: Request) -> Response:
        return JSONResponse(one(backend.store, request.path_params["id"]).to_dict())

    return [Route("/claims.json", list_json), Route("/claims", list_page, name="claims"),
            Route("/claims/{id}.json", claim_json), Route("/claims/{id}", claim_page, name="claim")]


_CLAIM = {"type": "object", "required": ["id", "actor", "stance", "topic", "outlet_count", "origin_count", "label",
                                          "verdict", "reports"],
          "properties": {"id": {"type": "integer"}, "actor": {"type": "string"}, "stance": {"type": "string"},
                         "topic": {"type": "string"}, "first_date": {"type": "string"},
                         "last_date": {"type": "string"}, "outlets": {"type": "array", "items": {"type": "string"}},
                         "outlet_count": {"type": "integer"},
                         "origins": {"type": "array", "items": {"type": "string"}},
                         "origin_count": {"type": "integer"}, "signals": {"type": "integer"},
                         "corroborated": {"type": "boolean"}, "verdict": {"type": "string"},
                         "label": {"type": "string"}, "evidence": {"type": "string"},
                         "reports": {"type": "array", "items": {"$ref": "#/components/schemas/Signal"}}}}
_CORRECTED = {"corrected": {"type": "boolean", "description": "an analyst corrected it"},
              "not_a_signal": {"type": "boolean", "description": "an analyst marked it as no position"},
              "original": {"type": "object", "description": "the extracted value of each changed field"}}


def document(spec: dict[str, Any]) -> dict[str, Any]:
    """``spec`` (``openapi.spec()``) with the claim routes, the correction marks of a signal and the correction
    body.  Kept here while these routes are new; they belong in ``openapi.py`` (its owner merges them)."""
    paths = dict(spec["paths"])
    search = paths["/search.json"]["get"]
    paths["/claims.json"] = {"get": {**search, "summary": "The search's signals, one row per claim",
                                     "responses": {**search["responses"], "200": {"description": "claims",
                                                   "content": {"application/json": {"schema": {
                                                       "type": "object", "properties": {"claims": {
                                                           "type": "array", "items": {
                                                               "$ref": "#/components/schemas/Claim"}}}}}}}}}}
    signal = paths["/signals/{id}.json"]["get"]
    paths["/claims/{id}.json"] = {"get": {**signal, "summary": "The claim holding a signal, with all its reports",
                                          "responses": {**signal["responses"], "200": {
                                              "description": "the claim", "content": {"application/json": {
                                                  "schema": {"$ref": "#/components/schemas/Claim"}}}}}}}
    correction = paths["/api/signals/{id}/correction"]["post"]
    paths["/api/signals/{id}/correction"] = {"post": {
        **correction, "summary": "Correct a signal (field stance, topic, actor, channel or when with its value; "
        "not_a_signal; missed with sentence or evidence_span and the added signal's actor, stance, topic, channel, "
        "when) or leave a note; by names who",
        "requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object", "properties": {
            "field": {"type": "string"}, "value": {"type": "string"}, "note": {"type": "string"},
            "by": {"type": "string"}, "sentence": {"type": "string"},
            "evidence_span": {"type": "array", "items": {"type": "integer"}}, "actor": {"type": "string"},
            "stance": {"type": "string"}, "topic": {"type": "string"}, "channel": {"type": "string"},
            "when": {"type": "string"}}}}}}}}
    schemas = dict(spec["components"]["schemas"])
    schemas["Signal"] = {**schemas["Signal"], "properties": {**schemas["Signal"]["properties"], **_CORRECTED}}
    schemas["Claim"] = _CLAIM
    return {**spec, "paths": paths, "components": {**spec["components"], "schemas": schemas}}
