"""What `claims-ledger held` shows: the messages held for a reference not known yet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from infra.store import Ledger


@dataclass(frozen=True)
class HeldEntry:
    """A held message as stored, not yet released."""

    id: int
    held_at: datetime
    stream_at: datetime | None
    source_cluster: str
    source_topic: str
    source_partition: int
    source_offset: int
    message_type: str
    message_id: UUID
    awaits: str | None  # "kind:id", None when held behind an earlier message of its entity
    reason: str
    detail: str


def held_messages(ledger: Ledger, limit: int = 1000) -> list[HeldEntry]:
    """The held messages in the order they will be decided once ready (queue order)."""
    with ledger.datastore.transaction(commit=False) as curs:
        curs.execute(
            "SELECT h.id, h.held_at, h.stream_at, h.source_cluster, h.source_topic,"
            " h.source_partition, h.source_offset, h.message_type, h.message_id, h.awaits,"
            " h.reason, h.detail FROM ledger_held h WHERE NOT EXISTS"
            " (SELECT 1 FROM ledger_held_releases r WHERE r.held_id = h.id)"
            " ORDER BY h.source_cluster, h.queue_position, h.id LIMIT %s",
            (limit,),
        )
        return [HeldEntry(**row) for row in curs.fetchall()]


def waiting_for(ledger: Ledger, message_id: str) -> str | None:
    """What a held message waits for ("kind id", or the message it waits behind), or None if
    no message of this id is held."""
    with ledger.datastore.transaction(commit=False) as curs:
        curs.execute(
            "SELECT h.awaits, h.detail FROM ledger_held h WHERE h.message_id = %s AND NOT EXISTS"
            " (SELECT 1 FROM ledger_held_releases r WHERE r.held_id = h.id) ORDER BY h.id LIMIT 1",
            (message_id,),
        )
        row = curs.fetchone()
    return None if row is None else awaited_text(row["awaits"], row["detail"])


def awaited_text(awaits: str | None, detail: str) -> str:
    """What a held message waits for, as people read it: "person P-1", or its detail (the
    earlier held message it waits behind)."""
    if awaits is None:
        return detail
    kind, _, entity_id = awaits.partition(":")
    return f"{kind} {entity_id}"
