"""Sanctions: article ranges, windows visible to settlement, fines to the treasury, appeals."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from domain.claim import Claim
from domain.commands import DecideAppeal, FileAppeal, LiftSanction, PayFine
from domain.institution import Institution
from domain.postings import Posting
from domain.reasons import Reason
from domain.sanction import Sanction
from tests.domain_builders import LEVEL_3, d, designate, enroll, on, publish, sanction, settle
from tests.memory import InMemoryAggregates


@pytest.fixture
def ledger() -> InMemoryAggregates:
    """Given the default policy, a level-3 hospital and an enrolled person."""
    return InMemoryAggregates.given(publish(), designate(), enroll())


def outcome_on(ledger: InMemoryAggregates, claim_id: str, day: str) -> tuple[str, str | None]:
    [event] = [e for e in ledger.decide(settle(claim_id, day=day)) if isinstance(e, Claim.Settled)]
    return event.outcome, event.refusal_reason


def suspension(**changes: Any) -> Any:
    values: dict[str, Any] = {
        "kind": "settlement_suspension",
        "effective_from": "2019-06-01",
        "effective_to": "2019-11-30",
    }
    values.update(changes)
    return sanction(**values)


@pytest.mark.parametrize(
    ("basis", "multiple", "target_kind", "target_id"),
    [
        ("article_38", "0.5", "institution", LEVEL_3),
        ("article_38", "2.5", "institution", LEVEL_3),
        ("article_40", "1.5", "institution", LEVEL_3),
        ("article_40", "6", "institution", LEVEL_3),
        ("article_41", "1", "person", "P-1"),
    ],
)
def test_a_fine_multiple_outside_its_article_range_is_out_of_range(
    ledger: InMemoryAggregates, basis: str, multiple: str, target_kind: str, target_id: str
) -> None:
    command = sanction(
        legal_basis=basis,
        target_kind=target_kind,
        target_id=target_id,
        base_amount=Decimal(1000),
        multiple=Decimal(multiple),
    )
    assert ledger.rejection(command) is Reason.OUT_OF_RANGE


def test_a_fine_within_range_is_multiple_times_base(ledger: InMemoryAggregates) -> None:
    events = ledger.decide(
        sanction(legal_basis="article_40", base_amount=Decimal("5525.00"), multiple=Decimal(2))
    )
    [imposed] = events
    assert isinstance(imposed, Sanction.Imposed)
    assert imposed.fine_amount == Decimal("11050.00")


@pytest.mark.parametrize(
    ("amount", "ok"), [("9999.99", False), ("10000", True), ("50000", True), ("50000.01", False)]
)
def test_an_article_39_fine_lies_between_10000_and_50000(
    ledger: InMemoryAggregates, amount: str, ok: bool
) -> None:
    command = sanction(legal_basis="article_39", fine_amount=Decimal(amount))
    if ok:
        assert ledger.decide(command)
    else:
        assert ledger.rejection(command) is Reason.OUT_OF_RANGE


def test_a_paid_fine_goes_to_the_treasury_never_the_fund(ledger: InMemoryAggregates) -> None:
    ledger.decide(sanction(base_amount=Decimal(1000), multiple=Decimal(2)))
    [paid] = ledger.decide(PayFine("S-1", LEVEL_3, Decimal(1500), "R-1", on("2019-06-10")))
    assert isinstance(paid, Sanction.FinePaid)
    assert paid.postings == (
        Posting(f"external:institution:{LEVEL_3}", Decimal(-1500)),
        Posting("treasury:430422:fines", Decimal(1500)),
    )
    over = PayFine("S-1", LEVEL_3, Decimal("500.01"), "R-2", on("2019-06-11"))
    assert ledger.rejection(over) is Reason.EXCEEDS_DUE


def test_paying_a_sanction_that_is_not_a_fine_is_refused(ledger: InMemoryAggregates) -> None:
    ledger.decide(sanction(kind="interview"))
    assert ledger.rejection(PayFine("S-1", LEVEL_3, Decimal(1), "R", on("2019-06-10"))) is (
        Reason.NOT_A_FINE
    )


def test_a_sanction_for_an_unknown_target_is_rejected(ledger: InMemoryAggregates) -> None:
    command = sanction(kind="interview", target_id="H43042299999")
    assert ledger.rejection(command) is Reason.UNKNOWN_TARGET


def test_a_window_ending_before_it_starts_is_dates_out_of_order(
    ledger: InMemoryAggregates,
) -> None:
    command = suspension(effective_from="2019-06-01", effective_to="2019-05-31")
    assert ledger.rejection(command) is Reason.DATES_OUT_OF_ORDER


@pytest.mark.parametrize(
    ("last_day", "ok"),
    [("2019-11-29", False), ("2019-11-30", True), ("2020-05-31", True), ("2020-06-01", False)],
)
def test_an_article_38_suspension_lasts_6_to_12_months(
    ledger: InMemoryAggregates, last_day: str, ok: bool
) -> None:
    command = suspension(effective_to=last_day)
    if ok:
        assert ledger.decide(command)
    else:
        assert ledger.rejection(command) is Reason.OUT_OF_RANGE


def test_a_settlement_inside_a_suspension_is_refused_and_the_day_after_is_paid(
    ledger: InMemoryAggregates,
) -> None:
    events = ledger.decide(suspension())
    assert [type(e) for e in events] == [Sanction.Imposed, Institution.SettlementSuspended]
    assert outcome_on(ledger, "C-0", "2019-05-31") == ("paid", None)
    assert outcome_on(ledger, "C-1", "2019-06-01") == ("refused", "institution_suspended")
    assert outcome_on(ledger, "C-2", "2019-11-30") == ("refused", "institution_suspended")
    assert outcome_on(ledger, "C-3", "2019-12-01") == ("paid", None)


def test_a_terminated_agreement_refuses_every_later_settlement(ledger: InMemoryAggregates) -> None:
    ledger.decide(sanction(kind="agreement_termination", legal_basis="article_40"))
    assert outcome_on(ledger, "C-1", "2020-06-01") == ("refused", "agreement_terminated")


def test_a_networked_settlement_suspension_refuses_the_persons_claims(
    ledger: InMemoryAggregates,
) -> None:
    ledger.decide(
        sanction(
            kind="networked_settlement_suspension",
            target_kind="person",
            target_id="P-1",
            legal_basis="article_41",
            effective_to="2019-08-31",
        )
    )
    assert outcome_on(ledger, "C-1", "2019-07-01") == ("refused", "networked_settlement_suspended")
    assert outcome_on(ledger, "C-2", "2019-09-01") == ("paid", None)


def test_lifting_a_suspension_ends_it_the_day_before(ledger: InMemoryAggregates) -> None:
    ledger.decide(suspension())
    ledger.decide(LiftSanction("S-1", LEVEL_3, "rectified", on("2019-09-01")))
    assert outcome_on(ledger, "C-1", "2019-08-31") == ("refused", "institution_suspended")
    assert outcome_on(ledger, "C-2", "2019-09-01") == ("paid", None)
    again = LiftSanction("S-1", LEVEL_3, "again", on("2019-09-02"))
    assert ledger.rejection(again) is Reason.NOT_IN_FORCE


def appeal(outcome: str, decided: str, **changes: Any) -> DecideAppeal:
    values: dict[str, Any] = {
        "multiple": None,
        "fine_amount": None,
        "effective_to": None,
        "points": None,
    }
    values.update(changes)
    return DecideAppeal(
        "S-1", LEVEL_3, outcome, "APPEAL-DOC", d(decided), provenance=on(decided), **values
    )


def test_a_revoked_suspension_ends_at_the_appeal_decision_without_erasing_history(
    ledger: InMemoryAggregates,
) -> None:
    ledger.decide(suspension())
    ledger.decide(FileAppeal("S-1", LEVEL_3, "A-1", on("2019-06-05")))
    events = ledger.decide(appeal("revoked", "2019-07-15"))
    assert [type(e) for e in events] == [Sanction.AppealDecided, Institution.RestrictionCut]
    assert outcome_on(ledger, "C-1", "2019-07-14") == ("refused", "institution_suspended")
    assert outcome_on(ledger, "C-2", "2019-07-15") == ("paid", None)


def test_a_reduced_fine_is_due_from_then_on(ledger: InMemoryAggregates) -> None:
    ledger.decide(
        sanction(legal_basis="article_40", base_amount=Decimal(1000), multiple=Decimal(4))
    )
    ledger.decide(FileAppeal("S-1", LEVEL_3, "A-1", on("2019-06-03")))
    [decided] = ledger.decide(appeal("reduced", "2019-07-01", multiple=Decimal(2)))
    assert isinstance(decided, Sanction.AppealDecided)
    assert decided.fine_amount == Decimal("2000.00")


def test_a_reduction_that_does_not_reduce_is_out_of_range(ledger: InMemoryAggregates) -> None:
    ledger.decide(
        sanction(legal_basis="article_40", base_amount=Decimal(1000), multiple=Decimal(2))
    )
    ledger.decide(FileAppeal("S-1", LEVEL_3, "A-1", on("2019-06-03")))
    assert ledger.rejection(appeal("reduced", "2019-07-01", multiple=Decimal(3))) is (
        Reason.OUT_OF_RANGE
    )


def test_an_appeal_after_ten_working_days_is_out_of_time(ledger: InMemoryAggregates) -> None:
    ledger.decide(sanction(kind="interview"))  # decided Saturday 2019-06-01
    assert ledger.decide(FileAppeal("S-1", LEVEL_3, "A-1", on("2019-06-14")))
    ledger.decide(sanction("S-2", kind="interview"))
    late = FileAppeal("S-2", LEVEL_3, "A-2", on("2019-06-15"))
    late_monday = FileAppeal("S-2", LEVEL_3, "A-2", on("2019-06-17"))
    assert ledger.decide(late)  # Saturday 15th: still 10 working days
    assert ledger.rejection(late_monday) is Reason.ALREADY_APPEALED
    ledger.decide(sanction("S-3", kind="interview"))
    assert ledger.rejection(FileAppeal("S-3", LEVEL_3, "A-3", on("2019-06-17"))) is (
        Reason.APPEAL_OUT_OF_TIME
    )


def test_deciding_without_a_pending_appeal_is_refused(ledger: InMemoryAggregates) -> None:
    ledger.decide(sanction(kind="interview"))
    assert ledger.rejection(appeal("upheld", "2019-07-01")) is Reason.NO_PENDING_APPEAL


def test_an_unknown_sanction_is_refused(ledger: InMemoryAggregates) -> None:
    assert ledger.rejection(FileAppeal("S-9", LEVEL_3, "A", on("2019-06-03"))) is (
        Reason.UNKNOWN_SANCTION
    )


def test_a_kind_that_does_not_fit_its_target_is_schema_invalid(ledger: InMemoryAggregates) -> None:
    command = sanction(
        kind="doctor_points", legal_basis="doctor_points", points=3, suspension_months=1
    )
    assert ledger.rejection(command) is Reason.SCHEMA_INVALID


def test_an_upheld_appeal_changes_no_effect(ledger: InMemoryAggregates) -> None:
    ledger.decide(suspension())
    ledger.decide(FileAppeal("S-1", LEVEL_3, "A-1", on("2019-06-05")))
    events = ledger.decide(appeal("upheld", "2019-07-15"))
    assert [type(e) for e in events] == [Sanction.AppealDecided]
    assert outcome_on(ledger, "C-1", "2019-11-30") == ("refused", "institution_suspended")


def test_a_reduced_suspension_ends_on_its_new_last_day(ledger: InMemoryAggregates) -> None:
    ledger.decide(suspension())
    ledger.decide(FileAppeal("S-1", LEVEL_3, "A-1", on("2019-06-05")))
    ledger.decide(appeal("reduced", "2019-07-15", effective_to=d("2019-08-31")))
    assert outcome_on(ledger, "C-1", "2019-08-31") == ("refused", "institution_suspended")
    assert outcome_on(ledger, "C-2", "2019-09-01") == ("paid", None)


def test_a_revoked_fine_is_due_only_as_far_as_it_was_paid(ledger: InMemoryAggregates) -> None:
    ledger.decide(sanction(base_amount=Decimal(1000), multiple=Decimal(2)))
    ledger.decide(PayFine("S-1", LEVEL_3, Decimal(500), "R-1", on("2019-06-03")))
    ledger.decide(FileAppeal("S-1", LEVEL_3, "A-1", on("2019-06-04")))
    [decided] = ledger.decide(appeal("revoked", "2019-07-01"))
    assert isinstance(decided, Sanction.AppealDecided)
    assert decided.fine_amount == Decimal(500)
    more = PayFine("S-1", LEVEL_3, Decimal("0.01"), "R-2", on("2019-07-02"))
    assert ledger.rejection(more) is Reason.EXCEEDS_DUE
