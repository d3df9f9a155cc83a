"""The stored Kafka offsets and their one sanctioned way back: an explicit reset, recorded in
`ledger_offset_resets` (who, when, why, from where to where) in the same transaction that moves
the tracking row, so a moved offset never lacks its reason.

The worker only ever moves a tracking row forward (single-row tracking refuses anything else,
infra/store.py); this is the one place that moves one back, or past a hole in the log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from infra.application.rows import (
    OFFSET_TRACKING_PREFIX,
    offset_tracking_name,
    parse_offset_tracking_name,
)
from infra.store import Ledger


@dataclass(frozen=True)
class OffsetReset:
    """One operator's decision of where the worker reads a partition on (next offsets)."""

    cluster_id: str
    topic: str
    partition: int
    from_next: int | None
    """The next offset stored before the reset; None when nothing was stored."""
    to_next: int
    reason: str
    reset_by: str
    reset_at: datetime


def stored_next_offsets(ledger: Ledger) -> dict[tuple[str, str, int], int]:
    """The next offset of every partition of every cluster stored, by (cluster, topic,
    partition)."""
    with ledger.datastore.transaction(commit=False) as curs:
        curs.execute(
            "SELECT application_name, notification_id FROM ledger_tracking"
            " WHERE starts_with(application_name, %s)",
            (OFFSET_TRACKING_PREFIX,),
        )
        rows = curs.fetchall()
    return {
        parse_offset_tracking_name(r["application_name"]): int(r["notification_id"]) + 1
        for r in rows
    }


def reset_offset(ledger: Ledger, reset: OffsetReset) -> OffsetReset:
    """Record `reset` and move the partition's stored offset to it, in one transaction; the
    returned record holds the offset it moved from, read under the row's lock."""
    if not reset.reason.strip() or not reset.reset_by.strip():
        raise ValueError("an offset reset needs a reason and who decided it")
    if reset.to_next < 0:
        raise ValueError(f"an offset is never negative, got {reset.to_next}")
    name = offset_tracking_name(reset.cluster_id, reset.topic, reset.partition)
    with ledger.datastore.transaction(commit=True) as curs:
        # The row lock waits for a batch that is committing this partition, so `from_next` is
        # what the worker last stored, not a value it is about to overwrite.
        curs.execute(
            "SELECT notification_id FROM ledger_tracking WHERE application_name = %s FOR UPDATE",
            (name,),
        )
        row = curs.fetchone()
        done = OffsetReset(
            **{**reset.__dict__, "from_next": None if row is None else row["notification_id"] + 1}
        )
        curs.execute(
            "INSERT INTO ledger_offset_resets (source_cluster, source_topic, source_partition,"
            " from_offset, to_offset, reason, reset_by, reset_at)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            (
                done.cluster_id,
                done.topic,
                done.partition,
                done.from_next,
                done.to_next,
                done.reason,
                done.reset_by,
                done.reset_at,
            ),
        )
        # The tracking row holds the last offset read, one before the next (-1 for none yet).
        curs.execute(
            "INSERT INTO ledger_tracking (application_name, notification_id) VALUES (%s, %s)"
            " ON CONFLICT (application_name)"
            " DO UPDATE SET notification_id = excluded.notification_id",
            (name, done.to_next - 1),
        )
    return done


def offset_resets(ledger: Ledger) -> list[OffsetReset]:
    """Every reset on record, oldest first."""
    with ledger.datastore.transaction(commit=False) as curs:
        curs.execute(
            "SELECT source_cluster, source_topic, source_partition, from_offset, to_offset,"
            " reason, reset_by, reset_at FROM ledger_offset_resets ORDER BY id"
        )
        rows = curs.fetchall()
    return [OffsetReset(*r.values()) for r in rows]


def dead_letters_from(
    ledger: Ledger, cluster_id: str, topic: str, partition: int, offset: int
) -> int:
    """Dead letters kept for the partition at `offset` or later. After a reset to before them
    on a broker that reuses the cluster id, a new record at one of those offsets is taken for
    the dead letter read again and is not decided (infra/application/batch.py logs it)."""
    with ledger.datastore.transaction(commit=False) as curs:
        curs.execute(
            "SELECT count(*) AS n FROM rejected_messages WHERE source_cluster = %s"
            " AND source_topic = %s AND source_partition = %s AND source_offset >= %s",
            (cluster_id, topic, partition, offset),
        )
        row = curs.fetchone()
    return int(row["n"]) if row else 0
