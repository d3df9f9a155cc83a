"""The console's pages without a store: who gets in, where the login sends them back to, and the
rule sheet the sanction form shows, checked against the domain's own checks."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from domain.reasons import Rejected
from domain.sanction_rules import TargetKind, check_fits, check_multiple
from infra.settings import Settings
from scripts.cli.sanctions import BASES
from scripts.console.app import create_app
from scripts.console.rule_sheet import rule_sheet
from scripts.console.users import Users

PAGES = ["/", "/institution/H43042200001", "/history/claim:JS-1", "/statement", "/diff"]
PAGES += ["/rejected", "/held", "/audit", "/sanction", "/sanction/rules.json"]


@pytest.fixture
def users(tmp_path: Path) -> Users:
    return Users(tmp_path / "users.json")


@pytest.fixture
def client(users: Users, tmp_path: Path) -> FlaskClient:
    settings = Settings(database_url=None, kafka_bootstrap_servers=None, home=tmp_path)
    return create_app(settings, users).test_client()


def log_in(client: FlaskClient, name: str, token: str, next_: str = "") -> str:
    reply = client.post("/login", data={"name": name, "token": token, "next": next_})
    assert reply.status_code == 302, reply.text
    return reply.headers["Location"]


@pytest.mark.parametrize("page", PAGES)
def test_a_page_sends_who_has_not_logged_in_to_the_login_form(
    client: FlaskClient, page: str
) -> None:
    reply = client.get(page)
    assert reply.status_code == 302
    assert reply.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("name", ["zhang", "<script>alert(1)</script>", "张三\u200b"])
def test_a_wrong_token_is_refused_naming_the_name_typed(
    client: FlaskClient, users: Users, name: str
) -> None:
    users.add("zhang", "inspector")
    reply = client.post("/login", data={"name": name, "token": "nope"})
    assert reply.status_code == 401
    assert "不符" in reply.text
    assert "<script>alert" not in reply.text  # shown as text, never as markup
    assert client.get("/").status_code == 302


@pytest.mark.parametrize(
    ("next_", "lands"),
    [
        ("/institution/H1?as_of=2019-03-31", "/institution/H1?as_of=2019-03-31"),
        ("//elsewhere.example/steal", "/"),
        ("https://elsewhere.example/", "/"),
        ("", "/"),
    ],
)
def test_the_login_returns_only_to_a_page_of_the_console(
    client: FlaskClient, users: Users, next_: str, lands: str
) -> None:
    token = users.add("li", "auditor")
    assert log_in(client, "li", token, next_) == lands


def test_every_page_opens_after_logging_in(client: FlaskClient, users: Users) -> None:
    log_in(client, "li", users.add("li", "auditor"))
    for page in PAGES:
        reply = client.get(page)
        assert reply.status_code == 200, page
    assert 'id="cannot-record"' in client.get("/sanction").text  # an auditor cannot send it


def test_the_rule_sheet_says_what_the_domain_accepts() -> None:
    sheet = rule_sheet()
    assert sheet["bases"] == list(BASES)
    for kind, rules in sheet["kinds"].items():
        for target in TargetKind:
            for basis in rules["bases"]:
                spelled = f"article_{basis}" if basis.isdigit() else basis
                fits = target.value in rules["targets"] and (
                    kind != "fine" or sheet["fine_target"][basis] == target.value
                )
                try:
                    check_fits(kind, target.value, spelled)
                except Rejected:
                    assert not fits, (kind, target, basis)
                else:
                    assert fits, (kind, target, basis)
    for basis, (low, high) in sheet["multiple_range"].items():
        check_multiple(f"article_{basis}", Decimal(low))
        check_multiple(f"article_{basis}", Decimal(high))
        with pytest.raises(Rejected):
            check_multiple(f"article_{basis}", Decimal(high) + Decimal("0.01"))


@pytest.mark.parametrize(
    "code", ["<img src=x onerror=alert(1)>", "H43042200001\u202e", "张三'\"<b>"]
)
def test_a_hostile_address_is_shown_as_text(client: FlaskClient, users: Users, code: str) -> None:
    log_in(client, "li", users.add("li", "auditor"))
    reply = client.get(f"/institution/{code}")
    assert reply.status_code == 200
    assert "<img src=x" not in reply.text
    assert "<b>" not in reply.text
