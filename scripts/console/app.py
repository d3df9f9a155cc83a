"""The console's Flask application: the JSON API under /api/v1/ and, when present, the pages."""

from __future__ import annotations

import importlib
import logging
import secrets
from http import HTTPStatus
from typing import Any

from flask import Flask, Response
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import HTTPException

from infra.settings import Settings
from scripts.cli.output import json_value
from scripts.console import (
    problems,
    views_log,
    views_meta,
    views_reads,
    views_reports,
    views_sanctions,
)
from scripts.console.api import api_blueprint
from scripts.console.auth import REALM
from scripts.console.problems import Problem
from scripts.console.users import Users

log = logging.getLogger(__name__)
# Modules whose views register themselves on the API blueprint (scripts/console/api.py).
VIEWS = (views_meta, views_reads, views_reports, views_log, views_sanctions)
PAGES_MODULE = "scripts.console.pages"


class LedgerJSON(DefaultJSONProvider):
    """JSON as the CLI's --json writes it: amounts as decimal strings, ISO 8601 instants."""

    ensure_ascii = False
    sort_keys = False
    default = staticmethod(json_value)


def create_app(settings: Settings, users: Users, *, secret_key: bytes | None = None) -> Flask:
    """The console over the ledger `settings` name, for the people in `users`.

    Without `secret_key` a new one is drawn: sessions then last until the console restarts."""
    app = Flask(__name__)
    app.json = LedgerJSON(app)
    app.config.update(
        SECRET_KEY=secret_key or secrets.token_bytes(32),
        SESSION_COOKIE_HTTPONLY=True,
        # Lax: a form on another site cannot post with the console's cookie.
        SESSION_COOKIE_SAMESITE="Lax",
        MAX_CONTENT_LENGTH=1 << 20,
    )
    app.extensions["claims_ledger_settings"] = settings
    app.extensions["claims_ledger_users"] = users
    app.register_blueprint(api_blueprint)
    pages = _pages_blueprint()
    if pages is not None:
        app.register_blueprint(pages)
    app.register_error_handler(Problem, _problem)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _failure)
    return app


def _pages_blueprint() -> Any:
    try:
        module = importlib.import_module(PAGES_MODULE)
    except ModuleNotFoundError as error:
        if error.name != PAGES_MODULE:
            raise
        return None
    return module.pages_blueprint


def _problem(problem: Problem) -> Response:
    reply = problems.response(problem)
    if problem.status == HTTPStatus.UNAUTHORIZED:
        reply.headers["WWW-Authenticate"] = REALM
    return reply


def _http_error(error: HTTPException) -> Response:
    status = HTTPStatus(error.code or 500)
    return _problem(Problem(status, error.description or status.description))


def _failure(error: Exception) -> Response:
    problem = problems.from_exception(error)
    if problem.status == HTTPStatus.INTERNAL_SERVER_ERROR:
        log.exception("console request failed")  # the defect's traceback goes to the log
    return _problem(problem)
