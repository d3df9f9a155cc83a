"""Re-submit dead letters once their cause is fixed (say the missing institution arrived).

The original bytes and key go back to the original topic with a `replay-of` header naming the
dead letter. The worker decides them like any message, and records the outcome (accepted,
duplicate, rejected again) in `rejected_replays` in the same transaction as the batch. Nothing
of the dead letter itself changes: both tables are append-only.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from kafka import KafkaProducer, TopicPartition

from consumers.dead_letters import HEADROOM_BYTES
from infra.application.batch import BatchOutcome
from infra.application.rows import ReplayOutcome
from infra.kafka import MAX_REQUEST_BYTES, Outgoing, send_acknowledged
from infra.queries import RejectedEntry
from infra.replays import record_submissions, replayable
from infra.store import Ledger

REPLAY_HEADER = "replay-of"  # set by `rejected replay`: the id of the dead letter re-sent

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Submitted:
    """A dead letter sent again."""

    rejected_id: int
    reason: str
    message_id: str
    topic: str


@dataclass(frozen=True)
class Replayed:
    """What `replay_rejected` did: the dead letters sent again, and those kept in the table
    that are too large to go back through Kafka whole."""

    submitted: list[Submitted]
    too_large: list[Submitted]


def replay_rejected(
    ledger: Ledger, producer: KafkaProducer, reason: str | None = None, limit: int = 10_000
) -> Replayed:
    """Send replayable dead letters again and record each submission."""
    entries = replayable(ledger, reason, limit)
    fits = [e for e in entries if _fits_a_request(e)]
    send_acknowledged(
        producer,
        (
            Outgoing(
                e.source_topic,
                e.message_key,
                e.message_value,
                [(REPLAY_HEADER, str(e.id).encode())],
            )
            for e in fits
        ),
    )
    # Recorded after the broker acknowledged: a crash in between only means a re-submission,
    # which the worker turns into a duplicate no-op.
    record_submissions(ledger, fits, datetime.now(UTC))
    return Replayed(
        [_submitted(e) for e in fits], [_submitted(e) for e in entries if not _fits_a_request(e)]
    )


def _fits_a_request(entry: RejectedEntry) -> bool:
    # A record the producer cannot send would fail every replay of the batch; it stays in the
    # table, whole, and is listed instead.
    size = len(entry.message_key or b"") + len(entry.message_value or b"")
    return size <= MAX_REQUEST_BYTES - HEADROOM_BYTES


def _submitted(entry: RejectedEntry) -> Submitted:
    return Submitted(entry.id, entry.reason, str(entry.message_id), entry.source_topic)


def replay_outcomes(
    polled: dict[TopicPartition, list[Any]],
    outcome: BatchOutcome,
    at: datetime,
    kept: Callable[[Sequence[int]], Mapping[int, bytes | None]],
) -> list[ReplayOutcome]:
    """What became of each replayed dead letter in this batch: accepted, rejected again, or a
    duplicate of a message accepted before (its second replay, say). A `replay-of` header is
    the sender's claim: it counts only when it names a dead letter (`kept` gives the SHA-256 of
    each one's value) whose bytes are the record's own, else it is logged and ignored."""
    accepted = {
        (a.source_topic, a.source_partition, a.source_offset) for a in outcome.record.accepted
    }
    rejected = {
        (d.source_topic, d.source_partition, d.source_offset): d for d in outcome.record.rejected
    }
    # A replay held for a reference again has no outcome yet; its dead letter stays listed.
    held = {(h.source_topic, h.source_partition, h.source_offset) for h in outcome.record.holds}
    claimed = [
        (m, replay_of)
        for messages in polled.values()
        for m in messages
        if (replay_of := dead_letter_id(dict(m.headers or []).get(REPLAY_HEADER))) is not None
    ]
    digests = kept(sorted({replay_of for _, replay_of in claimed})) if claimed else {}
    outcomes = []
    for m, replay_of in claimed:
        where = (m.topic, m.partition, m.offset)
        value = None if m.value is None else hashlib.sha256(m.value).digest()
        if replay_of not in digests or digests[replay_of] != value:
            log.warning(
                "ignoring the %s header of the record at %s/%d@%d: dead letter %d %s",
                REPLAY_HEADER,
                *where,
                replay_of,
                "does not exist" if replay_of not in digests else "holds other bytes",
            )
            continue
        if where in held:
            continue
        kind, reason, detail = "duplicate", None, "identical to a message accepted before"
        if where in accepted:
            kind, detail = "accepted", ""
        elif where in rejected:
            kind, reason, detail = "rejected", rejected[where].reason, rejected[where].detail
        outcomes.append(ReplayOutcome(replay_of, kind, reason, detail, *where, recorded_at=at))
    return outcomes


def dead_letter_id(header: bytes | None) -> int | None:
    if header is None:
        return None
    text = header.decode("ascii", "replace")
    if not text.isdigit() or len(text) > 18:
        # The header is the sender's claim; a malformed one is noted, never fatal.
        log.warning("ignoring a %s header that is not a dead-letter id: %r", REPLAY_HEADER, text)
        return None
    return int(text)
