"""The ``/docs`` page: the OpenAPI document (``openapi.spec``) rendered as a readable reference on the server.

Why not Swagger UI or Redoc: both are JavaScript loaded from a CDN, and these
pages run no script and fetch nothing from elsewhere (the content security
policy forbids it).  The page is a plain reading of the same document the API
serves at ``/openapi.json``, so it cannot describe anything else.
"""

from __future__ import annotations

from typing import Any

_METHOD_ORDER = ("get", "post")


def _type(schema: dict[str, Any]) -> str:
    """A schema as a short phrase: ``string (open | refuses)``, ``array of string``, ``Signal``."""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "oneOf" in schema:
        return " or ".join(_type(s) for s in schema["oneOf"])
    if "allOf" in schema:
        return " and ".join(_type(s) for s in schema["allOf"])
    kind = schema.get("type", "any")
    kind = " or ".join(kind) if isinstance(kind, list) else kind
    if "array" in kind and "items" in schema:
        kind = f"{kind} of {_type(schema['items'])}"
    if "enum" in schema:
        kind += " (" + " | ".join(str(v) if v != "" else "''" for v in schema["enum"]) + ")"
    bounds = [f"{word} {schema[key]}" for key, word in (("minimum", "from"), ("maximum", "to"),
                                                        ("maxLength", "at most chars:")) if key in schema]
    return kind + (", " + ", ".join(bounds) if bounds else "")


def _fields(schema: dict[str, Any]) -> list[dict[str, Any]]:
    required = set(schema.get("required", ()))
    return [{"name": name, "type": _type(sub), "required": name in required, "description": sub.get("description", "")}
            for name, sub in schema.get("properties", {}).items()]


def reference(spec: dict[str, Any]) -> dict[str, Any]:
    """What the docs template shows: each operation with its parameters and answers, then each schema's fields."""
    operations = []
    for path, methods in spec["paths"].items():
        for method in sorted(methods, key=lambda m: _METHOD_ORDER.index(m) if m in _METHOD_ORDER else 9):
            op = methods[method]
            responses = []
            for status, response in op["responses"].items():
                if "$ref" in response:
                    response = spec["components"]["responses"][response["$ref"].rsplit("/", 1)[-1]]
                content = response.get("content", {})
                media, body = next(iter(content.items()), ("", {}))
                responses.append({"status": status, "description": response.get("description", ""),
                                  "media": media, "schema": _type(body.get("schema", {})) if body else ""})
            operations.append({
                "id": f"{method}-{path}".replace("/", "-").replace("{", "").replace("}", "").replace(".", "-"),
                "method": method.upper(), "path": path, "summary": op.get("summary", ""),
                "auth": bool(op.get("security")),
                "parameters": [{"name": p["name"], "in": p["in"], "type": _type(p["schema"]),
                                "repeatable": p.get("explode", False), "description": p.get("description", "")}
                               for p in op.get("parameters", [])],
                "body": _fields(next(iter(op["requestBody"]["content"].values()))["schema"])
                if "requestBody" in op else [],
                "responses": responses})
    schemas = [{"name": name, "fields": _fields(schema), "type": _type(schema)}
               for name, schema in spec["components"]["schemas"].items()]
    return {"info": spec["info"], "version": spec["openapi"], "operations": operations, "schemas": schemas}
