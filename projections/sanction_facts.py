"""What sanction events mean to the penalty read model, before the sanction's terms are known.

Later events of a sanction (a fine paid, an appeal decided) name neither the target nor the
earlier amounts, so they are resolved against the sanction's terms (`projections/terms.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from domain.identity import sanction_aggregate_id
from domain.measures import MEASURE_KINDS, WINDOWED_MEASURES, EndedBy
from projections.asof import day_start

SUSPENSIONS = frozenset(
    {"settlement_suspension", "networked_settlement_suspension", "doctor_suspension"}
)
TERMINATIONS = frozenset({"agreement_termination", "doctor_termination"})
DOCTOR_RESTRICTIONS = ("doctor_suspension", "doctor_termination")
# Kinds shown among the sanctions in force while their window runs.
WINDOWED = SUSPENSIONS | TERMINATIONS | WINDOWED_MEASURES


def instant(value: Any, *, end: bool = False) -> datetime:
    """A date field as the instant its day starts in the regions' time zone (with `end`: the
    instant the day after starts, the exclusive end of a window whose last day it is)."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return day_start(value + timedelta(days=1) if end else value)
    raise TypeError(f"{value!r} is not a date or datetime")


@dataclass(frozen=True)
class SanctionWindow:
    """A version of a sanction's effect: what it is and when it is in effect."""

    sanction_id: str
    target: str
    kind: str
    case_id: str
    legal_basis: str
    effective_from: datetime
    effective_until: datetime | None  # exclusive; None: open-ended (termination)


@dataclass(frozen=True)
class SanctionEnd:
    """A sanction stops having effect from `at` on (lifted, cut, or shortened on appeal)."""

    sanction_id: str
    at: datetime
    by: str = EndedBy.LIFTED


@dataclass(frozen=True)
class MeasureRecord:
    """An agreement measure as decided, with its case and decision document."""

    sanction_id: str
    target: str
    kind: str
    case_id: str
    decision_document: str
    decision_date: date
    effective_from: datetime
    effective_until: datetime | None  # exclusive; None: no window, or open-ended
    deadline: date | None  # the last day as decided (a rectification's deadline)
    referred_to: str | None


@dataclass(frozen=True)
class Imposed:
    """A sanction's terms as decided."""

    sanction_id: str
    target: str
    kind: str
    case_id: str
    legal_basis: str
    fine: Decimal
    points: int
    points_from: datetime
    window: SanctionWindow | None
    measure: MeasureRecord | None
    valid: datetime


@dataclass(frozen=True)
class FinePaid:
    """Part of a fine paid."""

    sanction_id: str
    amount: Decimal
    valid: datetime


@dataclass(frozen=True)
class AppealDecided:
    """New terms from `decided` on: fine, points and window end (None: unchanged)."""

    sanction_id: str
    revoked: bool
    fine: Decimal | None
    points: int | None
    window_end: datetime | None
    decided: datetime


@dataclass(frozen=True)
class DoctorRestricted:
    """A doctor's suspension or termination triggered by the points of a sanction."""

    trigger: str
    kind: str
    effective_from: datetime
    effective_until: datetime | None


SanctionFact = Imposed | FinePaid | AppealDecided | SanctionEnd | DoctorRestricted


def sanction_key(e: Any) -> str:
    """A sanction is known by its aggregate's id (derived from its sanction_id)."""
    return str(e.originator_id)


def imposed(e: Any, valid: datetime) -> Imposed:
    """Sanction.Imposed."""
    window = measure = None
    until = None if e.effective_to is None else instant(e.effective_to, end=True)
    if e.kind in WINDOWED:
        window = SanctionWindow(
            sanction_id=sanction_key(e),
            target=e.target_id,
            kind=e.kind,
            case_id=e.case_id,
            legal_basis=e.legal_basis,
            effective_from=instant(e.effective_from),
            effective_until=until,
        )
    if e.kind in MEASURE_KINDS:
        measure = MeasureRecord(
            sanction_id=sanction_key(e),
            target=e.target_id,
            kind=e.kind,
            case_id=e.case_id,
            decision_document=e.decision_document,
            decision_date=e.decision_date,
            effective_from=instant(e.effective_from),
            effective_until=until if e.kind in WINDOWED_MEASURES else None,
            deadline=e.effective_to,
            referred_to=e.referred_to,
        )
    return Imposed(
        sanction_id=sanction_key(e),
        target=e.target_id,
        kind=e.kind,
        case_id=e.case_id,
        legal_basis=e.legal_basis,
        fine=(e.fine_amount or Decimal(0)) if e.kind == "fine" else Decimal(0),
        points=(e.points or 0) if e.kind == "doctor_points" else 0,
        points_from=instant(e.effective_from),
        window=window,
        measure=measure,
        valid=valid,
    )


def fine_paid(e: Any, valid: datetime) -> FinePaid:
    """Sanction.FinePaid."""
    return FinePaid(sanction_key(e), e.amount, valid)


def lifted(e: Any, _valid: datetime) -> SanctionEnd:
    """Sanction.Lifted: the event states the window's new last day."""
    return SanctionEnd(sanction_key(e), instant(e.effective_to, end=True))


def appeal_decided(e: Any, _valid: datetime) -> AppealDecided:
    """Sanction.AppealDecided."""
    effective_to = getattr(e, "effective_to", None)
    return AppealDecided(
        sanction_id=sanction_key(e),
        revoked=e.outcome == "revoked",
        fine=getattr(e, "fine_amount", None),
        points=getattr(e, "points", None),
        window_end=None if effective_to is None else instant(effective_to, end=True),
        decided=instant(e.decision_date),
    )


def doctor_suspended(e: Any, _valid: datetime) -> DoctorRestricted:
    """Doctor.Suspended (9 points in a year)."""
    return DoctorRestricted(
        str(sanction_aggregate_id(e.sanction_id)),
        "doctor_suspension",
        instant(e.effective_from),
        instant(e.effective_to, end=True),
    )


def doctor_terminated(e: Any, _valid: datetime) -> DoctorRestricted:
    """Doctor.Terminated (12 points in a year)."""
    return DoctorRestricted(
        str(sanction_aggregate_id(e.sanction_id)),
        "doctor_termination",
        instant(e.effective_from),
        None,
    )


def doctor_restriction_cut(e: Any, _valid: datetime) -> list[SanctionEnd]:
    """Doctor.RestrictionCut: points fell on appeal; whatever they triggered ends."""
    trigger = str(sanction_aggregate_id(e.sanction_id))
    at = instant(e.effective_to, end=True)
    return [SanctionEnd(f"{trigger}:{kind}", at) for kind in DOCTOR_RESTRICTIONS]
