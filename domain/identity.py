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
