"""Does a response say what the OpenAPI schema (``/api/schema/``) says it says?

``assert_matches_schema(response, "/api/v1/regions/", "get")`` finds the
operation and the response of that status code in the schema the portal
serves, and validates the body with ``jsonschema``: types, ``nullable``,
required properties, enums, items and pages. The same check schemathesis
runs from outside (``scripts/schemathesis.sh``), here on data a test chose.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import jsonschema
from django.test import Client


@cache
def served_schema() -> str:
    response = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.content.decode()


def _to_json_schema(node: Any) -> Any:
    """OpenAPI 3.0 schema objects to JSON Schema: ``nullable`` becomes a ``null`` alternative."""
    if isinstance(node, list):
        return [_to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _to_json_schema(value) for key, value in node.items()
            if key not in ("readOnly", "writeOnly", "example", "discriminator", "xml", "externalDocs")}
    if node.pop("nullable", False):
        if isinstance(node.get("type"), str) and "$ref" not in node and "allOf" not in node:
            node["type"] = [node["type"], "null"]
            if "enum" in node:
                node["enum"] = [*node["enum"], None]
        else:
            node = {"anyOf": [node, {"type": "null"}]}
    return node


def response_schema(path: str, method: str, status: int) -> dict:
    document = json.loads(served_schema())
    operation = document["paths"][path][method.lower()]
    responses = operation["responses"]
    assert str(status) in responses, f"{method.upper()} {path} does not document {status}: {sorted(responses)}"
    content = responses[str(status)].get("content") or {}
    schema = (content.get("application/json") or {}).get("schema")
    assert schema is not None, f"{method.upper()} {path} {status} has no JSON body in the schema"
    return {**_to_json_schema(schema), "components": _to_json_schema(document.get("components", {}))}


def assert_matches_schema(response, path: str, method: str = "get") -> Any:
    """The body of ``response`` validates against its documented schema; returns the body."""
    body = response.json()
    schema = response_schema(path, method, response.status_code)
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(body), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])
    return body
