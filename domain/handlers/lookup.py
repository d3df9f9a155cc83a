"""What handlers may read, and lookups that refuse what the ledger does not hold."""

from __future__ import annotations

from datetime import date
from typing import Protocol

from eventsourcing.domain import Aggregate

from domain.account import PersonAccount
from domain.calendar import service_day
from domain.claim import Claim
from domain.clawback import Clawback, Refund
from domain.decision import ClawbackDecision, ClawbackParts
from domain.doctor import Doctor
from domain.institution import Institution
from domain.misuse import MisuseRecovery
from domain.person import Person
from domain.policy import Policy
from domain.provenance import Provenance
from domain.reasons import Awaited, Reason, Rejected
from domain.sanction import Sanction
from domain.subsidy import Subsidy


class Aggregates(Protocol):
    """Aggregates as recorded so far, including this batch's; what a handler creates it adds,
    under an id it looked up first. What it changes is known from the look-ups."""

    def add(self, aggregate: Aggregate) -> None: ...

    def institution(self, code: str) -> Institution | None: ...

    def person(self, person_id: str) -> Person | None: ...

    def account(self, person_id: str) -> PersonAccount | None: ...

    def doctor(self, doctor_id: str) -> Doctor | None: ...

    def policy(self, region: str, scheme: str) -> Policy | None: ...

    def claim(self, claim_id: str) -> Claim | None: ...

    def clawback(self, clawback_id: str) -> Clawback | None: ...

    def refund(self, refund_id: str) -> Refund | None: ...

    def clawback_parts(self, clawback_id: str) -> ClawbackParts | None: ...

    def clawback_decision(self, clawback_id: str) -> ClawbackDecision | None: ...

    def subsidy(self, subsidy_id: str) -> Subsidy | None: ...

    def sanction(self, sanction_id: str) -> Sanction | None: ...

    def misuse_recovery(self, recovery_id: str) -> MisuseRecovery | None: ...


def known_person(aggregates: Aggregates, person_id: str) -> Person:
    """The person, or unknown_reference."""
    person = aggregates.person(person_id)
    if person is None:
        raise Rejected(
            Reason.UNKNOWN_REFERENCE,
            f"person {person_id} was never enrolled",
            Awaited("person", person_id),
        )
    return person


def known_institution(aggregates: Aggregates, code: str) -> Institution:
    """The institution, or unknown_reference."""
    institution = aggregates.institution(code)
    if institution is None:
        raise Rejected(
            Reason.UNKNOWN_REFERENCE,
            f"institution {code} has not been designated",
            Awaited("institution", code),
        )
    return institution


def known_doctor(aggregates: Aggregates, doctor_id: str) -> Doctor:
    """The doctor, or unknown_reference."""
    doctor = aggregates.doctor(doctor_id)
    if doctor is None:
        raise Rejected(
            Reason.UNKNOWN_REFERENCE,
            f"doctor {doctor_id} has not been registered",
            Awaited("doctor", doctor_id),
        )
    return doctor


def known_claim(aggregates: Aggregates, claim_id: str) -> Claim:
    """The claim, or unknown_claim."""
    claim = aggregates.claim(claim_id)
    if claim is None:
        raise Rejected(
            Reason.UNKNOWN_CLAIM, f"claim {claim_id} was never settled", Awaited("claim", claim_id)
        )
    return claim


def account_of(aggregates: Aggregates, person_id: str, provenance: Provenance) -> PersonAccount:
    """The person's account, opened on first use by the message that needs it."""
    account = aggregates.account(person_id)
    if account is None:
        account = PersonAccount(person_id=person_id, provenance=provenance)
        aggregates.add(account)
    return account


def check_decided_after(decision_date: date, provenance: Provenance) -> None:
    """Refuse a decision dated before the period it decides on (the message's valid time)."""
    applies_from = service_day(provenance.occurred_at)
    if decision_date < applies_from:
        raise Rejected(
            Reason.DATES_OUT_OF_ORDER,
            f"decision of {decision_date} precedes the period it decides on ({applies_from})",
        )


def is_repeat(existing: object | None, fingerprint: str, what: str) -> bool:
    """True for an identical re-send of an entity id; conflicting_duplicate for other content."""
    if existing is None:
        return False
    if getattr(existing, "fingerprint", None) == fingerprint:
        return True
    raise Rejected(Reason.CONFLICTING_DUPLICATE, f"{what} was recorded before with other content")
