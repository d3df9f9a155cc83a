"""The OpenAPI document, built by apispec from the endpoint table (scripts/console/api.py) and
the marshmallow schemas of the bodies. Checked in as docs/openapi.json; a test compares them."""

from __future__ import annotations

import json
import re
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from scripts.console.api import ENDPOINTS, PREFIX, Endpoint
from scripts.console.params import PARAMS, public_name

TITLE = "claims-ledger console API"
VERSION = "1"
DESCRIPTION = (
    "Read-only questions over the ledger's read models and log (each as of a valid time and"
    " as known at a system time, as the CLI asks them), and sanction submission through Kafka"
    " as `claims-ledger sanction` does. Errors are RFC 9457 problem details. See"
    " docs/console.md."
)
PROBLEM = {
    "type": "object",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string", "description": "what was wrong, naming what was sent"},
        "parameter": {"type": "string", "description": "the parameter at fault, if one is"},
        "value": {"type": "string", "description": "what was typed for it"},
    },
    "required": ["type", "title", "status", "detail"],
}
CSV = {"text/csv": {"schema": {"type": "string"}}}


def build() -> dict[str, Any]:
    """The OpenAPI 3.0 document of every endpoint."""
    # The app's modules register their views when imported: then ENDPOINTS holds them all.
    import scripts.console.app  # noqa: F401, PLC0415 - imported here: the app imports this module

    spec = APISpec(
        title=TITLE,
        version=VERSION,
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
        info={"description": DESCRIPTION},
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.security_scheme(
        "session", {"type": "apiKey", "in": "cookie", "name": "session"}
    )
    spec.components.schema("Problem", PROBLEM)
    by_path: dict[str, dict[str, Any]] = {}
    for endpoint in ENDPOINTS:
        by_path.setdefault(openapi_path(endpoint.rule), {})[endpoint.method.lower()] = _operation(
            endpoint
        )
    for path in sorted(by_path):
        spec.path(path=path, operations=by_path[path])
    return spec.to_dict()


def text() -> str:
    """The document as checked in: stable key order, one trailing newline."""
    return json.dumps(build(), ensure_ascii=False, indent=2) + "\n"


def openapi_path(rule: str) -> str:
    """/hospital/<code> as /api/v1/hospital/{code}."""
    return PREFIX + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule)


def _operation(e: Endpoint) -> dict[str, Any]:
    content: dict[str, Any] = {"application/json": {"schema": e.response}}
    if e.csv:
        content |= CSV
    problem = {"application/problem+json": {"schema": "Problem"}}
    responses: dict[str, Any] = {str(e.status): {"description": "OK", "content": content}}
    responses["400"] = {"description": "a parameter cannot be taken", "content": problem}
    if not e.public:
        responses["401"] = {"description": "no valid credentials", "content": problem}
        responses["404"] = {"description": "the ledger knows nothing of it", "content": problem}
        responses["503"] = {"description": "the store cannot be reached", "content": problem}
    if e.role == "inspector":
        responses["403"] = {"description": "not an inspector", "content": problem}
    operation: dict[str, Any] = {
        "operationId": e.name,
        "summary": e.summary,
        "parameters": [*_path_params(e), *(_query_param(k) for k in e.params)],
        "responses": responses,
        "security": [] if e.public else [{"bearer": []}, {"session": []}],
    }
    if e.body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": e.body}},
        }
    return operation


def _path_params(e: Endpoint) -> list[dict[str, Any]]:
    names = re.findall(r"<(?:\w+:)?(\w+)>", e.rule)
    return [
        {
            "name": n,
            "in": "path",
            "required": True,
            "description": e.path_params.get(n, n),
            "schema": {"type": "string"},
        }
        for n in names
    ]


def _query_param(key: str) -> dict[str, Any]:
    param = PARAMS[key]
    doc: dict[str, Any] = {
        "name": public_name(key),
        "in": "query",
        "required": param.required,
        "description": param.description,
        "schema": param.schema,
    }
    if param.repeated:
        doc |= {"schema": {"type": "array", "items": param.schema, "minItems": 2, "maxItems": 2}}
        doc |= {"style": "form", "explode": True}
    return doc
