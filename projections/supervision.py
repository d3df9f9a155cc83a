"""What each recorded event adds to the supervision report (`domain/supervision.py`), read
from the log as known at a time.

The extension point is `SUPERVISION_FACTS`: an event type, and the function that says what an
event of it found, recovered or decided. A new kind of finding (a person's recovery, a
deduction, an order over several institutions) adds one entry; `tally` needs no change.
Read from the log rather than a read model: the report asks for decisions of a year, a few
hundred events, and the log holds each with its decision date and detection source.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from domain.calendar import service_day
from domain.deduction import DeductionKind
from domain.money import ZERO
from domain.supervision import (
    NO_VIOLATION,
    Finding,
    MeasureTaken,
    Recovery,
    SupervisionItem,
    SupervisionReport,
    tally,
)
from domain.violations import DetectionSource
from infra.queries import events_of_types
from infra.store import Ledger
from projections.facts import known_time

ItemsOf = Callable[[Any], list[SupervisionItem]]


def _key(e: Any) -> str:
    return str(e.originator_id)


def clawback_ordered(e: Any) -> list[SupervisionItem]:
    """An order to return what was paid for the claims it names. The orders of a decision over
    several institutions (ClawbackOrdered version 2, named `<clawback_id>/<institution>`) are
    one case: one decision, whatever the number of institutions it names."""
    ordered = sum((line.amount for line in e.lines), ZERO)
    case = f"clawback:{e.clawback_id.partition('/')[0]}"
    return [
        Finding(
            _key(e), e.decision_date, e.detection_source, e.violation, ordered=ordered, case=case
        )
    ]


def clawback_recovered(e: Any) -> list[SupervisionItem]:
    """Part of an order paid back."""
    return [Recovery(_key(e), e.amount)]


def refund_volunteered(e: Any) -> list[SupervisionItem]:
    """A refund after self-inspection (自查自纠主动退回): found and returned on its day."""
    day = service_day(e.provenance.occurred_at)
    source = DetectionSource.SELF_INSPECTION
    return [
        Finding(_key(e), day, source, e.violation, ordered=e.total),
        Recovery(_key(e), e.total),
    ]


def claim_refused(e: Any) -> list[SupervisionItem]:
    """A claimed amount refused before payment (拒付), on the day the refusal took effect."""
    key = f"{_key(e)}:{e.originator_version}"
    day = service_day(e.provenance.occurred_at)
    return [Finding(key, day, e.detection_source, e.violation, refused=e.amount)]


def misuse_ordered(e: Any) -> list[SupervisionItem]:
    """An insured person ordered to return misused fund money (条例 art. 41)."""
    return [Finding(_key(e), e.decision_date, e.detection_source, e.violation, ordered=e.amount)]


def misuse_recovered(e: Any) -> list[SupervisionItem]:
    """Part of a person's order paid back."""
    return [Recovery(_key(e), e.amount)]


def deduction_imposed(e: Any) -> list[SupervisionItem]:
    """A deduction not tied to claims: found and recovered at once, since it is taken from the
    institution's receivable. An indicator deduction is its own detection source; a budget
    deduction (总额控制) is not a finding of any inspection, so `other`. Neither names a
    violation."""
    key = f"deduction:{e.deduction_id}"
    source = (
        DetectionSource.INDICATOR_DEDUCTION
        if e.kind == DeductionKind.INDICATOR
        else DetectionSource.OTHER
    )
    return [
        Finding(key, e.decision_date, source, NO_VIOLATION, ordered=e.amount),
        Recovery(key, e.amount),
    ]


def sanction_imposed(e: Any) -> list[SupervisionItem]:
    """A sanction or measure, counted by kind in the year of its decision."""
    return [MeasureTaken(e.decision_date, e.kind)]


SUPERVISION_FACTS: dict[str, ItemsOf] = {
    "Claim.Refused": claim_refused,
    "Clawback.Ordered": clawback_ordered,
    "Clawback.Recovered": clawback_recovered,
    "Refund.Volunteered": refund_volunteered,
    "Sanction.Imposed": sanction_imposed,
    "MisuseRecovery.Ordered": misuse_ordered,
    "MisuseRecovery.Recovered": misuse_recovered,
    "Institution.DeductionImposed": deduction_imposed,
}


def supervision_report(ledger: Ledger, year: int, known_at: datetime) -> SupervisionReport:
    """The figures of the decisions dated in `year`, as the ledger knew them at `known_at`."""
    items = (
        item
        for event in events_of_types(ledger, list(SUPERVISION_FACTS))
        if known_time(event) <= known_at
        for item in SUPERVISION_FACTS[type(event).__qualname__](event)
    )
    return tally(items, year)
