"""Handler of deductions not tied to claims (指标性扣款, budget deductions)."""

from __future__ import annotations

from domain.calendar import service_day
from domain.commands import ImposeDeduction, fingerprint
from domain.deduction import DeductionKind, Period, check_within_paid, deduction_postings
from domain.handlers.lookup import Aggregates, is_repeat, known_institution
from domain.person_values import Scheme
from domain.reasons import Reason, Rejected


def impose_deduction(command: ImposeDeduction, aggregates: Aggregates) -> None:
    """Deduct from what the fund owes an institution, within what it was paid for the period."""
    institution = known_institution(aggregates, command.institution)
    digest = fingerprint(command)
    earlier = institution.deductions.get(command.deduction_id)
    if is_repeat(earlier, digest, f"deduction {command.deduction_id}"):
        return
    if command.kind not in set(DeductionKind) or command.scheme not in set(Scheme):
        raise Rejected(
            Reason.SCHEMA_INVALID, f"unknown kind {command.kind!r} or scheme {command.scheme!r}"
        )
    period = Period.parse(command.period)
    day = service_day(command.provenance.occurred_at)
    if not period.covers(day):
        raise Rejected(
            Reason.DATES_OUT_OF_ORDER,
            f"occurred_at ({day}) must fall in the period the deduction concerns ({period.text})",
        )
    if command.decision_date < day:
        raise Rejected(
            Reason.DATES_OUT_OF_ORDER,
            f"decision of {command.decision_date} precedes the day it is booked on ({day})",
        )
    paid = check_within_paid(
        code=institution.code,
        scheme=command.scheme,
        period=period,
        amount=command.amount,
        disbursed=institution.disbursed,
        earlier=institution.deductions.values(),
    )
    institution.record_deduction(
        deduction_id=command.deduction_id,
        kind=command.kind,
        scheme=command.scheme,
        period=period.text,
        basis=command.basis,
        case_id=command.case_id,
        decision_document=command.decision_document,
        decision_date=command.decision_date,
        amount=command.amount,
        paid_for_period=paid,
        fingerprint=digest,
        postings=deduction_postings(
            institution.code, institution.region, command.scheme, command.amount
        ),
        provenance=command.provenance,
    )
