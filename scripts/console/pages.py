"""The console's pages: HTML shells whose script reads the JSON API (/api/v1) with the login's
cookie, so every figure on a page is what the API, and so the CLI, answers. The pages add only
the login form and the sanction rule sheet; nothing here reads or writes the store."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from flask import Blueprint, jsonify, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from scripts.console import auth
from scripts.console.rule_sheet import rule_sheet

F = TypeVar("F", bound=Callable[..., Any])
pages_blueprint = Blueprint("pages", __name__)
DEFAULT_REGION = "430422"  # the demo's county, as `claims-ledger demo` defaults it
DEFAULT_YEAR = 2019


def logged_in(view: F) -> F:
    """A page for anyone logged in; others are sent to the login form and brought back."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        person = auth.request_identity()
        if person is None:
            return redirect(url_for("pages.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return cast(F, wrapped)


def _page(template: str, **context: Any) -> str:
    return render_template(template, me=auth.request_identity(), **context)


def _local(target: str | None) -> str:
    """Where to go after logging in: a path of this console only, never another site."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return url_for("pages.overview")
    parts = urlsplit(target)
    return parts.path + (f"?{parts.query}" if parts.query else "")


@pages_blueprint.get("/login")
def login() -> str:
    return render_template("login.html", next=request.args.get("next", ""), error=None, name="")


@pages_blueprint.post("/login")
def login_sent() -> Response | tuple[str, int]:
    name = request.form.get("name", "").strip()
    if auth.log_in(name, request.form.get("token", "").strip()) is None:
        error = f"用户 {name!r} 与令牌不符 (name and token do not match a console user)"
        again = request.form.get("next", "")
        return render_template("login.html", next=again, error=error, name=name), 401
    return redirect(_local(request.form.get("next")))


@pages_blueprint.post("/logout")
def logout() -> Response:
    auth.log_out()
    return redirect(url_for("pages.login"))


@pages_blueprint.get("/")
@logged_in
def overview() -> str:
    return _page("overview.html", region=DEFAULT_REGION, year=DEFAULT_YEAR)


@pages_blueprint.get("/institution/<code>")
@logged_in
def institution(code: str) -> str:
    return _page("institution.html", code=code, year=DEFAULT_YEAR)


@pages_blueprint.get("/history/<path:entity>")
@logged_in
def history(entity: str) -> str:
    return _page("history.html", entity=entity)


@pages_blueprint.get("/statement")
@logged_in
def statement() -> str:
    return _page("statement.html")


@pages_blueprint.get("/diff")
@logged_in
def diff() -> str:
    return _page("diff.html")


@pages_blueprint.get("/rejected")
@logged_in
def rejected() -> str:
    return _page("rejected.html")


@pages_blueprint.get("/held")
@logged_in
def held() -> str:
    return _page("held.html")


@pages_blueprint.get("/audit")
@logged_in
def audit() -> str:
    return _page("audit.html")


@pages_blueprint.get("/sanction")
@logged_in
def sanction() -> str:
    return _page("sanction.html")


@pages_blueprint.get("/sanction/rules.json")
@logged_in
def sanction_rules() -> Response:
    return jsonify(rule_sheet())
