"""Settled claims (结算) and the corrections recorded against them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.identity import claim_aggregate_id
from domain.money import ZERO
from domain.postings import (
    Posting,
    balanced,
    institution_receivable,
    personal_account,
    pooled_fund,
)
from domain.provenance import Provenance
from domain.reasons import Reason, Rejected


def settlement_postings(
    region: str,
    scheme: str,
    institution: str,
    person_id: str,
    fund_share: Decimal,
    personal_account_amount: Decimal,
) -> tuple[Posting, ...]:
    """The fund and the personal account owe the institution their shares."""
    return balanced(
        [
            Posting(pooled_fund(region, scheme), -fund_share),
            Posting(personal_account(person_id), -personal_account_amount),
            Posting(institution_receivable(institution), fund_share + personal_account_amount),
        ]
    )


class Claim(Aggregate):
    """One settlement, paid or refused, and what was refused, ordered back or refunded."""

    class Settled(Aggregate.Created):
        claim_id: str
        person_id: str
        region: str
        scheme: str
        institution: str
        institution_level: str
        doctor_id: str | None
        claim_type: str
        total_cost: Decimal
        in_policy_cost: Decimal
        outcome: str  # "paid" or "refused"
        refusal_reason: str | None
        deductible: Decimal
        ratio: Decimal
        fund_share: Decimal
        personal_account_amount: Decimal
        patient_share: Decimal
        admission: bool
        cap_limited: bool
        reported_fund_share: Decimal | None
        discrepancy: Decimal | None
        fingerprint: str
        postings: tuple[Posting, ...]
        provenance: Provenance

    class Reversed(Aggregate.Event):
        reason: str
        postings: tuple[Posting, ...]
        provenance: Provenance

    class Refused(Aggregate.Event):
        amount: Decimal
        case_id: str
        violation: str
        detection_source: str
        postings: tuple[Posting, ...]
        provenance: Provenance

    class ClawbackNoted(Aggregate.Event):
        clawback_id: str
        amount: Decimal
        provenance: Provenance

    class RefundNoted(Aggregate.Event):
        refund_id: str
        amount: Decimal
        provenance: Provenance

    class MisuseNoted(Aggregate.Event):
        recovery_id: str
        amount: Decimal
        provenance: Provenance

    @staticmethod
    def create_id(claim_id: str, **_: Any) -> UUID:
        return claim_aggregate_id(claim_id)

    @event(Settled)
    def __init__(
        self,
        *,
        claim_id: str,
        person_id: str,
        region: str,
        scheme: str,
        institution: str,
        institution_level: str,
        doctor_id: str | None,
        claim_type: str,
        total_cost: Decimal,
        in_policy_cost: Decimal,
        outcome: str,
        refusal_reason: str | None,
        deductible: Decimal,
        ratio: Decimal,
        fund_share: Decimal,
        personal_account_amount: Decimal,
        patient_share: Decimal,
        admission: bool,
        cap_limited: bool,
        reported_fund_share: Decimal | None,
        discrepancy: Decimal | None,
        fingerprint: str,
        postings: tuple[Posting, ...],
        provenance: Provenance,
    ) -> None:
        self.claim_id = claim_id
        self.person_id = person_id
        self.region = region
        self.scheme = scheme
        self.institution = institution
        self.outcome = outcome
        self.fund_share = fund_share
        self.personal_account_amount = personal_account_amount
        self.admission = admission
        self.service_at = provenance.occurred_at
        self.fingerprint = fingerprint
        self.settlement_postings = tuple(postings)
        self.outstanding = fund_share
        self.corrected = False
        self.reversed = False

    def check_correctable(self, institution: str, amount: Decimal) -> None:
        """Refuse a refusal, clawback line or refund this claim cannot bear."""
        if institution != self.institution:
            raise Rejected(
                Reason.CLAIM_NOT_AT_INSTITUTION,
                f"claim {self.claim_id} was settled at {self.institution}, not {institution}",
            )
        self._check_bearable(amount)

    def check_misused(self, person_id: str, amount: Decimal) -> None:
        """Refuse a line of a misuse recovery from a person this claim cannot bear."""
        if person_id != self.person_id:
            raise Rejected(
                Reason.CLAIM_NOT_OF_PERSON,
                f"claim {self.claim_id} was settled for another person, not {person_id}",
            )
        self._check_bearable(amount)

    def _check_bearable(self, amount: Decimal) -> None:
        if self.reversed:
            raise Rejected(Reason.ALREADY_REVERSED, f"claim {self.claim_id} was reversed")
        if amount > self.outstanding:
            raise Rejected(
                Reason.EXCEEDS_PAID,
                f"{amount} exceeds what remains paid for claim {self.claim_id} "
                f"({self.outstanding} of {self.fund_share})",
            )

    def reverse(self, *, reason: str, provenance: Provenance) -> None:
        """Undo the settlement exactly: its postings, negated."""
        if self.reversed:
            raise Rejected(Reason.ALREADY_REVERSED, f"claim {self.claim_id} was reversed already")
        if self.corrected:
            raise Rejected(
                Reason.ALREADY_CORRECTED,
                f"claim {self.claim_id} has refusals, clawbacks or refunds; correct those first",
            )
        if provenance.occurred_at < self.service_at:
            raise Rejected(
                Reason.OUT_OF_ORDER,
                f"reversal at {provenance.occurred_at.isoformat()} precedes the service at "
                f"{self.service_at.isoformat()}",
            )
        negated = balanced(Posting(p.account, -p.amount) for p in self.settlement_postings)
        self._reversed(reason=reason, postings=negated, provenance=provenance)

    @event(Reversed)
    def _reversed(
        self, *, reason: str, postings: tuple[Posting, ...], provenance: Provenance
    ) -> None:
        self.reversed = True
        self.outstanding = ZERO

    def refuse(
        self,
        *,
        institution: str,
        amount: Decimal,
        case_id: str,
        violation: str,
        detection_source: str,
        provenance: Provenance,
    ) -> None:
        """Refuse (拒付) part of the fund share: the receivable returns to the pooled fund."""
        self.check_correctable(institution, amount)
        postings = balanced(
            [
                Posting(institution_receivable(self.institution), -amount),
                Posting(pooled_fund(self.region, self.scheme), amount),
            ]
        )
        self._refused(
            amount=amount,
            case_id=case_id,
            violation=violation,
            detection_source=detection_source,
            postings=postings,
            provenance=provenance,
        )

    @event(Refused)
    def _refused(
        self,
        *,
        amount: Decimal,
        case_id: str,
        violation: str,
        detection_source: str,
        postings: tuple[Posting, ...],
        provenance: Provenance,
    ) -> None:
        self.outstanding -= amount
        self.corrected = True

    @event(ClawbackNoted)
    def note_clawback(self, *, clawback_id: str, amount: Decimal, provenance: Provenance) -> None:
        """Count a clawback line against this claim (checked with `check_correctable`)."""
        self.outstanding -= amount
        self.corrected = True

    @event(RefundNoted)
    def note_refund(self, *, refund_id: str, amount: Decimal, provenance: Provenance) -> None:
        """Count a voluntary refund line against this claim (checked with `check_correctable`)."""
        self.outstanding -= amount
        self.corrected = True

    @event(MisuseNoted)
    def note_misuse(self, *, recovery_id: str, amount: Decimal, provenance: Provenance) -> None:
        """Count a misuse recovery line against this claim (checked with `check_misused`)."""
        self.outstanding -= amount
        self.corrected = True
