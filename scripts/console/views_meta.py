"""Who is asking, and the API's own description."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app

from scripts.console import auth, openapi, schemas
from scripts.console.api import endpoint


@endpoint("/me", "who the credentials belong to, and whether they may record", schemas.Me)
def me() -> dict[str, Any]:
    person = auth.identity()
    return {
        "name": person.name,
        "role": person.role,
        "can_record": person.can_record,
        "recorded_by": person.recorded_by,
    }


@endpoint(
    "/openapi.json",
    "this document (no credentials needed: it holds no data)",
    {"type": "object"},
    public=True,
)
def openapi_document() -> Response:
    return current_app.response_class(openapi.text(), mimetype="application/json")
