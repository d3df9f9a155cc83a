"""The unit of work knows what a message looked up and added, so handlers return nothing; a
message's events come out aggregate by aggregate in the order it first looked each one up."""

from __future__ import annotations

from typing import Any

import pytest

from domain.account import PersonAccount
from infra.application.unit_of_work import UnitOfWork
from tests.domain_builders import PHARMACY, designate, enroll, on, publish, settle
from tests.memory import InMemoryAggregates


def names(events: list[Any]) -> list[str]:
    return [type(e).__qualname__ for e in events]


def test_a_first_settlement_records_the_claim_then_opens_and_charges_the_account() -> None:
    known = InMemoryAggregates.given(publish(), designate(), enroll())
    assert names(known.decide(settle())) == [
        "Claim.Settled",
        "PersonAccount.Opened",
        "PersonAccount.UsageCharged",
    ]


def test_a_later_settlement_still_records_the_claim_before_the_account() -> None:
    known = InMemoryAggregates.given(publish(), designate(), enroll(), settle("C-1"))
    assert names(known.decide(settle("C-2"))) == ["Claim.Settled", "PersonAccount.UsageCharged"]


def test_an_account_opened_by_a_rejected_settlement_is_dropped_with_it() -> None:
    known = InMemoryAggregates.given(
        publish("employee"), designate(PHARMACY, "none", "pharmacy"), enroll("E-9", "employee")
    )
    rejected = settle(
        person_id="E-9", institution=PHARMACY, claim_type="pharmacy", personal_account="10.00"
    )
    assert known.rejection(rejected).value == "insufficient_balance"
    assert known.account("E-9") is None
    assert known.claim("C-1") is None


def test_an_aggregate_added_under_an_id_never_looked_up_is_refused() -> None:
    work = UnitOfWork(load=lambda _aggregate_id: None)
    with pytest.raises(RuntimeError, match="without being looked up"):
        work.add(PersonAccount(person_id="P-1", provenance=on("2019-01-01")))


def test_an_aggregate_added_over_an_existing_one_is_refused() -> None:
    known = InMemoryAggregates.given(publish(), designate(), enroll(), settle())
    assert known.account("P-1") is not None
    with pytest.raises(RuntimeError, match="exists already"):
        known.add(PersonAccount(person_id="P-1", provenance=on("2019-06-01")))


def test_the_events_of_a_message_are_collected_once() -> None:
    known = InMemoryAggregates.given(publish(), designate(), enroll())
    known.decide(settle())
    assert known.collect_new_events() == []
