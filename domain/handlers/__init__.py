"""Command handlers: look up what a decision depends on, decide, and trigger events.

A handler checks everything before it triggers anything, on every aggregate it touches, so a
rejected command leaves all of them untouched.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from eventsourcing.domain import Aggregate

from domain.commands import (
    AllocateBudget,
    CertifyStatus,
    Command,
    DecideAppeal,
    DesignateInstitution,
    EndEnrollment,
    EnrollPerson,
    FileAppeal,
    GrantSubsidy,
    ImposeSanction,
    LiftSanction,
    MakeDisbursement,
    OrderClawback,
    PayContribution,
    PayFine,
    PublishPolicy,
    RecoverClawback,
    RefuseClaim,
    RegisterDoctor,
    ReleaseDeposit,
    RenewEnrollment,
    ReverseClaim,
    RevokeStatus,
    SettleClaim,
    VolunteerRefund,
)
from domain.handlers import claims, clawbacks, enrollment, payments, reference, sanctions
from domain.handlers.lookup import Aggregates

__all__ = ["Aggregates", "handle"]

Touched = Aggregate | tuple[Aggregate, ...] | None
HANDLERS: dict[type, Callable[[Any, Aggregates], Touched]] = {
    DesignateInstitution: enrollment.designate_institution,
    EnrollPerson: enrollment.enroll_person,
    EndEnrollment: enrollment.end_enrollment,
    RenewEnrollment: enrollment.renew_enrollment,
    CertifyStatus: enrollment.certify_status,
    RevokeStatus: enrollment.revoke_status,
    PublishPolicy: reference.publish_policy,
    AllocateBudget: reference.allocate_budget,
    RegisterDoctor: reference.register_doctor,
    PayContribution: payments.pay_contribution,
    GrantSubsidy: payments.grant_subsidy,
    MakeDisbursement: payments.make_disbursement,
    ReleaseDeposit: payments.release_deposit,
    SettleClaim: claims.settle_claim,
    ReverseClaim: claims.reverse_claim,
    RefuseClaim: clawbacks.refuse_claim,
    OrderClawback: clawbacks.order_clawback,
    RecoverClawback: clawbacks.recover_clawback,
    VolunteerRefund: clawbacks.volunteer_refund,
    ImposeSanction: sanctions.impose_sanction,
    LiftSanction: sanctions.lift_sanction,
    PayFine: sanctions.pay_fine,
    FileAppeal: sanctions.file_appeal,
    DecideAppeal: sanctions.decide_appeal,
}


def handle(command: Command, aggregates: Aggregates) -> tuple[Aggregate, ...]:
    """Decide one command; the aggregates it touched (none for an identical re-send).

    Raises Rejected, leaving every aggregate untouched, if it fails.
    """
    touched = HANDLERS[type(command)](command, aggregates)
    if touched is None:
        return ()
    return touched if isinstance(touched, tuple) else (touched,)
