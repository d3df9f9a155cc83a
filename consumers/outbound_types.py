"""The one home of the outbound type names: each domain event class and the name it has on
`ledger.events` (docs/operations.md, "The outbound contract").

Names are part of the public contract, so they are written out here instead of derived from
class or module names: renaming a Python class must not rename a type downstream. Where an
inbound message type of docs/events.md records the event, the outbound type has its name; the
others are the aggregate's name and the event's, run together.
"""

from __future__ import annotations

from dataclasses import dataclass

from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

from domain.account import PersonAccount
from domain.claim import Claim
from domain.clawback import Clawback, Refund
from domain.decision import ClawbackDecision, ClawbackParts
from domain.doctor import Doctor
from domain.institution import Institution
from domain.misuse import MisuseRecovery
from domain.person import Person
from domain.policy import Policy
from domain.sanction import Sanction
from domain.subsidy import Subsidy

CONTRACT = "claims-ledger.events/1"


@dataclass(frozen=True)
class OutboundType:
    """A domain event class as `ledger.events` names it, with its aggregate's kind."""

    event_class: type[Aggregate.Event]
    name: str
    aggregate_kind: str


def _types() -> tuple[OutboundType, ...]:
    table: list[tuple[type[Aggregate.Event], str, str]] = [
        (Policy.Published, "PolicyPublished", "policy"),
        (Policy.Revised, "PolicyRevised", "policy"),
        (Institution.Designated, "InstitutionDesignated", "institution"),
        (Institution.Redesignated, "InstitutionRedesignated", "institution"),
        (Institution.BudgetAllocated, "BudgetAllocated", "institution"),
        (Institution.DisbursementMade, "DisbursementMade", "institution"),
        (Institution.DepositReleased, "DepositReleased", "institution"),
        (Institution.DeductionImposed, "DeductionImposed", "institution"),
        (Institution.SettlementSuspended, "InstitutionSettlementSuspended", "institution"),
        (Institution.AgreementTerminated, "InstitutionAgreementTerminated", "institution"),
        (Institution.RestrictionCut, "InstitutionRestrictionCut", "institution"),
        (Doctor.Registered, "DoctorRegistered", "doctor"),
        (Doctor.Reregistered, "DoctorReregistered", "doctor"),
        (Doctor.PointsRecorded, "DoctorPointsRecorded", "doctor"),
        (Doctor.PointsChanged, "DoctorPointsChanged", "doctor"),
        (Doctor.Suspended, "DoctorSuspended", "doctor"),
        (Doctor.Terminated, "DoctorTerminated", "doctor"),
        (Doctor.RestrictionCut, "DoctorRestrictionCut", "doctor"),
        (Person.Enrolled, "PersonEnrolled", "person"),
        (Person.Reenrolled, "PersonReenrolled", "person"),
        (Person.EnrollmentEnded, "EnrollmentEnded", "person"),
        (Person.EnrollmentRenewed, "EnrollmentRenewed", "person"),
        (Person.StatusCertified, "StatusCertified", "person"),
        (Person.StatusRevoked, "StatusRevoked", "person"),
        (Person.NetworkedSettlementSuspended, "PersonNetworkedSettlementSuspended", "person"),
        (Person.RestrictionCut, "PersonRestrictionCut", "person"),
        (PersonAccount.Opened, "PersonAccountOpened", "person_account"),
        (PersonAccount.ContributionPaid, "ContributionPaid", "person_account"),
        (PersonAccount.UsageCharged, "PersonAccountUsageCharged", "person_account"),
        (PersonAccount.UsageReleased, "PersonAccountUsageReleased", "person_account"),
        (Subsidy.Granted, "SubsidyGranted", "subsidy"),
        (Claim.Settled, "ClaimSettled", "claim"),
        (Claim.Reversed, "ClaimReversed", "claim"),
        (Claim.Refused, "ClaimRefused", "claim"),
        (Claim.ClawbackNoted, "ClaimClawbackNoted", "claim"),
        (Claim.RefundNoted, "ClaimRefundNoted", "claim"),
        (Clawback.Ordered, "ClawbackOrdered", "clawback"),
        (Clawback.Recovered, "ClawbackRecovered", "clawback"),
        (Refund.Volunteered, "RefundVolunteered", "refund"),
        (ClawbackParts.Started, "ClawbackPartsStarted", "clawback_parts"),
        (ClawbackParts.PartReceived, "ClawbackPartReceived", "clawback_parts"),
        (ClawbackDecision.Ordered, "ClawbackDecisionOrdered", "clawback"),
        (Sanction.Imposed, "SanctionImposed", "sanction"),
        (Sanction.Lifted, "SanctionLifted", "sanction"),
        (Sanction.FinePaid, "FinePaid", "sanction"),
        (Sanction.AppealFiled, "AppealFiled", "sanction"),
        (Sanction.AppealDecided, "AppealDecided", "sanction"),
        (MisuseRecovery.Ordered, "MisuseRecoveryOrdered", "misuse_recovery"),
        (MisuseRecovery.Recovered, "MisuseRecovered", "misuse_recovery"),
        (Claim.MisuseNoted, "ClaimMisuseNoted", "claim"),
        (PersonAccount.MisuseNoted, "PersonAccountMisuseNoted", "person_account"),
    ]
    return tuple(OutboundType(*row) for row in table)


TYPES = _types()
BY_TOPIC = {get_topic(t.event_class): t for t in TYPES}  # the stored events' `topic` column


class UnmappedEventError(LookupError):
    """A stored event whose class has no outbound type: the registry above lacks it."""


def outbound_type(topic: str) -> OutboundType:
    """The outbound type of a stored event, by the library's topic of its class."""
    try:
        return BY_TOPIC[topic]
    except KeyError:
        raise UnmappedEventError(f"no outbound type for stored event topic {topic!r}") from None
