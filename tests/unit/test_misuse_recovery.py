"""Recovering misused money from an insured person (条例 art. 41): worked examples.

Given a person whose claim C-1 the fund paid 6325.00 (and another person's claim C-2), when the
office orders the person to return misused money, then the person owes it to the pooled fund,
returns it in parts, and every order or return beyond what the fund paid or what is owed is
refused with its reason.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.account import PersonAccount
from domain.claim import Claim
from domain.commands import ClaimAmount, OrderClawback, ReverseClaim
from domain.commands.misuse import OrderMisuseRecovery, RecoverMisuse
from domain.misuse import MisuseRecovery
from domain.postings import Posting
from domain.reasons import Reason
from domain.sanction import Sanction
from tests.domain_builders import LEVEL_3, d, designate, enroll, on, publish, sanction, settle
from tests.memory import InMemoryAggregates

FUND = "fund:430422:resident:pooled"
RECEIVABLE = "fund:430422:resident:misuse_receivable"
OWED = "person:P-1:misuse_due"
POCKET = "external:person:P-1"


@pytest.fixture
def ledger() -> InMemoryAggregates:
    """Given claim C-1 of P-1 paid 6325.00, and claim C-2 of P-2 paid 6325.00."""
    return InMemoryAggregates.given(
        publish(),
        designate(),
        enroll(),
        enroll("P-2"),
        settle(),
        settle("C-2", person_id="P-2"),
    )


def order(amount: str, *claims: tuple[str, str], **changes: Any) -> OrderMisuseRecovery:
    """An order against P-1, linked to (claim, amount) lines, or to none with a reason."""
    values: dict[str, Any] = {
        "recovery_id": "R-1",
        "region": "430422",
        "person_id": "P-1",
        "case_id": "CASE-41",
        "decision_document": "DOC-41",
        "decision_date": d("2020-04-15"),
        "violation": "card_lending",
        "detection_source": "tip_off",
        "amount": Decimal(amount),
        "lines": tuple(ClaimAmount(c, Decimal(a)) for c, a in claims),
        "no_claims_reason": None if claims else "card lent to a relative; claims not identified",
        "provenance": on("2019-05-03"),
    }
    values.update(changes)
    return OrderMisuseRecovery(**values)


def returned(amount: str, recovery_id: str = "R-1", person_id: str = "P-1") -> RecoverMisuse:
    return RecoverMisuse(recovery_id, person_id, Decimal(amount), on("2020-05-20"))


def test_an_order_makes_the_person_owe_the_pooled_fund_and_notes_the_claim(
    ledger: InMemoryAggregates,
) -> None:
    events = ledger.decide(order("2000.00", ("C-1", "2000.00")))
    assert [type(e) for e in events] == [
        MisuseRecovery.Ordered,
        Claim.MisuseNoted,
        PersonAccount.MisuseNoted,
    ]
    ordered = events[0]
    assert ordered.postings == (
        Posting(OWED, Decimal("-2000.00")),
        Posting(RECEIVABLE, Decimal("2000.00")),
    )
    assert ordered.decision_date == d("2020-04-15")
    assert ordered.provenance.occurred_at.year == 2019


def test_partial_returns_go_to_the_pooled_fund_until_nothing_is_owed(
    ledger: InMemoryAggregates,
) -> None:
    ledger.decide(order("2000.00", ("C-1", "2000.00")))
    [first] = ledger.decide(returned("1500.00"))
    assert isinstance(first, MisuseRecovery.Recovered)
    assert first.postings == (
        Posting(POCKET, Decimal("-1500.00")),
        Posting(FUND, Decimal("1500.00")),
        Posting(OWED, Decimal("1500.00")),
        Posting(RECEIVABLE, Decimal("-1500.00")),
    )
    assert sum(p.amount for p in first.postings) == 0
    assert ledger.rejection(returned("500.01")) == Reason.EXCEEDS_ORDERED
    [last] = ledger.decide(returned("500.00"))
    assert [(a.claim_id, a.amount) for a in last.allocations] == [("C-1", Decimal("500.00"))]
    assert ledger.rejection(returned("0.01")) == Reason.EXCEEDS_ORDERED


def test_a_return_above_the_order_is_refused(ledger: InMemoryAggregates) -> None:
    ledger.decide(order("2000.00", ("C-1", "2000.00")))
    assert ledger.rejection(returned("2000.01")) == Reason.EXCEEDS_ORDERED


def test_an_order_above_what_the_fund_paid_on_the_claim_is_refused(
    ledger: InMemoryAggregates,
) -> None:
    assert ledger.rejection(order("6325.01", ("C-1", "6325.01"))) == Reason.EXCEEDS_PAID
    ledger.decide(order("6325.00", ("C-1", "6325.00")))


def test_money_the_institution_was_ordered_back_cannot_be_ordered_from_the_person_too(
    ledger: InMemoryAggregates,
) -> None:
    ledger.decide(
        OrderClawback(
            "K-1", "430422", LEVEL_3, "CASE", "DOC", d("2020-04-15"), "phantom_bed",
            "flight_inspection", (ClaimAmount("C-1", Decimal("6000.00")),), on("2019-05-03"),
        )
    )  # fmt: skip
    assert ledger.rejection(order("325.01", ("C-1", "325.01"))) == Reason.EXCEEDS_PAID
    ledger.decide(order("325.00", ("C-1", "325.00")))


def test_a_claim_of_another_person_is_refused(ledger: InMemoryAggregates) -> None:
    assert ledger.rejection(order("100.00", ("C-2", "100.00"))) == Reason.CLAIM_NOT_OF_PERSON


def test_an_unknown_claim_or_person_is_refused(ledger: InMemoryAggregates) -> None:
    assert ledger.rejection(order("100.00", ("C-404", "100.00"))) == Reason.UNKNOWN_CLAIM
    assert ledger.rejection(order("100.00", person_id="P-404")) == Reason.UNKNOWN_REFERENCE


def test_a_reversed_claim_is_refused(ledger: InMemoryAggregates) -> None:
    ledger.decide(ReverseClaim("C-1", "P-1", "entered twice", on("2019-05-04")))
    assert ledger.rejection(order("100.00", ("C-1", "100.00"))) == Reason.ALREADY_REVERSED


def test_a_claim_with_a_misuse_order_is_not_reversed(ledger: InMemoryAggregates) -> None:
    ledger.decide(order("100.00", ("C-1", "100.00")))
    reversal = ReverseClaim("C-1", "P-1", "entered twice", on("2019-05-04"))
    assert ledger.rejection(reversal) == Reason.ALREADY_CORRECTED


def test_lines_that_do_not_sum_to_the_amount_are_out_of_range(
    ledger: InMemoryAggregates,
) -> None:
    assert ledger.rejection(order("100.00", ("C-1", "90.00"))) == Reason.OUT_OF_RANGE


def test_an_order_without_claims_is_bounded_by_what_the_fund_paid_for_the_person(
    ledger: InMemoryAggregates,
) -> None:
    [ordered, noted] = ledger.decide(order("6000.00"))
    assert isinstance(noted, PersonAccount.MisuseNoted)
    assert ordered.lines == ()
    assert ordered.no_claims_reason == "card lent to a relative; claims not identified"
    assert ordered.postings == (
        Posting(OWED, Decimal("-6000.00")),
        Posting(RECEIVABLE, Decimal("6000.00")),
    )
    # Only 325.00 of what the fund paid for P-1 was not ordered back already.
    assert ledger.rejection(order("325.01", recovery_id="R-2")) == Reason.EXCEEDS_PAID
    ledger.decide(order("325.00", recovery_id="R-2"))


def test_a_person_the_fund_never_paid_for_owes_nothing_it_could_recover() -> None:
    ledger = InMemoryAggregates.given(publish(), designate(), enroll())
    assert ledger.rejection(order("1.00")) == Reason.EXCEEDS_PAID


def test_a_decision_before_the_period_it_decides_on_is_refused(
    ledger: InMemoryAggregates,
) -> None:
    early = order("100.00", decision_date=d("2019-05-02"))
    assert ledger.rejection(early) == Reason.DATES_OUT_OF_ORDER


def test_the_same_order_again_is_a_no_op_and_other_content_a_conflict(
    ledger: InMemoryAggregates,
) -> None:
    ledger.decide(order("100.00", ("C-1", "100.00")))
    assert ledger.decide(order("100.00", ("C-1", "100.00"))) == []
    other = order("200.00", ("C-1", "200.00"))
    assert ledger.rejection(other) == Reason.CONFLICTING_DUPLICATE


def test_a_return_of_an_order_never_made_or_made_against_another_person_is_refused(
    ledger: InMemoryAggregates,
) -> None:
    assert ledger.rejection(returned("1.00", "R-404")) == Reason.UNKNOWN_RECOVERY
    ledger.decide(order("100.00", ("C-1", "100.00")))
    assert ledger.rejection(returned("1.00", person_id="P-2")) == Reason.UNKNOWN_RECOVERY


def test_the_fine_stays_a_separate_sanction_to_the_treasury(ledger: InMemoryAggregates) -> None:
    ledger.decide(order("2000.00", ("C-1", "2000.00")))
    [imposed] = ledger.decide(
        sanction(
            "F-41",
            target_kind="person",
            target_id="P-1",
            legal_basis="article_41",
            decided="2020-04-15",
            effective_from="2020-04-15",
            base_amount=Decimal("2000.00"),
            multiple=Decimal(2),
        )
    )
    assert isinstance(imposed, Sanction.Imposed)
    assert imposed.fine_amount == Decimal("4000.00")
    assert not getattr(imposed, "postings", ())  # the fine moves no fund money


@settings(max_examples=100, deadline=None, derandomize=True)
@given(
    lines=st.lists(st.integers(1, 300_000), min_size=0, max_size=3),
    returns=st.lists(st.integers(1, 700_000), max_size=6),
)
def test_returns_never_exceed_the_order_and_every_posting_balances(
    lines: list[int], returns: list[int]
) -> None:
    """Any order (in cents, linked to up to three claims or to none) and any returns: each
    accepted return is within what is owed, the postings sum to zero, and the person's debt
    plus what the funds got back is always the order."""
    claims = [settle(f"C-{n}", day=f"2019-05-0{n + 1}") for n in range(3)]
    ledger = InMemoryAggregates.given(publish(), designate(), enroll(), *claims)
    cents = [Decimal(c) / 100 for c in lines]
    total = sum(cents, Decimal(0)) if cents else Decimal("5000.00")
    linked = tuple((f"C-{n}", str(a)) for n, a in enumerate(cents))
    events = ledger.decide(order(str(total), *linked))
    owed, back = Decimal(0), Decimal(0)
    for event in events:
        owed -= sum((p.amount for p in getattr(event, "postings", ()) if p.account == OWED), 0)
    for amount in (Decimal(r) / 100 for r in returns):
        if amount > owed:
            assert ledger.rejection(returned(str(amount))) == Reason.EXCEEDS_ORDERED
            continue
        [event] = ledger.decide(returned(str(amount)))
        assert sum(p.amount for p in event.postings) == 0
        owed -= amount
        back += sum(p.amount for p in event.postings if p.account == FUND)
    assert owed + back == total
    assert owed >= 0
