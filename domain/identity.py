"""Deterministic aggregate identities derived from the source systems' own identifiers."""

from __future__ import annotations

from uuid import UUID, uuid5

# Fixed forever: changing it would orphan every stored aggregate.
LEDGER_NAMESPACE = UUID("6f1c5a3e-1d0b-4c55-9a57-2f3f4b0c9e11")


def institution_aggregate_id(code: str) -> UUID:
    """Aggregate id of the designated institution with this code."""
    return uuid5(LEDGER_NAMESPACE, f"institution:{code}")


def person_aggregate_id(person_id: str) -> UUID:
    """Aggregate id of the insured person with this source-system id."""
    return uuid5(LEDGER_NAMESPACE, f"person:{person_id}")


def doctor_aggregate_id(doctor_id: str) -> UUID:
    """Aggregate id of the insurance doctor with this source-system id."""
    return uuid5(LEDGER_NAMESPACE, f"doctor:{doctor_id}")


def policy_aggregate_id(region: str, scheme: str) -> UUID:
    """Aggregate id of the policy of a pooling region and scheme."""
    return uuid5(LEDGER_NAMESPACE, f"policy:{region}:{scheme}")


def claim_aggregate_id(claim_id: str) -> UUID:
    """Aggregate id of a settled claim."""
    return uuid5(LEDGER_NAMESPACE, f"claim:{claim_id}")


def clawback_aggregate_id(clawback_id: str) -> UUID:
    """Aggregate id of an ordered clawback."""
    return uuid5(LEDGER_NAMESPACE, f"clawback:{clawback_id}")


def refund_aggregate_id(refund_id: str) -> UUID:
    """Aggregate id of a voluntary refund."""
    return uuid5(LEDGER_NAMESPACE, f"refund:{refund_id}")


def subsidy_aggregate_id(subsidy_id: str) -> UUID:
    """Aggregate id of a government subsidy."""
    return uuid5(LEDGER_NAMESPACE, f"subsidy:{subsidy_id}")


def sanction_aggregate_id(sanction_id: str) -> UUID:
    """Aggregate id of a sanction."""
    return uuid5(LEDGER_NAMESPACE, f"sanction:{sanction_id}")


def person_account_aggregate_id(person_id: str) -> UUID:
    """Aggregate id of a person's money with the fund (personal account, year usage)."""
    return uuid5(LEDGER_NAMESPACE, f"person-account:{person_id}")
