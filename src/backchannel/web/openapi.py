"""The OpenAPI 3.1 description of the JSON API, written out here rather than generated.

Starlette has no schema generator worth the name and the pages are not
FastAPI handlers, so the description is data: one entry per JSON route with
its parameters and the schema of its answer.  It is also the API's rule
book: ``query_names`` gives the parameters each route takes, and the routes
refuse any other (``params.strict``), so the document cannot list a parameter
the server ignores or miss one it reads.  ``tests/test_web.py`` checks that
every JSON route is listed and validates the real answers of each against
the response schemas here; ``/docs`` renders this document as a page.
"""

from __future__ import annotations

from typing import Any

from backchannel import __version__
from backchannel.analysis.dates import PERIODS
from backchannel.analysis.timeline import TRENDS
from backchannel.records import CHANNELS, ROLES, STANCES, TIME_BASES, TOPICS
from backchannel.store import DATE_FILTERS, FILTER_CHOICES, FILTER_HELP, MULTI_FILTERS, SIGNAL_FILTERS, SORTS
from backchannel.web.params import MAX_LIMIT, MAX_TEXT
from backchannel.web.writes import CORRECTABLE, MAX_NOTE, MAX_VALUE

_DATE = {"type": "string", "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$", "examples": ["2025-03", "2025-03-14"]}
_TEXT = {"type": "string", "maxLength": MAX_TEXT}


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


def _path(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": schema, "description": description}


def _filter(name: str) -> dict[str, Any]:
    """One of the store's signal filters (``SIGNAL_FILTERS``) as a query parameter; a multi-value one is an
    array given by repeating the parameter (``?stance=open&stance=agrees``: any of them)."""
    schema = ({"type": "string", "enum": list(FILTER_CHOICES[name])} if name in FILTER_CHOICES
              else _DATE if name in DATE_FILTERS
              else {"type": "number", "minimum": 0, "maximum": 1} if name == "confidence" else _TEXT)
    if name in MULTI_FILTERS:
        return {**_query(name, {"type": "array", "items": schema}, FILTER_HELP[name] + "; repeat for any of several"),
                "style": "form", "explode": True}
    return _query(name, schema, FILTER_HELP[name])


SINCE, UNTIL = _filter("since"), _filter("until")
LIMIT = _query("limit", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": 100}, "rows at most")
FILTER_PARAMS = [_filter(name) for name in SIGNAL_FILTERS]
SEARCH_PARAMS = [
    *FILTER_PARAMS,
    _query("sort", {"type": "string", "enum": list(SORTS), "default": "newest"},
           "; ".join(f"{s.name}: {s.help}" for s in SORTS.values())),
    _query("cursor", {"type": "string"}, "the 'next' value of the previous page (opaque; belongs to one sort)"),
    LIMIT,
]
CORROBORATION_PARAMS = [_query("actor", _TEXT, "only this actor (name or alias)"),
                        _query("stance", {"type": "string", "enum": list(STANCES)}, "stance label"),
                        _query("topic", {"type": "string", "enum": list(TOPICS)}, "topic label"), SINCE, UNTIL,
                        _query("corroborated", {"type": "string", "enum": ["yes", "no"]},
                               "only claims with two independent origins or more (yes), or only the others (no)"),
                        LIMIT]

ERROR = {"type": "object", "required": ["error"], "properties": {"error": {
    "type": "object", "required": ["status", "message"],
    "properties": {"status": {"type": "integer"}, "message": {"type": "string"}}}}}


_STRING = {"type": "string"}
_STRINGS = {"type": "array", "items": _STRING}
_INT = {"type": "integer"}
_NULLABLE_STRING = {"type": ["string", "null"]}
_SPAN = {"type": ["array", "null"], "items": {"type": "integer"}, "minItems": 2, "maxItems": 2}
_ROLE = {"type": "string", "enum": ["", *ROLES], "description": "the actor's role in the conflict"}
_TREND = {"type": "string", "enum": list(TRENDS)}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _object(required: dict[str, Any], optional: dict[str, Any] | None = None, closed: bool = True) -> dict[str, Any]:
    """An object schema: ``required`` fields always present; ``closed``: no field beyond those listed."""
    schema: dict[str, Any] = {"type": "object", "required": list(required),
                              "properties": {**required, **(optional or {})}}
    if closed:
        schema["additionalProperties"] = False
    return schema


_SIGNAL_FIELDS = {
    "id": _INT, "article_id": _STRING, "actor": _STRING,
    "stance": {"type": "string", "enum": list(STANCES)}, "topic": {"type": "string", "enum": list(TOPICS)},
    "channel": {"type": "string", "enum": list(CHANNELS)},
    "terms": _STRINGS, "when": _STRING, "sources": _STRINGS, "evidence": _STRING, "evidence_span": _SPAN,
    "confidence": {"type": "number"}, "extractor_version": _STRING, "origin": _STRING,
    "conflict": {"type": "string", "description": "the conflict's name, '' when the article places none"},
    "counterpart": {"type": "string", "description": "whom the position is addressed to (the other side)"},
    "role": _ROLE,
    "time_basis": {"type": "string", "enum": ["", *TIME_BASES],
                   "description": "standing or recounted past position, '' when said at `when`"},
    "date": _STRING, "title": _STRING, "outlet": _STRING, "published": _STRING, "url": _STRING,
    "corrected": {"type": "boolean", "description": "an analyst corrected it (the fields show the corrected values)"},
    "not_a_signal": {"type": "boolean", "description": "an analyst marked it as no position at all"},
    "original": {"type": "object", "description": "the extracted value of each field an analyst changed"}}
#: A stored signal (docs/SCHEMA.md, "Stored signal"), as the search rows give it.
SIGNAL = _object(_SIGNAL_FIELDS)
_BRIEF_NAMES = ("id", "date", "actor", "stance", "topic", "channel", "evidence", "outlet", "title", "when", "sources",
                "conflict", "counterpart", "role")
#: The fields of a signal that a list shows (``pages.brief``).
BRIEF = _object({name: _SIGNAL_FIELDS[name] for name in _BRIEF_NAMES})
#: One signal on a timeline (``TimelinePoint.to_dict``).
POINT = _object({"signal_id": _INT, "date": _STRING, "actor": _STRING, "stance": _SIGNAL_FIELDS["stance"],
                 "topic": _SIGNAL_FIELDS["topic"], "channel": _SIGNAL_FIELDS["channel"], "evidence": _STRING,
                 "sources": _STRINGS, "chain": _STRINGS, "terms": _STRINGS, "when": _STRING, "article_id": _STRING,
                 "outlet": _STRING, "title": _STRING, "url": _STRING, "published": _STRING,
                 "score": {"type": ["integer", "null"]}, "time_basis": _SIGNAL_FIELDS["time_basis"]})
ORIGIN = _object({"name": _STRING, "names": _STRINGS, "article_ids": _STRINGS,
                  "signal_ids": {"type": "array", "items": _INT}})
#: A claim: signals reporting one position, with its independent origins (``Claim.to_dict``).
CLAIM = _object({"id": _INT, "actor": _STRING, "actors": _STRINGS, "stance": _SIGNAL_FIELDS["stance"],
                 "topic": _SIGNAL_FIELDS["topic"], "first_date": _STRING, "last_date": _STRING,
                 "signal_ids": {"type": "array", "items": _INT}, "article_ids": _STRINGS, "outlets": _STRINGS,
                 "origins": {"type": "array", "items": _ref("Origin")}, "origin_count": _INT,
                 "corroborated": {"type": "boolean"}, "verdict": {"type": "string"}, "evidence": _STRING,
                 "terms": _STRINGS, "copies": {"type": "array", "items": _STRINGS}},
                {"reports": {"type": "array", "description": "on a signal's page: the claim's other signals",
                             "items": _object({**{name: _SIGNAL_FIELDS[name] for name in _BRIEF_NAMES},
                                               "origin": _STRING, "url": _NULLABLE_STRING})}})
#: A claim as a row of ``/claims`` (``ClaimRow.to_dict``): the claim with the reports shown under it.
CLAIM_ROW = _object({"id": _INT, "actor": _STRING, "stance": _SIGNAL_FIELDS["stance"],
                     "topic": _SIGNAL_FIELDS["topic"], "first_date": _STRING, "last_date": _STRING,
                     "outlets": _STRINGS, "outlet_count": _INT, "origins": _STRINGS, "origin_count": _INT,
                     "signals": _INT, "corroborated": {"type": "boolean"}, "verdict": _STRING, "label": _STRING,
                     "evidence": _STRING, "reports": {"type": "array", "items": _ref("Signal")}})
_FILTERS = {"type": "object", "description": "the filters applied (a list for a repeated one)",
            "additionalProperties": {"type": ["string", "number", "array", "null"], "items": _STRING}}
SEARCH = _object({"filters": _FILTERS, "sort": {"type": "string", "enum": list(SORTS)}, "limit": _INT,
                  "count": _INT, "total": _INT, "more": {"type": "boolean"},
                  "next": {"type": ["string", "null"], "description": "the cursor of the next page; null on the last"},
                  "signals": {"type": "array", "items": _ref("Signal")}})
_OVERVIEW_ACTOR = _object({"name": _STRING, "kind": _STRING, "signals": _INT, "latest_date": _STRING,
                           "trend": _TREND,
                           "latest_public": {"oneOf": [_ref("SignalBrief"), {"type": "null"}]},
                           "latest_private": {"oneOf": [_ref("SignalBrief"), {"type": "null"}]}})
_MEMBER = _object({"actor": _STRING, "role": _ROLE, "signals": _INT})
_GROUP = _object({"conflict": _STRING, "actors": {"type": "array", "items": _MEMBER}})
OVERVIEW = _object({"actors": {"type": "array", "items": _OVERVIEW_ACTOR},
                    "conflicts": {"type": "array", "items": _GROUP,
                                  "description": "the actors grouped by the conflict their signals are placed in "
                                                 "('' for none); an actor in two conflicts is in both groups"},
                    "counts": {"type": "object", "additionalProperties": _INT}, "trend_window": _INT})
ACTOR = _object({"actor": _STRING, "since": _NULLABLE_STRING, "until": _NULLABLE_STRING, "trend": _TREND,
                 "count": _INT, "truncated": {"type": "boolean"}, "actors": _STRINGS,
                 "points": {"type": "array", "items": _ref("Point")}})
_DIVERGENCE = _object({"actor": _STRING, "actors": _STRINGS, "period": _STRING, "kind": _STRING,
                       "topic": _NULLABLE_STRING, "public": {"type": "array", "items": _ref("Point")},
                       "private": {"type": "array", "items": _ref("Point")}})
DIVERGENCES = _object({"actor": _NULLABLE_STRING, "since": _NULLABLE_STRING, "until": _NULLABLE_STRING,
                       "period": {"type": "string", "enum": list(PERIODS)}, "count": _INT,
                       "divergences": {"type": "array", "items": _DIVERGENCE}})
CLAIMS = _object({"filters": _FILTERS, "limit": _INT, "more": {"type": "boolean"}, "signals": _INT, "count": _INT,
                  "claims": {"type": "array", "items": _ref("ClaimRow")}})
CORROBORATION = _object({"filters": _FILTERS, "corroborated": _NULLABLE_STRING, "limit": _INT, "count": _INT,
                         "total": _INT, "claims": {"type": "array", "items": _ref("Claim")}})
CORRECTION = _object({"id": _INT, "signal_id": {"type": ["integer", "null"], "description": "null for a missed signal"},
                      "article_id": _STRING, "evidence_start": {"type": ["integer", "null"]},
                      "evidence_end": {"type": ["integer", "null"]}, "actor": _STRING, "field": _STRING,
                      "value": _STRING, "note": _STRING, "author": _STRING, "created_at": _STRING})
SIGNAL_DETAIL = _object(
    {**_SIGNAL_FIELDS, "superseded_by": _NULLABLE_STRING,
     "article": {"type": ["object", "null"], "required": ["id", "text", "outlet", "title", "published", "url"]},
     "paragraph": {"type": ["object", "null"]}, "chain": _STRINGS,
     "attributions": {"type": "array", "items": {"type": "object", "required": ["speaker", "cue", "content"]}},
     "evidence_bounds": _SPAN, "corrections": {"type": "array", "items": _ref("Correction")},
     "corroboration": {"oneOf": [_ref("Claim"), {"type": "null"}]}}, closed=False)
_ACTOR_ROW = _object({"name": _STRING, "kind": _STRING, "signals": _INT,
                      "latest_stance": _NULLABLE_STRING, "latest_topic": _NULLABLE_STRING, "latest_date": _STRING,
                      "latest_signal_id": {"type": ["integer", "null"]},
                      "conflicts": {"type": "array", "items": _object({"conflict": _STRING, "role": _ROLE,
                                                                         "signals": _INT})}})
ACTORS = _object({"actors": {"type": "array", "items": _ACTOR_ROW}})
_CONFLICT_ROW = _object({"name": _STRING, "signals": _INT,
                         "parties": {"type": "array", "items": _object({"actor": _STRING, "signals": _INT})},
                         "third_parties": {"type": "array", "items": _object({"actor": _STRING, "signals": _INT})}})
CONFLICTS = _object({"conflicts": {"type": "array", "items": _CONFLICT_ROW}})
INGEST = _object({"url": _STRING, "errors": _STRINGS}, {}, closed=False)
DOCUMENT = _object({"openapi": _STRING, "info": {"type": "object"}, "paths": {"type": "object"},
                    "components": {"type": "object"}})
SCHEMAS = {"Error": ERROR, "Signal": SIGNAL, "SignalBrief": BRIEF, "Point": POINT, "Origin": ORIGIN, "Claim": CLAIM,
           "ClaimRow": CLAIM_ROW, "Claims": CLAIMS, "Search": SEARCH, "Overview": OVERVIEW, "Actor": ACTOR, "Divergences": DIVERGENCES,
           "Corroboration": CORROBORATION, "Correction": CORRECTION, "SignalDetail": SIGNAL_DETAIL,
           "Actors": ACTORS, "Conflicts": CONFLICTS, "IngestResult": INGEST, "OpenAPI": DOCUMENT}


def _responses(*statuses: int, ok: str = "the page's data", schema: str = "",
               media: str = "application/json") -> dict[str, Any]:
    body = _ref(schema) if schema else {"type": "string"}
    responses: dict[str, Any] = {"200": {"description": ok, "content": {media: {"schema": body}}}}
    for status in statuses:
        responses[str(status)] = {"$ref": f"#/components/responses/E{status}"}
    return responses


def _get(summary: str, parameters: list[dict[str, Any]], *errors: int, schema: str,
         media: str = "application/json") -> dict[str, Any]:
    return {"get": {"summary": summary, "parameters": parameters,
                    "responses": _responses(*errors, 400, 500, schema=schema, media=media)}}


def _write(summary: str, parameters: list[dict[str, Any]], body: dict[str, Any], ok: int,
           schema: str) -> dict[str, Any]:
    responses = _responses(400, 401, 403, 404, 413, 500, ok="done", schema=schema)
    responses[str(ok)] = responses.pop("200")
    return {"post": {"summary": summary, "parameters": parameters, "security": [{"bearer": []}],
                     "requestBody": {"required": True, "content": {"application/json": {"schema": body}}},
                     "responses": responses}}


PATHS: dict[str, dict[str, Any]] = {
    "/index.json": _get("Overview: each actor's latest public and private stance and its recent trend, and the "
                        "actors grouped by conflict", [], schema="Overview"),
    "/actors.json": _get("Every actor with current signals, most signals first, with the conflicts it is placed in",
                         [], schema="Actors"),
    "/conflicts.json": _get("Every conflict current signals are placed in, with its parties and third parties", [],
                            schema="Conflicts"),
    "/actors/{name}.json": _get(
        "An actor's timeline (every current signal, oldest first) and its trend",
        [_path("name", {"type": "string"}, "actor name or alias"), SINCE, UNTIL], 404, schema="Actor"),
    "/signals/{id}.json": _get(
        "One signal: article, evidence bounds, source chain, related attributions, corroborating reports, corrections",
        [_path("id", {"type": "integer"}, "signal id")], 404, schema="SignalDetail"),
    "/divergence.json": _get(
        "Public and private stances of one actor pointing opposite ways within a period",
        [_query("actor", _TEXT, "only this actor"), SINCE, UNTIL,
         _query("period", {"type": "string", "enum": list(PERIODS), "default": "month"}, "comparison period")],
        schema="Divergences"),
    "/corroboration.json": _get(
        "Claims (the same position across articles), newest first, with their independent origins and verdict",
        CORROBORATION_PARAMS, schema="Corroboration"),
    "/search.json": _get("Signals matching every given filter, one page in the chosen order; 'next' is the cursor "
                         "of the following page", SEARCH_PARAMS, schema="Search"),
    "/claims.json": _get("The search's signals (newest first, up to limit) regrouped one row per claim, each claim "
                         "with its reports", [*FILTER_PARAMS, LIMIT], schema="Claims"),
    "/claims/{id}.json": _get("The claim holding a signal (any of its signals' ids finds it), with all its reports",
                              [_path("id", {"type": "integer"}, "signal id")], 404, schema="ClaimRow"),
    "/search.csv": _get("Every signal matching the filters as CSV (the columns of `backchannel export --format csv`)",
                        FILTER_PARAMS, schema="", media="text/csv"),
    "/openapi.json": _get("This description", [], schema="OpenAPI"),
    "/api/ingest": _write(
        "Fetch one http(s) URL, extract it and store it (private and loopback addresses are refused)", [],
        {"type": "object", "required": ["url"], "properties": {"url": {"type": "string", "format": "uri"}}}, 200,
        schema="IngestResult"),
    "/api/signals/{id}/correction": _write(
        "Correct a signal: a field (stance, topic, actor, channel, when) and its value; not_a_signal; missed, "
        "with a sentence or evidence_span and the added signal's actor, stance, topic, channel and when; or a note "
        "alone. 'by' names who. A correction is kept across reprocess.",
        [_path("id", {"type": "integer"}, "signal id")],
        {"type": "object", "properties": {
            "field": {"type": "string", "enum": list(CORRECTABLE)},
            "value": {"type": "string", "maxLength": MAX_VALUE, "description": "the value the field should have"},
            "note": {"type": "string", "maxLength": MAX_NOTE}, "by": {"type": "string"},
            "sentence": {"type": "string", "description": "missed: the sentence, copied from the article"},
            "evidence_span": {"type": "array", "items": {"type": "integer"}, "minItems": 2, "maxItems": 2},
            "actor": _STRING, "stance": {"type": "string", "enum": list(STANCES)},
            "topic": {"type": "string", "enum": list(TOPICS)}, "channel": {"type": "string", "enum": list(CHANNELS)},
            "when": _STRING}}, 201, schema="Correction"),
}


def _query_params(path: str) -> list[dict[str, Any]]:
    operation = next(iter(PATHS[path].values()))
    return [p for p in operation["parameters"] if p["in"] == "query"]


def query_names(path: str) -> frozenset[str]:
    """The query parameters the route at ``path`` (its JSON twin's path) takes: all the others are refused."""
    return frozenset(p["name"] for p in _query_params(path))


def repeatable(path: str) -> frozenset[str]:
    """Those of them that may be given several times (an array, ``explode``): any other repeated is refused."""
    return frozenset(p["name"] for p in _query_params(path) if p.get("explode"))


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
            "schemas": SCHEMAS,
            "responses": {f"E{status}": {"description": message, "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
                for status, message in _MESSAGES.items()},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
