"""Stable reason codes for messages the ledger cannot accept."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from domain import identity


class Reason(StrEnum):
    """Why a message was not accepted; the codes are a public contract, never renamed."""

    MALFORMED_JSON = "malformed_json"
    SCHEMA_INVALID = "schema_invalid"
    UNKNOWN_TYPE = "unknown_type"
    UNSUPPORTED_VERSION = "unsupported_version"
    WRONG_TOPIC = "wrong_topic"
    UNKNOWN_REFERENCE = "unknown_reference"
    CONFLICTING_DUPLICATE = "conflicting_duplicate"
    ALREADY_ENROLLED = "already_enrolled"
    NOT_ENROLLED = "not_enrolled"
    OUT_OF_ORDER = "out_of_order"
    INVALID_AMOUNT = "invalid_amount"
    DATES_OUT_OF_ORDER = "dates_out_of_order"
    OUT_OF_RANGE = "out_of_range"
    NO_POLICY_IN_FORCE = "no_policy_in_force"
    UNKNOWN_CLAIM = "unknown_claim"
    UNKNOWN_TARGET = "unknown_target"
    UNKNOWN_SANCTION = "unknown_sanction"
    UNKNOWN_CLAWBACK = "unknown_clawback"
    ALREADY_REVERSED = "already_reversed"
    ALREADY_CORRECTED = "already_corrected"
    EXCEEDS_PAID = "exceeds_paid"
    EXCEEDS_ORDERED = "exceeds_ordered"
    EXCEEDS_HELD = "exceeds_held"
    EXCEEDS_DUE = "exceeds_due"
    INSUFFICIENT_BALANCE = "insufficient_balance"
    PERSONAL_ACCOUNT_NOT_ALLOWED = "personal_account_not_allowed"
    CLAIM_NOT_AT_INSTITUTION = "claim_not_at_institution"
    CLAIM_NOT_OF_PERSON = "claim_not_of_person"
    UNKNOWN_RECOVERY = "unknown_recovery"
    NOT_CERTIFIED = "not_certified"
    NOT_IN_FORCE = "not_in_force"
    NOT_A_FINE = "not_a_fine"
    APPEAL_OUT_OF_TIME = "appeal_out_of_time"
    ALREADY_APPEALED = "already_appealed"
    NO_PENDING_APPEAL = "no_pending_appeal"
    UNKNOWN_INSTITUTION = "unknown_institution"
    # Deciding or decoding the message raised an unexpected error (its class is in the detail):
    # the message is set aside so that the messages around it go on.
    INTERNAL_ERROR = "internal_error"


# The kinds of entity a message may reference before the ledger knows it, each with the id of
# the aggregate whose first event makes it known.
_AGGREGATE_OF_KIND = {
    "person": identity.person_aggregate_id,
    "institution": identity.institution_aggregate_id,
    "doctor": identity.doctor_aggregate_id,
    "claim": identity.claim_aggregate_id,
    "sanction": identity.sanction_aggregate_id,
    "clawback": identity.clawback_aggregate_id,
    "recovery": identity.misuse_recovery_aggregate_id,
}


@dataclass(frozen=True)
class Awaited:
    """An entity a refused message referenced that the ledger does not know yet: the message
    may be held until it arrives (infra/application/held.py) instead of dead-lettered."""

    kind: str  # one of person, institution, doctor, claim, sanction, clawback, recovery
    entity_id: str

    @property
    def aggregate_id(self) -> UUID:
        return _AGGREGATE_OF_KIND[self.kind](self.entity_id)

    def __str__(self) -> str:
        return f"{self.kind} {self.entity_id}"


class Rejected(Exception):  # noqa: N818 - a rejection is an outcome, not a programming error
    """A message is refused for a stated reason; nothing of it is applied. `awaits` names the
    entity it referenced that is not known yet, when that is the whole reason."""

    def __init__(self, reason: Reason, detail: str, awaits: Awaited | None = None) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail
        self.awaits = awaits
