"""Message identity: the first decision of a message id fixes what the id means."""

from __future__ import annotations

import hashlib
from uuid import UUID

from domain.reasons import Reason
from infra.application.identity import (
    ACCEPTED,
    DECIDE,
    DUPLICATE,
    HELD,
    REJECTED,
    FirstDecision,
    Identities,
)
from infra.application.inbound import Coordinates, Decoded, InboundRecord, Undecodable
from tests.seeds import seeded_uuid

VALUE = b'{"the": "bytes"}'
SAME, OTHER = b"s" * 32, b"o" * 32


def record(message: Decoded, replay_of: int | None = None, value: bytes = VALUE) -> InboundRecord:
    where = Coordinates("ledger.claims", 0, 7)
    return InboundRecord(where, None, value, message, None, replay_of)


def decoded(message_id: UUID, digest: bytes) -> Decoded:
    return Decoded(message_id, "ClaimSettled", digest, None)  # type: ignore[arg-type]


def test_a_new_id_is_decided_and_a_copy_after_any_decision_is_a_duplicate_or_a_conflict() -> None:
    for kind in (ACCEPTED, REJECTED, HELD):
        message_id = seeded_uuid()
        identities = Identities({message_id: FirstDecision(SAME, kind)}, {})
        assert (
            identities.verdict(record(decoded(seeded_uuid(), SAME)), decoded(seeded_uuid(), SAME))
            == DECIDE
        )
        same = decoded(message_id, SAME)
        assert identities.verdict(record(same), same) == DUPLICATE
        other = decoded(message_id, OTHER)
        conflict = identities.verdict(record(other), other)
        assert isinstance(conflict, Undecodable)
        assert conflict.reason == Reason.CONFLICTING_DUPLICATE


def test_only_a_replay_of_the_dead_letters_own_bytes_decides_a_rejected_id_again() -> None:
    message_id = seeded_uuid()
    kept = {41: hashlib.sha256(VALUE).digest()}
    identities = Identities({message_id: FirstDecision(SAME, REJECTED)}, kept)
    same = decoded(message_id, SAME)
    assert identities.verdict(record(same, replay_of=41), same) == DECIDE
    assert identities.verdict(record(same, replay_of=42), same) == DUPLICATE  # no such letter
    assert identities.verdict(record(same, 41, value=b'{"other": 1}'), same) == DUPLICATE
    identities.note(same, ACCEPTED)  # the replay was accepted: a second replay is a copy
    assert identities.verdict(record(same, replay_of=41), same) == DUPLICATE


def test_the_first_decision_in_a_batch_stands_until_an_acceptance() -> None:
    message_id = seeded_uuid()
    identities = Identities({}, {})
    identities.note(decoded(message_id, SAME), REJECTED)
    identities.note(decoded(message_id, OTHER), REJECTED)  # a later copy fixes nothing
    other = decoded(message_id, OTHER)
    assert isinstance(identities.verdict(record(other), other), Undecodable)
