"""What each stored event means to the read models: deltas and sanction facts.

This is the only place that knows event shapes (with `sanction_facts.py`). Events are matched
by their class's qualified name (`Claim.Settled`) and fields are read by name, so the read
models follow the domain's catalog (docs/events.md) without importing its aggregates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from domain.postings import is_pooled_fund
from projections import sanction_facts as sf
from projections.cumulative import Delta

ONE = Decimal(1)
# Known time of events that carry no provenance (none of the ledger's do): they add no facts.
NEVER = datetime.min.replace(tzinfo=UTC)

# Per-hospital amounts, in this order in the `hospital_totals` rows. Fines are the penalty
# model's (`penalty_totals` of the institution): appeals change them.
HOSPITAL_METRICS = (
    "settled_cost",
    "fund_share",
    "visits",
    "refused",
    "recovered",
    "disbursed",
    "deposit_held",
)
PENALTY_METRICS = ("fines_due", "fines_paid")


@dataclass
class Facts:
    """Everything one event contributes to the read models."""

    balances: list[Delta] = field(default_factory=list)
    flows: list[Delta] = field(default_factory=list)
    hospitals: list[Delta] = field(default_factory=list)
    # A budget allocation replaces the year's budget: the new total, not a change.
    budget_totals: list[Delta] = field(default_factory=list)
    claim_costs: list[tuple[str, Decimal]] = field(default_factory=list)
    reversals: list[tuple[str, str, datetime]] = field(default_factory=list)
    sanctions: list[sf.SanctionFact] = field(default_factory=list)
    institutions: list[tuple[str, str]] = field(default_factory=list)


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
    postings = getattr(e, "postings", ())
    return sum((p.amount for p in postings if p.account.startswith(prefix)), Decimal(0))


def _institution_of(e: Any) -> str:
    """The institution an event is about: its field, else the one its postings name."""
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
    f.hospitals.append(
        hospital(
            _institution_of(e),
            valid,
            settled_cost=e.total_cost,
            fund_share=e.fund_share,
            visits=ONE,
        )
    )
    f.claim_costs.append((str(e.originator_id), e.total_cost))


def _reversed(e: Any, f: Facts, valid: datetime) -> None:
    # The reversal's postings are the settlement's, negated: the pooled fund gets its share
    # back. The cost is the settlement's, looked up by the read model.
    code = _institution_of(e)
    f.hospitals.append(hospital(code, valid, fund_share=-_moved(e, "fund:"), visits=-ONE))
    f.reversals.append((str(e.originator_id), code, valid))


def _refused(e: Any, f: Facts, valid: datetime) -> None:
    f.hospitals.append(hospital(_institution_of(e), valid, refused=e.amount))


def _ordered_back(e: Any, f: Facts, valid: datetime) -> None:
    # Recovered (追回/责令退回) counts what was ordered back, in the period it concerns, and
    # voluntary refunds; the cash returning later shows in the balances and the fund statement.
    amount = sum((line.amount for line in e.lines), Decimal(0))
    f.hospitals.append(hospital(_institution_of(e), valid, recovered=amount))


def _deducted(e: Any, f: Facts, valid: datetime) -> None:
    # A deduction not tied to claims (指标性扣款) is recovered money like a clawback: a county
    # reports it among its recoveries, in the period it concerns (docs/events.md).
    f.hospitals.append(hospital(_institution_of(e), valid, recovered=e.amount))


def _disbursed(e: Any, f: Facts, valid: datetime) -> None:
    # Disbursed: what reached the institution's bank (monthly payments, released deposit).
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
    # Keyed by the institution's aggregate id: the event is the Institution's and names no code.
    f.budget_totals.append(Delta(f"{e.originator_id}:{e.year}", valid, (e.amount,)))


def _designated(e: Any, f: Facts, _valid: datetime) -> None:
    # Pharmacies too: their claims are paid from the same pooled funds, so a per-institution
    # report without them could not sum to the fund statement.
    f.institutions.append((e.code, e.region))


def _sanction(make: Callable[[Any, datetime], Any]) -> Handler:
    def handle(e: Any, f: Facts, valid: datetime) -> None:
        """Add the sanction facts of one event."""
        made = make(e, valid)
        f.sanctions.extend(made if isinstance(made, list) else [made])

    return handle


Handler = Callable[[Any, Facts, datetime], None]
HANDLERS: dict[str, Handler] = {
    "Institution.Designated": _designated,
    "Institution.BudgetAllocated": _budget,
    "Institution.DisbursementMade": _disbursed,
    "Institution.DepositReleased": _disbursed,
    "Claim.Settled": _settled,
    "Claim.Reversed": _reversed,
    "Claim.Refused": _refused,
    "Clawback.Ordered": _ordered_back,
    "Refund.Volunteered": _ordered_back,
    "Sanction.Imposed": _sanction(sf.imposed),
    "Sanction.Lifted": _sanction(sf.lifted),
    "Sanction.FinePaid": _sanction(sf.fine_paid),
    "Sanction.AppealDecided": _sanction(sf.appeal_decided),
    "Doctor.Suspended": _sanction(sf.doctor_suspended),
    "Doctor.Terminated": _sanction(sf.doctor_terminated),
    "Doctor.RestrictionCut": _sanction(sf.doctor_restriction_cut),
    "Institution.DeductionImposed": _deducted,
}


def facts_of(event: Any) -> Facts:
    """The read-model facts of one stored event (none for events the read models ignore)."""
    facts = Facts()
    provenance = getattr(event, "provenance", None)
    if provenance is None:
        return facts
    valid = provenance.occurred_at
    kind = type(event).__qualname__
    for posting in getattr(event, "postings", ()):
        facts.balances.append(Delta(posting.account, valid, (posting.amount,)))
        # Flows only of the pooled funds: the fund statement is their one reader, and the
        # other accounts' flows were most of the read models' rows (docs/benchmarks.md).
        if is_pooled_fund(posting.account):
            facts.flows.append(Delta(f"{posting.account}|{kind}", valid, (posting.amount,)))
    handler = HANDLERS.get(kind)
    if handler is not None:
        handler(event, facts, valid)
    return facts


def known_time(event: Any) -> datetime:
    """When the ledger knew an event: the known time the read models file its facts under."""
    provenance = getattr(event, "provenance", None)
    return NEVER if provenance is None else provenance.recorded_at


def facts_with_known_time(event: Any) -> tuple[Facts, datetime]:
    """An event's facts with the known time they are filed under."""
    return facts_of(event), known_time(event)
