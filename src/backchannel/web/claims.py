"""The claim pages: signals shown one row per claim (``/claims``), and one claim with its reports (``/claims/{id}``).

The grouping is ``analysis.claims`` (over ``corroboration``'s rules); these routes only
read the same filters as search (``params.signal_filter``, refusing any parameter ``/openapi.json``
does not list for the route) and pick a representation (HTML or the ``.json`` twin).
A claim's id is the id of its first signal; any of its signals' ids finds it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from backchannel.analysis.claims import ClaimRow, claim_view, group
from backchannel.web import openapi, params
from backchannel.web.errors import ApiError

Page = Callable[..., Response]


def listing(store: Any, raw: Any) -> dict[str, Any]:
    """The search's signals (same filters and limit, newest first) regrouped one row per claim."""
    query = params.strict(raw, openapi.query_names("/claims.json"), openapi.repeatable("/claims.json"))
    filters = params.signal_filter(query)
    limit = params.limit(query)
    values = filters.values()
    rows = store.signals(**values, limit=limit + 1, newest_first=True)
    claims = group(store, rows[:limit], actor=values["actor"], stance=values["stance"], topic=values["topic"])
    return {"filters": values, "limit": limit, "more": len(rows) > limit, "signals": min(len(rows), limit),
            "count": len(claims), "claims": claims}


def one(store: Any, raw_id: str, raw: Any) -> ClaimRow:
    params.strict(raw, openapi.query_names("/claims/{id}.json"))
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
        return page(request, "claim.html", claim=one(backend.store, request.path_params["id"], request.query_params))

    def claim_json(request: Request) -> Response:
        return JSONResponse(one(backend.store, request.path_params["id"], request.query_params).to_dict())

    return [Route("/claims.json", list_json), Route("/claims", list_page, name="claims"),
            Route("/claims/{id}.json", claim_json), Route("/claims/{id}", claim_page, name="claim")]

