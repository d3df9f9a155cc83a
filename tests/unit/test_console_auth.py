"""Who may use the console: a token from the users file or a session of a login; auditors read,
inspectors also record. In memory: the app without a store (the views that read it are tested
in tests/integration/test_console_api.py)."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from infra.settings import Settings
from scripts.console import auth
from scripts.console.app import create_app
from scripts.console.users import Users, UsersFileError, token_hash


@pytest.fixture
def users(tmp_path: Path) -> Users:
    return Users(tmp_path / "users.json")


@pytest.fixture
def app(users: Users, tmp_path: Path) -> Flask:
    return create_app(
        Settings(database_url=None, kafka_bootstrap_servers=None, home=tmp_path), users
    )


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_request_without_credentials_is_refused_with_a_problem(client: FlaskClient) -> None:
    reply = client.get("/api/v1/me")
    assert reply.status_code == 401
    assert reply.mimetype == "application/problem+json"
    assert reply.headers["WWW-Authenticate"].startswith("Bearer")
    assert reply.json is not None
    assert reply.json["status"] == 401
    assert "console-user add" in reply.json["detail"]


@pytest.mark.parametrize(
    "header", ["Bearer nope", "Basic bGk6eA==", "Bearer", "Bearer \x7f", "bearer  "]
)
def test_a_wrong_or_malformed_token_is_refused(
    client: FlaskClient, users: Users, header: str
) -> None:
    users.add("li", "auditor")
    assert client.get("/api/v1/me", headers={"Authorization": header}).status_code == 401


def test_a_token_names_its_holder_and_role(client: FlaskClient, users: Users) -> None:
    token = users.add("张三", "inspector")
    reply = client.get("/api/v1/me", headers=bearer(token))
    assert reply.status_code == 200
    assert reply.json == {
        "name": "张三",
        "role": "inspector",
        "can_record": True,
        "recorded_by": "inspector:张三",
    }


def test_the_file_keeps_no_token_only_its_hash(users: Users) -> None:
    token = users.add("li", "auditor")
    text = users.path.read_text()
    assert token not in text
    assert token_hash(token) in text
    assert users.path.stat().st_mode & 0o077 == 0  # the owner's alone


def test_a_new_token_replaces_the_old_one(client: FlaskClient, users: Users) -> None:
    old = users.add("li", "auditor")
    new = users.add("li", "auditor")
    assert client.get("/api/v1/me", headers=bearer(old)).status_code == 401
    assert client.get("/api/v1/me", headers=bearer(new)).status_code == 200


def test_a_login_gives_the_same_identity_as_the_token(app: Flask, users: Users) -> None:
    token = users.add("li", "auditor")
    client = app.test_client()
    with app.test_request_context():
        assert auth.log_in("li", "wrong") is None
        assert auth.log_in("wang", token) is None  # the token is li's, not wang's
    with client.session_transaction() as session:
        session[auth.SESSION_NAME], session[auth.SESSION_ROLE] = "li", "auditor"
    by_cookie = client.get("/api/v1/me")
    by_token = app.test_client().get("/api/v1/me", headers=bearer(token))
    assert by_cookie.status_code == by_token.status_code == 200
    assert by_cookie.json == by_token.json


def test_a_removed_user_loses_their_session(app: Flask, users: Users) -> None:
    users.add("li", "auditor")
    client = app.test_client()
    with client.session_transaction() as session:
        session[auth.SESSION_NAME], session[auth.SESSION_ROLE] = "li", "auditor"
    assert client.get("/api/v1/me").status_code == 200
    assert users.remove("li")
    assert client.get("/api/v1/me").status_code == 401


def test_a_wrong_token_is_no_identity_whatever_the_cookie_says(app: Flask, users: Users) -> None:
    users.add("li", "auditor")
    client = app.test_client()
    with client.session_transaction() as session:
        session[auth.SESSION_NAME], session[auth.SESSION_ROLE] = "li", "auditor"
    assert client.get("/api/v1/me", headers=bearer("forged")).status_code == 401


def test_a_forged_cookie_is_no_login(app: Flask, users: Users) -> None:
    users.add("li", "auditor")
    other = create_app(Settings(database_url=None, kafka_bootstrap_servers=None), users)
    client = other.test_client()  # signed with another secret
    with client.session_transaction() as session:
        session[auth.SESSION_NAME], session[auth.SESSION_ROLE] = "li", "auditor"
    cookie = client.get_cookie("session")
    assert cookie is not None
    victim = app.test_client()
    victim.set_cookie("session", cookie.value)
    assert victim.get("/api/v1/me").status_code == 401


@pytest.mark.parametrize("name", ["", "a b", "x:y", "\x00", "a" * 65, "\u2028"])
def test_a_name_that_cannot_be_recorded_is_refused(users: Users, name: str) -> None:
    with pytest.raises(UsersFileError, match="cannot be a user name"):
        users.add(name, "auditor")


def test_an_unreadable_users_file_is_named(users: Users) -> None:
    users.path.write_text(json.dumps({"users": [{"name": "li"}]}))
    with pytest.raises(UsersFileError, match=str(users.path)):
        users.names()


def test_an_unknown_path_is_a_problem_not_a_page(client: FlaskClient) -> None:
    reply = client.get("/api/v1/nothing")
    assert reply.status_code == 404
    assert reply.mimetype == "application/problem+json"


def test_a_store_that_cannot_be_reached_is_a_503_problem_not_a_traceback(
    users: Users, tmp_path: Path
) -> None:
    with socket.socket() as s:  # a loopback port nothing listens on: refused at once
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    down = Settings(
        database_url=f"postgresql://ledger@127.0.0.1:{port}/ledger",
        kafka_bootstrap_servers=None,
        home=tmp_path,
    )
    token = users.add("li", "auditor")
    reply = create_app(down, users).test_client().get("/api/v1/digest", headers=bearer(token))
    assert reply.status_code == 503
    assert reply.mimetype == "application/problem+json"
    assert reply.json is not None
    assert reply.json["detail"].startswith("cannot use PostgreSQL (LEDGER_DATABASE_URL)")
