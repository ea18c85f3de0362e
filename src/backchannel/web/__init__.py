"""The analyst's web view: server-rendered pages with a JSON twin each, an OpenAPI description, two guarded writes.

- ``app``      ``create_app(store_url, token)`` (the ASGI app) and ``serve`` (uvicorn), routes, headers
- ``pages``    what each page shows, from the store and the analysis library
- ``chart``    the actor timeline as SVG geometry (drawn server-side, no script)
- ``params``   query-string checks: an unknown, repeated or bad value is a 400, never a 500
- ``cursor``   the search's opaque page cursor (keyset paging, stable under inserts)
- ``errors``   the one error shape ``{"error": {"status", "message"}}``
- ``writes``   the bearer-token rule, ingest of one URL, corrections (API and the signal page's forms)
- ``claims``   ``/claims`` and ``/claims/{id}``: signals one row per claim, a claim with its reports
- ``backend``  one store per worker thread (every read and write through the store's methods)
- ``openapi``  the JSON API's OpenAPI 3.1 description: parameters (the routes take no others) and answers
- ``docs``     that description rendered as the ``/docs`` page

Routes: ``/`` ``/actors/{name}`` ``/signals/{id}`` ``/divergence`` ``/corroboration`` ``/search`` ``/claims``
``/claims/{id}`` (each also with ``.json``; the overview's twin is ``/index.json``), ``/search.csv``,
``/actors.json``, ``/conflicts.json``, ``/openapi.json``, ``/docs``, ``POST /api/ingest``,
``POST /api/signals/{id}/correction``, and the signal page's form posts ``POST /signals/{id}/correct`` and
``POST /signals/{id}/missed``.
"""

from backchannel.web.app import create_app, resolve_token, serve

__all__ = ["create_app", "resolve_token", "serve"]
