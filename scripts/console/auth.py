"""Who is acting, on every request: a bearer token (programs) or the signed session cookie the
login form sets (pages). Both give the same `Identity`. Auditors read; inspectors also record.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from http import HTTPStatus
from typing import Any, TypeVar, cast

from flask import current_app, g, request, session

from scripts.console.problems import Problem
from scripts.console.users import Identity, Users

F = TypeVar("F", bound=Callable[..., Any])
SESSION_NAME = "user"
SESSION_ROLE = "role"
REALM = 'Bearer realm="claims-ledger"'


def users() -> Users:
    found: Users = current_app.extensions["claims_ledger_users"]
    return found


def request_identity() -> Identity | None:
    """The person behind this request, or None: a bearer token if one is sent (a wrong token
    is no identity, whatever the cookie says), else the session's login."""
    header = request.headers.get("Authorization")
    if header is not None:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        return users().authenticate(token.strip())
    name, role = session.get(SESSION_NAME), session.get(SESSION_ROLE)
    if isinstance(name, str) and isinstance(role, str):
        return users().current(name, role)
    return None


def log_in(name: str, token: str) -> Identity | None:
    """Check a login form's name and token; on success the session remembers the person."""
    identity = users().log_in(name, token)
    if identity is not None:
        session.clear()
        session[SESSION_NAME], session[SESSION_ROLE] = identity.name, identity.role
    return identity


def log_out() -> None:
    session.clear()


def _identify() -> Identity:
    identity = request_identity()
    if identity is None:
        raise Problem(
            HTTPStatus.UNAUTHORIZED,
            "no valid credentials: send `Authorization: Bearer TOKEN`"
            " (a token from `claims-ledger console-user add`) or log in at /login",
        )
    g.identity = identity
    return identity


def reader(view: F) -> F:
    """A view any known person may call (auditors and inspectors)."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        _identify()
        return view(*args, **kwargs)

    return cast(F, wrapped)


def inspector(view: F) -> F:
    """A view that records: inspectors only."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        identity = _identify()
        if not identity.can_record:
            raise Problem(
                HTTPStatus.FORBIDDEN,
                f"{identity.name} is an {identity.role}: only inspectors record sanctions",
            )
        return view(*args, **kwargs)

    return cast(F, wrapped)


def identity() -> Identity:
    """The person a `reader` or `inspector` view was called by."""
    found: Identity = g.identity
    return found
