"""Re-submit dead letters once their cause is fixed (say the missing institution arrived).

The original bytes and key go back to the original topic with a `replay-of` header naming the
dead letter. The worker decides them like any message, and records the outcome (accepted,
duplicate, rejected again) in `rejected_replays` in the same transaction as the batch. Nothing
of the dead letter itself changes: both tables are append-only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from kafka import KafkaProducer

from consumers.ingest import REPLAY_HEADER, SEND_TIMEOUT_S
from infra.replays import record_submissions, replayable
from infra.store import Ledger


@dataclass(frozen=True)
class Submitted:
    """A dead letter sent again."""

    rejected_id: int
    reason: str
    message_id: str
    topic: str


def replay_rejected(
    ledger: Ledger, producer: KafkaProducer, reason: str | None = None, limit: int = 10_000
) -> list[Submitted]:
    """Send replayable dead letters again and record each submission."""
    entries = replayable(ledger, reason, limit)
    futures = [
        producer.send(
            e.source_topic,
            key=e.message_key,
            value=e.message_value,
            headers=[(REPLAY_HEADER, str(e.id).encode())],
        )
        for e in entries
    ]
    producer.flush(timeout=SEND_TIMEOUT_S)
    for future in futures:
        future.get(timeout=SEND_TIMEOUT_S)
    # Recorded after the broker acknowledged: a crash in between only means a re-submission,
    # which the worker turns into a duplicate no-op.
    record_submissions(ledger, entries, datetime.now(UTC))
    return [Submitted(e.id, e.reason, str(e.message_id), e.source_topic) for e in entries]
