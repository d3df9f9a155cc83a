"""Dead letters that may be sent again, and the record of each submission in
`rejected_replays` (append-only, like the dead letters themselves)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

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
    " SELECT id, 'submitted', detail, topic, %s"
    " FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS s(id, detail, topic)"
)


def replayable(ledger: Ledger, reason: str | None, limit: int) -> list[RejectedEntry]:
    """Up to `limit` dead letters worth sending again (of one reason, or any), oldest first."""
    with ledger.datastore.transaction(commit=False) as curs:
        curs.execute(SELECT_REPLAYABLE, {"reason": reason, "limit": limit})
        return rejected_entries(curs.fetchall())


def record_submissions(ledger: Ledger, entries: Sequence[RejectedEntry], at: datetime) -> None:
    """Record that each dead letter was sent again at `at`."""
    with ledger.datastore.transaction(commit=True) as curs:
        # One statement, not an executemany: that runs in psycopg's pipeline mode, which can
        # hang on large parameters (infra/store.py, insert_events).
        curs.execute(
            INSERT_SUBMITTED,
            (
                at,
                [e.id for e in entries],
                [f"was {e.reason}: {e.detail}" for e in entries],
                [e.source_topic for e in entries],
            ),
        )
