"""Doctor points: per calendar year; 9 suspends and 12 terminates, as the doctor's own events."""

from __future__ import annotations

from typing import Any

import pytest

from domain.claim import Claim
from domain.commands import DecideAppeal, FileAppeal
from domain.doctor import Doctor
from domain.sanction import Sanction
from tests.domain_builders import (
    DOCTOR,
    d,
    designate,
    enroll,
    on,
    publish,
    register_doctor,
    sanction,
    settle,
)
from tests.memory import InMemoryAggregates


@pytest.fixture
def ledger() -> InMemoryAggregates:
    """Given the default policy, a hospital, a registered doctor and an enrolled person."""
    return InMemoryAggregates.given(publish(), designate(), register_doctor(), enroll())


def points(sanction_id: str, value: int, day: str, months: int = 2) -> Any:
    return sanction(
        sanction_id,
        "doctor_points",
        target_kind="doctor",
        target_id=DOCTOR,
        legal_basis="doctor_points",
        decided=day,
        effective_from=day,
        points=value,
        suspension_months=months,
    )


def event_types(events: list[Any]) -> list[type]:
    return [type(e) for e in events]


def outcome_on(ledger: InMemoryAggregates, claim_id: str, day: str) -> tuple[str, str | None]:
    events = ledger.decide(settle(claim_id, day=day, doctor_id=DOCTOR))
    [event] = [e for e in events if isinstance(e, Claim.Settled)]
    return event.outcome, event.refusal_reason


def test_reaching_nine_points_suspends_the_doctor(ledger: InMemoryAggregates) -> None:
    assert event_types(ledger.decide(points("S-1", 6, "2019-03-01"))) == [
        Sanction.Imposed,
        Doctor.PointsRecorded,
    ]
    events = ledger.decide(points("S-2", 3, "2019-04-01"))
    assert event_types(events) == [Sanction.Imposed, Doctor.PointsRecorded, Doctor.Suspended]
    suspended = events[-1]
    assert (suspended.effective_from, suspended.effective_to) == (d("2019-04-01"), d("2019-05-31"))


def test_a_settlement_by_a_suspended_doctor_is_refused_and_the_day_after_is_paid(
    ledger: InMemoryAggregates,
) -> None:
    ledger.decide(points("S-1", 9, "2019-04-01"))
    assert outcome_on(ledger, "C-1", "2019-05-31") == ("refused", "doctor_suspended")
    assert outcome_on(ledger, "C-2", "2019-06-01") == ("paid", None)


def test_reaching_twelve_points_terminates_the_doctor(ledger: InMemoryAggregates) -> None:
    ledger.decide(points("S-1", 9, "2019-03-01"))
    events = ledger.decide(points("S-2", 3, "2019-09-01"))
    assert event_types(events) == [Sanction.Imposed, Doctor.PointsRecorded, Doctor.Terminated]
    assert outcome_on(ledger, "C-1", "2020-06-01") == ("refused", "doctor_suspended")


def test_points_reset_each_calendar_year(ledger: InMemoryAggregates) -> None:
    ledger.decide(points("S-1", 8, "2019-11-01"))
    events = ledger.decide(points("S-2", 8, "2020-01-10"))
    assert event_types(events) == [Sanction.Imposed, Doctor.PointsRecorded]
    doctor = ledger.doctor(DOCTOR)
    assert doctor is not None
    assert (doctor.year_total(2019), doctor.year_total(2020)) == (8, 8)


def test_an_appeal_reducing_points_below_nine_ends_the_suspension_from_its_decision(
    ledger: InMemoryAggregates,
) -> None:
    ledger.decide(points("S-1", 9, "2019-04-01", months=6))
    ledger.decide(FileAppeal("S-1", DOCTOR, "A-1", on("2019-04-03")))
    decision = DecideAppeal(
        "S-1", DOCTOR, "reduced", "DOC", d("2019-05-10"), None, None, None, 4, on("2019-05-10")
    )
    events = ledger.decide(decision)
    assert event_types(events) == [
        Sanction.AppealDecided,
        Doctor.PointsChanged,
        Doctor.RestrictionCut,
    ]
    assert outcome_on(ledger, "C-1", "2019-05-09") == ("refused", "doctor_suspended")
    assert outcome_on(ledger, "C-2", "2019-05-10") == ("paid", None)


def test_an_appeal_revoking_the_incident_that_reached_twelve_ends_the_termination(
    ledger: InMemoryAggregates,
) -> None:
    ledger.decide(points("S-1", 6, "2019-03-01"))
    ledger.decide(points("S-2", 6, "2019-04-01"))
    ledger.decide(FileAppeal("S-2", DOCTOR, "A-1", on("2019-04-02")))
    decision = DecideAppeal(
        "S-2", DOCTOR, "revoked", "DOC", d("2019-05-01"), None, None, None, None, on("2019-05-01")
    )
    events = ledger.decide(decision)
    assert event_types(events) == [
        Sanction.AppealDecided,
        Doctor.PointsChanged,
        Doctor.RestrictionCut,
    ]
    assert outcome_on(ledger, "C-1", "2019-04-30") == ("refused", "doctor_suspended")
    assert outcome_on(ledger, "C-2", "2019-05-01") == ("paid", None)
