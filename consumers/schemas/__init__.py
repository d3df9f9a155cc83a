"""Marshmallow schemas of the inbound wire contract (see docs/events.md).

Each message type keeps a schema per `schema_version`; old versions stay loadable forever.
"""

from consumers.schemas.base import EnvelopeSchema, StrictSchema, amount_error
from consumers.schemas.claims import (
    ClaimRefusedV1,
    ClaimReversedV1,
    ClaimSettledV1,
    ClawbackOrderedV1,
    ClawbackRecoveredV1,
    RefundVolunteeredV1,
)
from consumers.schemas.decisions import ClawbackOrderedV2
from consumers.schemas.deductions import DeductionImposedV1
from consumers.schemas.enrollment import (
    EnrollmentEndedV1,
    EnrollmentRenewedV1,
    InstitutionDesignatedV1,
    PersonEnrolledV1,
    StatusCertifiedV1,
    StatusRevokedV1,
)
from consumers.schemas.misuse import MisuseRecoveredV1, MisuseRecoveryOrderedV1
from consumers.schemas.payments import (
    ContributionPaidV1,
    DepositReleasedV1,
    DisbursementMadeV1,
    SubsidyGrantedV1,
)
from consumers.schemas.reference import BudgetAllocatedV1, DoctorRegisteredV1, PolicyPublishedV1
from consumers.schemas.sanctions import (
    AppealDecidedV1,
    AppealFiledV1,
    FinePaidV1,
    SanctionImposedV1,
    SanctionLiftedV1,
)

__all__ = [
    "AppealDecidedV1",
    "AppealFiledV1",
    "BudgetAllocatedV1",
    "ClaimRefusedV1",
    "ClaimReversedV1",
    "ClaimSettledV1",
    "ClawbackOrderedV1",
    "ClawbackOrderedV2",
    "ClawbackRecoveredV1",
    "ContributionPaidV1",
    "DeductionImposedV1",
    "DepositReleasedV1",
    "DisbursementMadeV1",
    "DoctorRegisteredV1",
    "EnrollmentEndedV1",
    "EnrollmentRenewedV1",
    "EnvelopeSchema",
    "FinePaidV1",
    "InstitutionDesignatedV1",
    "MisuseRecoveredV1",
    "MisuseRecoveryOrderedV1",
    "PersonEnrolledV1",
    "PolicyPublishedV1",
    "RefundVolunteeredV1",
    "SanctionImposedV1",
    "SanctionLiftedV1",
    "StatusCertifiedV1",
    "StatusRevokedV1",
    "StrictSchema",
    "SubsidyGrantedV1",
    "amount_error",
]
