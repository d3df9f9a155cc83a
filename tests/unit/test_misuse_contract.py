"""The wire contract of misuse recoveries from persons: what decodes, each bad input's reason."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from consumers.contract import MESSAGE_TYPES, decode
from domain.commands import ClaimAmount
from domain.commands.misuse import OrderMisuseRecovery, RecoverMisuse
from domain.reasons import Reason
from infra.application.inbound import Decoded
from tests.examples import documented
from tests.messages import RECORDED_AT, coordinates, encode
from tests.unit.test_contract_payloads import decoded, reason

CLAIM = "JS-H43042200011-2019-000123"


def test_an_order_linked_to_claims_decodes_into_its_command() -> None:
    outcome = decoded("MisuseRecoveryOrdered")
    assert isinstance(outcome, Decoded)
    command = outcome.command
    assert isinstance(command, OrderMisuseRecovery)
    assert command.lines == (ClaimAmount(CLAIM, Decimal("2000.00")),)
    assert (command.amount, command.no_claims_reason, command.region) == (
        Decimal("2000.00"),
        None,
        "430422",
    )


def test_an_order_without_claims_states_why() -> None:
    outcome = decoded("MisuseRecoveryOrdered", lines=[], no_claims_reason="药品倒卖 处方未留存")
    assert isinstance(outcome, Decoded)
    assert isinstance(outcome.command, OrderMisuseRecovery)
    assert outcome.command.lines == ()
    assert outcome.command.no_claims_reason == "药品倒卖 处方未留存"
    document = documented("MisuseRecoveryOrdered", no_claims_reason="not known")
    del document["payload"]["lines"]  # lines may be left out: none named
    suffix = MESSAGE_TYPES["MisuseRecoveryOrdered"].topic_suffix
    assert isinstance(decode(encode(document), coordinates(suffix), suffix, RECORDED_AT), Decoded)


@pytest.mark.parametrize(
    "changes",
    [
        {"lines": [], "no_claims_reason": None},
        {"no_claims_reason": "claims are named, yet a reason is given"},
        {"lines": [{"claim_id": CLAIM, "amount": "1.00"}, {"claim_id": CLAIM, "amount": "1.00"}]},
        {"lines": [{"claim_id": f"C-{n}", "amount": "1.00"} for n in range(1001)]},
        {"person_id": "张三"},
        {"institution": "H43042200011"},
        {"no_claims_reason": ""},
    ],
    ids=["no-claims-no-reason", "claims-and-reason", "claim-twice", "1001-lines", "name-as-id",
         "institution-field", "empty-reason"],
)  # fmt: skip
def test_a_malformed_order_is_schema_invalid(changes: dict[str, Any]) -> None:
    assert reason("MisuseRecoveryOrdered", **changes) is Reason.SCHEMA_INVALID


@pytest.mark.parametrize("amount", ["0.00", "-5", 5, "1e3", "12.345"], ids=repr)
def test_an_amount_that_is_not_positive_plain_decimal_is_invalid_amount(amount: Any) -> None:
    assert reason("MisuseRecoveryOrdered", amount=amount) is Reason.INVALID_AMOUNT
    assert reason("MisuseRecovered", amount=amount) is Reason.INVALID_AMOUNT


def test_a_return_decodes_into_its_command() -> None:
    outcome = decoded("MisuseRecovered")
    assert isinstance(outcome, Decoded)
    assert isinstance(outcome.command, RecoverMisuse)
    assert outcome.command.amount == Decimal("1500.00")
