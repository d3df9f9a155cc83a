"""Deterministic aggregate identities derived from the source systems' own identifiers."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from uuid import UUID

# Fixed forever: changing it would orphan every stored aggregate.
LEDGER_NAMESPACE = UUID("6f1c5a3e-1d0b-4c55-9a57-2f3f4b0c9e11")
# A worker derives the same ids again and again (about 5 per event: the person, the account,
# the claim, ...): remembered, an id costs 0.05 µs. Bounded for the worker's memory: about 270
# bytes an entry, so under 9 MB. Only the ids of what lives long and is named again (persons,
# accounts, institutions, doctors, policies) are remembered: a claim's or a sanction's id is
# named by one message or two, and remembering those pushed the persons' ids out.
DERIVED_IDS_KEPT = 1 << 15
# `uuid.uuid5` hashes the namespace again on every call; the hash of the namespace is taken
# once and copied (uuid5's own steps otherwise: SHA-1, the first 16 bytes, version 5).
_NAMESPACE_SHA1 = hashlib.sha1(LEDGER_NAMESPACE.bytes, usedforsecurity=False)


def _derived_once(name: str) -> UUID:
    """`uuid5(LEDGER_NAMESPACE, name)`, at half its cost (tests/unit/test_identity.py)."""
    sha1 = _NAMESPACE_SHA1.copy()
    sha1.update(name.encode())
    return UUID(bytes=sha1.digest()[:16], version=5)


@lru_cache(maxsize=DERIVED_IDS_KEPT)
def _derived(name: str) -> UUID:
    return _derived_once(name)


def institution_aggregate_id(code: str) -> UUID:
    """Aggregate id of the designated institution with this code."""
    return _derived(f"institution:{code}")


def person_aggregate_id(person_id: str) -> UUID:
    """Aggregate id of the insured person with this source-system id."""
    return _derived(f"person:{person_id}")


def doctor_aggregate_id(doctor_id: str) -> UUID:
    """Aggregate id of the insurance doctor with this source-system id."""
    return _derived(f"doctor:{doctor_id}")


def policy_aggregate_id(region: str, scheme: str) -> UUID:
    """Aggregate id of the policy of a pooling region and scheme."""
    return _derived(f"policy:{region}:{scheme}")


def claim_aggregate_id(claim_id: str) -> UUID:
    """Aggregate id of a settled claim."""
    return _derived_once(f"claim:{claim_id}")


def clawback_aggregate_id(clawback_id: str) -> UUID:
    """Aggregate id of an ordered clawback."""
    return _derived_once(f"clawback:{clawback_id}")


def clawback_parts_aggregate_id(clawback_id: str) -> UUID:
    """Aggregate id of the parts received of a decision over several institutions."""
    return _derived_once(f"clawback-parts:{clawback_id}")


def refund_aggregate_id(refund_id: str) -> UUID:
    """Aggregate id of a voluntary refund."""
    return _derived_once(f"refund:{refund_id}")


def subsidy_aggregate_id(subsidy_id: str) -> UUID:
    """Aggregate id of a government subsidy."""
    return _derived_once(f"subsidy:{subsidy_id}")


def sanction_aggregate_id(sanction_id: str) -> UUID:
    """Aggregate id of a sanction."""
    return _derived_once(f"sanction:{sanction_id}")


def person_account_aggregate_id(person_id: str) -> UUID:
    """Aggregate id of a person's money with the fund (personal account, year usage)."""
    return _derived(f"person-account:{person_id}")


def misuse_recovery_aggregate_id(recovery_id: str) -> UUID:
    """Aggregate id of an order against a person to return misused fund money."""
    return _derived_once(f"misuse-recovery:{recovery_id}")
