"""The JSON API's blueprint and its table of endpoints: each view is registered here with what
the OpenAPI document says about it, so the document cannot leave one out."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, current_app

from infra.settings import Settings
from scripts.console import auth

PREFIX = "/api/v1"
api_blueprint = Blueprint("api", __name__, url_prefix=PREFIX)
READ = "reader"
RECORD = "inspector"


@dataclass(frozen=True)
class Endpoint:
    """One operation of the API, as the OpenAPI document describes it."""

    rule: str  # Flask's rule under PREFIX, e.g. /hospital/<code>
    method: str
    summary: str
    params: Sequence[str]  # keys of scripts.console.params.PARAMS
    response: Any  # a marshmallow schema (class or instance) of the 200 body
    role: str = READ
    csv: bool = False
    body: Any = None  # a marshmallow schema of the request body
    path_params: dict[str, str] = field(default_factory=dict)  # name -> description
    status: int = 200
    public: bool = False  # no credentials needed (the OpenAPI document only)

    @property
    def name(self) -> str:
        """The Flask endpoint and OpenAPI operationId: get_hospital_code."""
        words = re.sub(r"[^a-z0-9]+", "_", self.rule.lower()).strip("_")
        return f"{self.method.lower()}_{words}"


ENDPOINTS: list[Endpoint] = []


def settings() -> Settings:
    """Where the ledger is, as `create_app` was given it."""
    found: Settings = current_app.extensions["claims_ledger_settings"]
    return found


def endpoint(
    rule: str,
    summary: str,
    response: Any,
    *,
    params: Sequence[str] = (),
    method: str = "GET",
    **kwargs: Any,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a view on the API blueprint, guarded by its role, and in ENDPOINTS."""

    def register(view: Callable[..., Any]) -> Callable[..., Any]:
        described = Endpoint(rule, method, summary, params, response, **kwargs)
        guarded = view
        if not described.public:
            guarded = auth.inspector(view) if described.role == RECORD else auth.reader(view)
        api_blueprint.add_url_rule(
            rule, endpoint=described.name, view_func=guarded, methods=[described.method]
        )
        ENDPOINTS.append(described)
        return view

    return register
