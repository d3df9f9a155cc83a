"""Imperative requests the ledger decides on; each carries the provenance of its message."""

from __future__ import annotations

import hashlib
from dataclasses import fields
from typing import Any

from domain.commands.claims import (
    ClaimAmount,
    InstitutionClaimAmount,
    OrderClawback,
    OrderClawbackPart,
    RecoverClawback,
    RefuseClaim,
    ReverseClaim,
    SettleClaim,
    VolunteerRefund,
)
from domain.commands.deductions import ImposeDeduction
from domain.commands.enrollment import (
    CertifyStatus,
    DesignateInstitution,
    EndEnrollment,
    EnrollPerson,
    RenewEnrollment,
    RevokeStatus,
)
from domain.commands.misuse import OrderMisuseRecovery, RecoverMisuse
from domain.commands.payments import (
    GrantSubsidy,
    MakeDisbursement,
    PayContribution,
    ReleaseDeposit,
)
from domain.commands.reference import AllocateBudget, PublishPolicy, RegisterDoctor
from domain.commands.sanctions import (
    DecideAppeal,
    FileAppeal,
    ImposeSanction,
    LiftSanction,
    PayFine,
)

Command = (
    DesignateInstitution
    | EnrollPerson
    | EndEnrollment
    | RenewEnrollment
    | CertifyStatus
    | RevokeStatus
    | PublishPolicy
    | AllocateBudget
    | RegisterDoctor
    | PayContribution
    | GrantSubsidy
    | MakeDisbursement
    | ReleaseDeposit
    | SettleClaim
    | ReverseClaim
    | RefuseClaim
    | OrderClawback
    | OrderClawbackPart
    | RecoverClawback
    | VolunteerRefund
    | ImposeSanction
    | LiftSanction
    | PayFine
    | FileAppeal
    | DecideAppeal
    | OrderMisuseRecovery
    | RecoverMisuse
    | ImposeDeduction
)


def fingerprint(command: Any) -> str:
    """A digest of what a command states (its fields and valid time, not where it came from),
    so the same entity id sent again can be told identical or conflicting."""
    stated = [
        (f.name, repr(getattr(command, f.name))) for f in fields(command) if f.name != "provenance"
    ]
    stated.append(("occurred_at", command.provenance.occurred_at.isoformat()))
    return hashlib.sha256(repr(stated).encode()).hexdigest()


__all__ = [
    "AllocateBudget",
    "CertifyStatus",
    "ClaimAmount",
    "Command",
    "DecideAppeal",
    "DesignateInstitution",
    "EndEnrollment",
    "EnrollPerson",
    "FileAppeal",
    "GrantSubsidy",
    "ImposeDeduction",
    "ImposeSanction",
    "InstitutionClaimAmount",
    "LiftSanction",
    "MakeDisbursement",
    "OrderClawback",
    "OrderClawbackPart",
    "OrderMisuseRecovery",
    "PayContribution",
    "PayFine",
    "PublishPolicy",
    "RecoverClawback",
    "RecoverMisuse",
    "RefuseClaim",
    "RegisterDoctor",
    "ReleaseDeposit",
    "RenewEnrollment",
    "ReverseClaim",
    "RevokeStatus",
    "SettleClaim",
    "VolunteerRefund",
    "fingerprint",
]
