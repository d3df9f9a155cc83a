"""Command handlers: look up what a decision depends on, decide, and trigger events.

A handler checks everything before it triggers anything, on every aggregate it touches, so a
rejected command leaves all of them untouched (an aggregate it created and added before the
refusal, a person's account opened on first use, is dropped with the message). A handler
returns nothing: the unit of work knows what it looked up and added.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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
    ImposeDeduction,
    ImposeSanction,
    LiftSanction,
    MakeDisbursement,
    OrderClawback,
    OrderClawbackPart,
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
from domain.commands.misuse import OrderMisuseRecovery, RecoverMisuse
from domain.handlers import (
    claims,
    clawbacks,
    decisions,
    enrollment,
    misuse,
    payments,
    reference,
    sanctions,
)
from domain.handlers.deductions import impose_deduction
from domain.handlers.lookup import Aggregates

__all__ = ["Aggregates", "handle"]

HANDLERS: dict[type, Callable[[Any, Aggregates], None]] = {
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
    OrderClawbackPart: decisions.order_clawback_part,
    ImposeSanction: sanctions.impose_sanction,
    LiftSanction: sanctions.lift_sanction,
    PayFine: sanctions.pay_fine,
    FileAppeal: sanctions.file_appeal,
    DecideAppeal: sanctions.decide_appeal,
    OrderMisuseRecovery: misuse.order_misuse_recovery,
    RecoverMisuse: misuse.recover_misuse,
    ImposeDeduction: impose_deduction,
}


def handle(command: Command, aggregates: Aggregates) -> None:
    """Decide one command: change the aggregates it looks up, add those it creates (nothing
    for an identical re-send).

    Raises Rejected, having changed no aggregate, if it fails.
    """
    HANDLERS[type(command)](command, aggregates)
