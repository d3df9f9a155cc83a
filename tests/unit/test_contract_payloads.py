"""Hostile payloads of the new message types: each bad input class gets its own reason."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from consumers.contract import MESSAGE_TYPES, decode
from domain.commands import ClaimAmount, OrderClawback, PublishPolicy, SettleClaim
from domain.reasons import Reason
from infra.application.inbound import Decoded, Undecodable
from tests.examples import documented
from tests.messages import RECORDED_AT, coordinates, encode


def decoded(type_name: str, **payload_changes: Any) -> Decoded | Undecodable:
    document = documented(type_name, **payload_changes)
    suffix = MESSAGE_TYPES[type_name].topic_suffix
    return decode(encode(document), coordinates(suffix), suffix, RECORDED_AT)


def reason(type_name: str, **payload_changes: Any) -> Reason:
    outcome = decoded(type_name, **payload_changes)
    assert isinstance(outcome, Undecodable), outcome
    return outcome.reason


@pytest.mark.parametrize(
    "amount",
    [12000.0, 12000, "1e3", "-5", "+5", "1,000", " 5", "NaN", "Infinity", "12.345", ""],
    ids=repr,
)
def test_an_amount_that_is_not_a_plain_decimal_string_is_invalid_amount(amount: Any) -> None:
    assert reason("ClaimSettled", total_cost=amount) is Reason.INVALID_AMOUNT


def test_a_missing_amount_is_schema_invalid() -> None:
    assert reason("ClaimSettled", total_cost=None) is Reason.SCHEMA_INVALID


def test_a_zero_where_a_positive_amount_is_needed_is_invalid_amount() -> None:
    assert reason("ClawbackRecovered", amount="0") is Reason.INVALID_AMOUNT
    assert reason("FinePaid", amount="0.00") is Reason.INVALID_AMOUNT


def test_an_amount_inside_a_clawback_line_is_checked_too() -> None:
    assert reason("ClawbackOrdered", lines=[{"claim_id": "C-1", "amount": "1e3"}]) is (
        Reason.INVALID_AMOUNT
    )


def test_amounts_become_exact_decimals_in_cents() -> None:
    outcome = decoded("ClaimSettled", total_cost="13500", in_policy_cost="12000.5")
    assert isinstance(outcome, Decoded)
    assert isinstance(outcome.command, SettleClaim)
    assert (outcome.command.total_cost, outcome.command.in_policy_cost) == (
        Decimal("13500.00"),
        Decimal("12000.50"),
    )
    assert outcome.command.region == "430422"


def test_clawback_lines_become_claim_amounts() -> None:
    outcome = decoded("ClawbackOrdered")
    assert isinstance(outcome, Decoded)
    assert isinstance(outcome.command, OrderClawback)
    assert outcome.command.lines == (
        ClaimAmount("JS-H43042200011-2019-000123", Decimal("5525.00")),
    )


def test_a_clawback_naming_a_claim_twice_is_schema_invalid() -> None:
    line = {"claim_id": "C-1", "amount": "1.00"}
    assert reason("ClawbackOrdered", lines=[line, line]) is Reason.SCHEMA_INVALID


def test_a_policy_becomes_terms_with_every_level() -> None:
    outcome = decoded("PolicyPublished")
    assert isinstance(outcome, Decoded)
    assert isinstance(outcome.command, PublishPolicy)
    assert outcome.command.terms.deductible["3"] == Decimal("500.00")
    assert outcome.command.terms.ratio["3"] == Decimal("0.55")


@pytest.mark.parametrize(
    "change",
    [
        {"deductible": {"1": "100.00"}},
        {"ratio": {"community": "0.65", "1": "0.65", "2": "0.6", "3": "1.5", "none": "0"}},
        {"outpatient_ratio": 0.5},
        {"deposit_rate": "10%"},
    ],
    ids=["missing-levels", "ratio-above-one", "ratio-as-number", "percent"],
)
def test_a_malformed_policy_is_schema_invalid(change: dict[str, Any]) -> None:
    assert reason("PolicyPublished", **change) is Reason.SCHEMA_INVALID


@pytest.mark.parametrize(
    ("type_name", "change"),
    [
        ("SanctionImposed", {"points": "3"}),
        ("SanctionImposed", {"kind": "flogging"}),
        ("SanctionImposed", {"decision_date": "2020-13-01"}),
        ("SanctionImposed", {"multiple": 2}),
        ("SanctionImposed", {"unexpected": True}),
        ("ClaimSettled", {"claim_type": "dental"}),
        ("ContributionPaid", {"year": "2019"}),
        ("DisbursementMade", {"period": "2019-13"}),
        ("DoctorRegistered", {"institutions": []}),
        ("AppealDecided", {"outcome": "maybe"}),
    ],
)
def test_malformed_fields_are_schema_invalid(type_name: str, change: dict[str, Any]) -> None:
    assert reason(type_name, **change) is Reason.SCHEMA_INVALID


def test_a_claim_on_the_sanctions_topic_is_wrong_topic() -> None:
    raw = encode(documented("ClaimSettled"))
    outcome = decode(raw, coordinates("sanctions"), "sanctions", RECORDED_AT)
    assert isinstance(outcome, Undecodable)
    assert outcome.reason is Reason.WRONG_TOPIC
