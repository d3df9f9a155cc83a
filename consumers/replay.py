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
from infra.queries import RejectedEntry, rejected_entries
from infra.store import Ledger

# The first dead letter of each message id that was never accepted since; a message without a
# readable id (malformed JSON, say) has nothing a later fact could fix, so it is not replayed.
SELECT_REPLAYABLE = (
    "SELECT r.id, r.reason, r.detail, r.message_id, r.source_cluster, r.source_topic,"
    " r.source_partition, r.source_offset, r.message_key, r.message_value, r.rejected_at"
    " FROM rejected_messages r"
    " WHERE r.message_id IS NOT NULL"
    " AND (%(reason)s::text IS NULL OR r.reason = %(reason)s)"
    " AND NOT EXISTS (SELECT 1 FROM ledger_messages m WHERE m.message_id = r.message_id)"
    " AND r.id = (SELECT min(o.id) FROM rejected_messages o WHERE o.message_id = r.message_id)"
    " ORDER BY r.id LIMIT %(limit)s"
)
INSERT_SUBMITTED = (
    "INSERT INTO rejected_replays (rejected_id, kind, detail, source_topic, recorded_at)"
    " VALUES (%s, 'submitted', %s, %s, %s)"
)


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
    with ledger.datastore.transaction(commit=False) as curs:
        curs.execute(SELECT_REPLAYABLE, {"reason": reason, "limit": limit})
        entries = rejected_entries(curs.fetchall())
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
    now = datetime.now(UTC)
    with ledger.datastore.transaction(commit=True) as curs:
        curs.executemany(INSERT_SUBMITTED, [_submitted_row(e, now) for e in entries])
    return [Submitted(e.id, e.reason, str(e.message_id), e.source_topic) for e in entries]


def _submitted_row(entry: RejectedEntry, at: datetime) -> tuple[object, ...]:
    return (entry.id, f"was {entry.reason}: {entry.detail}", entry.source_topic, at)
