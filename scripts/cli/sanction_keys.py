"""Ids the sanction commands derive from what the inspector typed, so that typing it again
names the same sanction and the same message: the ledger then drops the re-send as a duplicate
instead of recording a second fine.

A sanction is known by its natural key: case id, decision document, kind and target (one
decision document may impose a fine and a suspension: two kinds, two sanctions). The id must
fit the contract's opaque id (ASCII, at most 64 characters) while decision documents are
Chinese, hence a digest rather than the key spelled out.
"""

from __future__ import annotations

import hashlib
from uuid import UUID, uuid5

# Fixed forever: changing it would give every re-run command a new message id.
MESSAGE_NAMESPACE = UUID("6f1d2b9e-3c4a-5e7f-8a90-b1c2d3e4f506")
SANCTION_PREFIX = "SAN-"
# 80 bits: a collision among the sanctions of a fund is not a practical concern.
DIGEST_HEX = 20
# The unit separator cannot occur in typed text, so ("a b", "c") and ("a", "b c") stay apart.
SEPARATOR = "\x1f"


def sanction_id(case_id: str, decision_document: str, kind: str, target_id: str) -> str:
    """`SAN-` and a digest of the sanction's natural key."""
    key = SEPARATOR.join((case_id, decision_document, kind, target_id))
    return SANCTION_PREFIX + hashlib.sha256(key.encode()).hexdigest()[:DIGEST_HEX]


def message_id(event_type: str, *natural_key: str) -> str:
    """The message id of one event type about one natural key (lowercase 8-4-4-4-12)."""
    return str(uuid5(MESSAGE_NAMESPACE, SEPARATOR.join((event_type, *natural_key))))
