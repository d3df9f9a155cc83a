"""What each stored event means to the read models: deltas and sanction changes.

This is the only module that knows event shapes. Events are matched by their class's qualified
name (`Claim.Settled`), fields are read by name, so the read models follow the domain's catalog
(docs/events.md) without importing aggregates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from projections.asof import REGION_TZ, region_year
from projections.cumulative import Delta

ONE = Decimal(1)

# Per-hospital amounts, in this order in the `hospital_totals` rows.
HOSPITAL_METRICS = (
    "settled_cost",
    "fund_share",
    "visits",
    "refused",
    "recovered",
    "fines",
    "disbursed",
    "deposit_held",
)
PENALTY_METRICS = ("fines_due", "fines_paid")
SUSPENSIONS = frozenset(
    {"settlement_suspension", "networked_settlement_suspension", "doctor_suspension"}
)
TERMINATIONS = frozenset({"agreement_termination", "doctor_termination"})


@dataclass(frozen=True)
class SanctionWindow:
    """A sanction's current version: what it is and when it is in effect."""

    sanction_id: str
    target: str
    kind: str
    case_id: str
    legal_basis: str
    effective_from: datetime
    effective_until: datetime | None  # exclusive; None: open-ended (termination)


@dataclass(frozen=True)
class SanctionEnd:
    """A sanction stops having effect from `at` on (lifted, or revoked on appeal)."""

    sanction_id: str
    at: datetime


@dataclass
class Facts:
    """Everything one event contributes to the read models."""

    balances: list[Delta] = field(default_factory=list)
    flows: list[Delta] = field(default_factory=list)
    hospitals: list[Delta] = field(default_factory=list)
    budgets: list[Delta] = field(default_factory=list)
    penalties: list[Delta] = field(default_factory=list)
    points: list[Delta] = field(default_factory=list)
    sanctions: list[SanctionWindow | SanctionEnd] = field(default_factory=list)
    institutions: list[tuple[str, str]] = field(default_factory=list)


def instant(value: Any, *, end: bool = False) -> datetime:
    """An event's date or datetime field as an instant; a date starts (or, with `end`, ends
    exclusively at the start of the next) day in the regions' time zone."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value + timedelta(days=1) if end else value, time(), REGION_TZ)
    if isinstance(value, str):
        return instant(
            date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value),
            end=end,
        )
    raise TypeError(f"{value!r} is not a date or datetime")


def vector(metrics: tuple[str, ...], **amounts: Decimal) -> tuple[Decimal, ...]:
    """A vector with the named metrics set and the others zero."""
    unknown = set(amounts) - set(metrics)
    if unknown:
        raise ValueError(f"unknown metrics {sorted(unknown)}")
    return tuple(amounts.get(m, Decimal(0)) for m in metrics)


def hospital(code: str, valid: datetime, **amounts: Decimal) -> Delta:
    """A change of one institution's totals."""
    return Delta(code, valid, vector(HOSPITAL_METRICS, **amounts))


def _moved(e: Any, prefix: str) -> Decimal:
    """What the event's postings move into accounts starting with `prefix`."""
    return sum(
        (p.amount for p in getattr(e, "postings", ()) if p.account.startswith(prefix)), Decimal(0)
    )


def _institution_of(e: Any) -> str:
    """The institution an event is about: its field, else the receivable its postings touch."""
    code = getattr(e, "institution", None) or getattr(e, "code", None)
    if code:
        return str(code)
    for p in getattr(e, "postings", ()):
        parts: list[str] = str(p.account).split(":")
        if parts[0] == "institution":
            return parts[1]
        if parts[:2] == ["external", "institution"]:
            return parts[2]
    raise ValueError(f"{type(e).__qualname__} names no institution")


def _settled(e: Any, f: Facts, valid: datetime) -> None:
    if getattr(e, "refusal_reason", None):
        return  # recorded for the audit trail; the fund paid nothing and no visit is counted
    share = getattr(e, "fund_share", None)
    f.hospitals.append(
        hospital(
            _institution_of(e),
            valid,
            settled_cost=e.total_cost,
            fund_share=-_moved(e, "fund:") if share is None else share,
            visits=ONE,
        )
    )


def _reversed(e: Any, f: Facts, valid: datetime) -> None:
    # The reversal's postings are the settlement's, negated: the pooled fund gets its share back.
    f.hospitals.append(
        hospital(
            _institution_of(e),
            valid,
            settled_cost=-getattr(e, "total_cost", Decimal(0)),
            fund_share=-_moved(e, "fund:"),
            visits=-ONE,
        )
    )


def _refused(e: Any, f: Facts, valid: datetime) -> None:
    f.hospitals.append(hospital(_institution_of(e), valid, refused=e.amount))


def _recovered(e: Any, f: Facts, valid: datetime) -> None:
    # Recoveries and voluntary refunds flow back into the pooled fund(s) of the claims.
    f.hospitals.append(hospital(_institution_of(e), valid, recovered=_moved(e, "fund:")))


def _disbursed(e: Any, f: Facts, valid: datetime) -> None:
    code = _institution_of(e)
    f.hospitals.append(
        hospital(
            code,
            valid,
            disbursed=_moved(e, f"external:institution:{code}"),
            deposit_held=_moved(e, f"institution:{code}:deposit_held"),
        )
    )


def _budget(e: Any, f: Facts, valid: datetime) -> None:
    # A later allocation for the same year replaces the earlier one: the delta is the change
    # (the domain states what it replaced; a first allocation replaces nothing).
    # Keyed by the institution's aggregate id: the event is the Institution's and names no code.
    change = e.amount - (getattr(e, "replaced_amount", None) or Decimal(0))
    f.budgets.append(Delta(f"{e.originator_id}:{e.year}", valid, (change,)))


def _designated(e: Any, f: Facts, _valid: datetime) -> None:
    if getattr(e, "kind", "") != "pharmacy":
        f.institutions.append((e.code, e.region))


def _window_end(effective_to: Any) -> datetime | None:
    return None if effective_to is None else instant(effective_to, end=True)


def _imposed(e: Any, f: Facts, valid: datetime) -> None:
    kind, target = e.kind, e.target_id
    if kind == "fine":
        f.penalties.append(Delta(target, valid, vector(PENALTY_METRICS, fines_due=e.fine_amount)))
        if getattr(e, "target_kind", "") == "institution":
            f.hospitals.append(hospital(target, valid, fines=e.fine_amount))
    elif kind == "doctor_points":
        start = instant(e.effective_from)
        f.points.append(Delta(f"{target}:{region_year(start)}", start, (Decimal(e.points),)))
    if kind in SUSPENSIONS or kind in TERMINATIONS:
        f.sanctions.append(
            SanctionWindow(
                sanction_id=str(e.originator_id),
                target=target,
                kind=kind,
                case_id=e.case_id,
                legal_basis=e.legal_basis,
                effective_from=instant(e.effective_from),
                effective_until=_window_end(e.effective_to),
            )
        )


def _fine_paid(e: Any, f: Facts, valid: datetime) -> None:
    f.penalties.append(
        Delta(e.target_id, valid, vector(PENALTY_METRICS, fines_due=-e.amount, fines_paid=e.amount))
    )


def _lifted(e: Any, f: Facts, _valid: datetime) -> None:
    # The event states the new last day; the window ends at the end of it.
    f.sanctions.append(SanctionEnd(_sanction_id(e), instant(e.effective_to, end=True)))


def _sanction_id(e: Any) -> str:
    """A sanction is known by its aggregate's id (derived from its sanction_id)."""
    return str(e.originator_id)


def _appeal_decided(e: Any, f: Facts, _valid: datetime) -> None:
    # The decision states the window's last day from now on; a revocation without one ends
    # the window the day before the decision.
    if getattr(e, "effective_to", None) is not None:
        f.sanctions.append(SanctionEnd(_sanction_id(e), instant(e.effective_to, end=True)))
    elif e.outcome == "revoked":
        f.sanctions.append(SanctionEnd(_sanction_id(e), instant(e.decision_date)))


Handler = Callable[[Any, Facts, datetime], None]
HANDLERS: dict[str, Handler] = {
    "Institution.Designated": _designated,
    "Institution.BudgetAllocated": _budget,
    "Institution.DisbursementMade": _disbursed,
    "Institution.DepositReleased": _disbursed,
    "Claim.Settled": _settled,
    "Claim.Reversed": _reversed,
    "Claim.Refused": _refused,
    "Clawback.Recovered": _recovered,
    "Refund.Volunteered": _recovered,
    "Sanction.Imposed": _imposed,
    "Sanction.Lifted": _lifted,
    "Sanction.FinePaid": _fine_paid,
    "Sanction.AppealDecided": _appeal_decided,
}


def facts_of(event: Any) -> Facts:
    """The read-model facts of one stored event (none for events the read models ignore)."""
    facts = Facts()
    provenance = getattr(event, "provenance", None)
    if provenance is None:
        return facts
    valid = provenance.occurred_at
    for posting in getattr(event, "postings", ()):
        facts.balances.append(Delta(posting.account, valid, (posting.amount,)))
        facts.flows.append(
            Delta(f"{posting.account}|{type(event).__qualname__}", valid, (posting.amount,))
        )
    handler = HANDLERS.get(type(event).__qualname__)
    if handler is not None:
        handler(event, facts, valid)
    return facts
