"""Penalty status follows fines paid, appeals and doctor points, as of and as known."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from domain.identity import doctor_aggregate_id, institution_aggregate_id, sanction_aggregate_id
from domain.postings import Posting
from infra.store import Ledger
from projections import queries
from projections.check import check
from tests.integration.test_projections import (
    H,
    lookup,
    point,
    project,
    reverse_first_settlement,
    settle,
)
from tests.projection_events import (
    Doctor,
    Institution,
    Sanction,
    StandIn,
    d,
    open_test_ledger,
    record,
    utc,
)

DOCTOR = "DR-0042"


@pytest.fixture
def ledger(database_url: str) -> Iterator[Ledger]:
    with open_test_ledger(database_url) as ledger:
        yield ledger


def on_sanction(
    ledger: Ledger, event: type[StandIn], sanction: str, day: str, **fields: Any
) -> None:
    """Record an event of sanction `sanction` on the day it happened."""
    year, month, dom = map(int, day.split("-"))
    record(
        ledger,
        Sanction,
        event,
        day,
        utc(year, month, dom),
        aggregate_id=sanction_aggregate_id(sanction),
        **fields,
    )


def impose(ledger: Ledger, sanction_id: str, day: str, **fields: Any) -> None:
    terms: dict[str, Any] = {
        "sanction_id": sanction_id,
        "target_kind": "institution",
        "target_id": H,
        "case_id": f"case-{sanction_id}",
        "legal_basis": "article_38",
        "fine_amount": None,
        "points": None,
        "effective_from": d(day),
        "effective_to": None,
    }
    on_sanction(ledger, Sanction.Imposed, sanction_id, day, **(terms | fields))


def decide_appeal(ledger: Ledger, sanction_id: str, day: str, **fields: Any) -> None:
    terms: dict[str, Any] = {"fine_amount": None, "points": None, "effective_to": None}
    on_sanction(
        ledger, Sanction.AppealDecided, sanction_id, day, decision_date=d(day), **(terms | fields)
    )


def test_a_fine_reduced_on_appeal_is_due_less_from_the_decision_on(ledger: Ledger) -> None:
    impose(ledger, "F-9", "2020-04-15", kind="fine", fine_amount=Decimal("20000.00"))
    record(
        ledger,
        Sanction,
        Sanction.FinePaid,
        "2020-05-10",
        utc(2020, 5, 10),
        (Posting(f"external:institution:{H}", Decimal("-5000.00")),
         Posting("treasury:430422:fines", Decimal("5000.00"))),
        aggregate_id=sanction_aggregate_id("F-9"),
        amount=Decimal("5000.00"),
    )  # fmt: skip
    decide_appeal(ledger, "F-9", "2020-05-30", outcome="reduced", fine_amount=Decimal("8000.00"))
    project(ledger)
    may = lookup(ledger, queries.penalties, H, point("2020-05-20"))
    assert (may.fines_due, may.fines_paid) == (Decimal("15000.00"), Decimal("5000.00"))
    june = lookup(ledger, queries.penalties, H, point("2020-06-01"))
    assert (june.fines_due, june.fines_paid) == (Decimal("3000.00"), Decimal("5000.00"))
    before_appeal = lookup(ledger, queries.penalties, H, point("2020-06-01", "2020-05-29"))
    assert before_appeal.fines_due == Decimal("15000.00")
    hospital = lookup(ledger, queries.hospitals, [H], point("2020-06-01"))[0]
    assert hospital.totals["fines"] == Decimal("8000.00")
    assert check(ledger).ok


def doctor_history(ledger: Ledger) -> None:
    for sanction_id, day, points in (("P-1", "2019-03-01", 6), ("P-2", "2019-05-01", 3)):
        impose(ledger, sanction_id, day, kind="doctor_points", target_kind="doctor",
               target_id=DOCTOR, legal_basis="doctor_points", points=points)  # fmt: skip
    record(ledger, Doctor, Doctor.Suspended, "2019-05-01", utc(2019, 5, 1),
           aggregate_id=doctor_aggregate_id(DOCTOR), sanction_id="P-2",
           effective_from=d("2019-05-01"), effective_to=d("2019-07-31"))  # fmt: skip
    decide_appeal(ledger, "P-2", "2019-06-15", outcome="revoked")
    record(ledger, Doctor, Doctor.RestrictionCut, "2019-06-15", utc(2019, 6, 15),
           aggregate_id=doctor_aggregate_id(DOCTOR), sanction_id="P-2",
           effective_to=d("2019-06-14"))  # fmt: skip


def test_nine_points_suspend_a_doctor_until_an_appeal_removes_points(
    ledger: Ledger,
) -> None:
    doctor_history(ledger)
    project(ledger)
    june = lookup(ledger, queries.penalties, DOCTOR, point("2019-06-01"))
    assert june.doctor_points == 9
    assert june.suspended
    assert [(a.kind, a.case_id) for a in june.active] == [("doctor_suspension", "case-P-2")]
    after = lookup(ledger, queries.penalties, DOCTOR, point("2019-06-20"))
    assert after.doctor_points == 6
    assert not after.suspended
    as_then_known = lookup(ledger, queries.penalties, DOCTOR, point("2019-06-20", "2019-06-01"))
    assert as_then_known.doctor_points == 9
    assert as_then_known.suspended
    assert lookup(ledger, queries.penalties, DOCTOR, point("2020-02-01")).doctor_points == 0
    assert check(ledger).ok


def test_a_lifted_suspension_ends_on_its_new_last_day(ledger: Ledger) -> None:
    impose(ledger, "S-5", "2019-07-01", kind="settlement_suspension", effective_to=d("2019-12-31"))
    record(ledger, Sanction, Sanction.Lifted, "2019-10-01", utc(2019, 10, 1),
           aggregate_id=sanction_aggregate_id("S-5"), effective_to=d("2019-09-30"),
           reason="rectified")  # fmt: skip
    project(ledger)
    assert lookup(ledger, queries.penalties, H, point("2019-09-30")).suspended
    assert not lookup(ledger, queries.penalties, H, point("2019-10-01")).suspended
    assert lookup(ledger, queries.penalties, H, point("2019-10-01", "2019-09-30")).suspended


def test_a_reversal_takes_back_the_cost_and_the_visit(ledger: Ledger) -> None:
    settle(ledger, "2019-03-10", "5000.00", "3000.00", utc(2019, 3, 11))
    reverse_first_settlement(ledger, "2019-03-12", utc(2019, 3, 12))
    project(ledger)
    before = lookup(ledger, queries.hospitals, [H], point("2019-03-11"))[0].totals
    after = lookup(ledger, queries.hospitals, [H], point("2019-03-12"))[0].totals
    assert (before["settled_cost"], before["fund_share"], before["visits"]) == (
        Decimal("5000.00"), Decimal("3000.00"), 1,
    )  # fmt: skip
    assert (after["settled_cost"], after["fund_share"], after["visits"]) == (0, 0, 0)


def test_a_later_allocation_replaces_the_years_budget(ledger: Ledger) -> None:
    for day, amount in (("2019-01-01", "10000.00"), ("2019-06-01", "12000.00")):
        year, month, dom = map(int, day.split("-"))
        record(ledger, Institution, Institution.BudgetAllocated, day, utc(year, month, dom),
               aggregate_id=institution_aggregate_id(H), year=2019,
               amount=Decimal(amount))  # fmt: skip
    project(ledger)
    assert lookup(ledger, queries.hospitals, [H], point("2019-03-01"))[0].budget == Decimal(
        "10000.00"
    )
    assert lookup(ledger, queries.hospitals, [H], point("2019-07-01"))[0].budget == Decimal(
        "12000.00"
    )


def test_a_rectification_revoked_on_appeal_ends_from_the_decision_as_known_after_it(
    ledger: Ledger,
) -> None:
    impose(ledger, "ZG-9", "2020-03-10", kind="rectification", legal_basis="agreement",
           effective_to=d("2020-06-30"), decision_document="HN-ZG-9",
           decision_date=d("2020-03-10"), referred_to=None)  # fmt: skip
    decide_appeal(ledger, "ZG-9", "2020-04-20", outcome="revoked")
    project(ledger)

    def state(as_of: str, known_at: str | None = None) -> tuple[str, list[str]]:
        status = lookup(ledger, queries.penalties, H, point(as_of, known_at))
        [measure] = status.measures
        return measure.state, [s.kind for s in status.active]

    assert state("2020-04-19") == ("in_force", ["rectification"])
    assert state("2020-05-01") == ("ended_on_appeal", [])
    assert state("2020-05-01", "2020-04-19") == ("in_force", ["rectification"])
    assert check(ledger).ok
