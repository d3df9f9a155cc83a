"""Commands of recovering misused fund money from insured persons (条例 art. 41)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from domain.commands.claims import ClaimAmount
from domain.provenance import Provenance


@dataclass(frozen=True)
class OrderMisuseRecovery:
    """Order a person to return misused fund money (MisuseRecoveryOrdered), linked to the
    person's claims (`lines`, summing to `amount`) or to none with `no_claims_reason`."""

    recovery_id: str
    region: str
    person_id: str
    case_id: str
    decision_document: str
    decision_date: date
    violation: str
    detection_source: str
    amount: Decimal
    lines: tuple[ClaimAmount, ...]
    no_claims_reason: str | None
    provenance: Provenance


@dataclass(frozen=True)
class RecoverMisuse:
    """Record a (partial) return of misused money by the person (MisuseRecovered)."""

    recovery_id: str
    person_id: str
    amount: Decimal
    provenance: Provenance
