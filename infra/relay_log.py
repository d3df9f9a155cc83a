"""The relay's statements: the log after a position with each event's chain link, and the
position the broker acknowledged, kept per relay name."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from infra.store import Ledger

EVENTS_AFTER = (
    "SELECT e.notification_id AS position, c.previous_position, e.originator_id,"
    " e.originator_version, e.topic, e.state, c.hash"
    " FROM ledger_events e JOIN ledger_chain c ON c.position = e.notification_id"
    " WHERE e.notification_id > %s ORDER BY e.notification_id LIMIT %s"
)
SAVE_POSITION = (
    "INSERT INTO ledger_relay_progress (relay_name, position, updated_at) VALUES (%s, %s, %s)"
    " ON CONFLICT (relay_name) DO UPDATE SET position = EXCLUDED.position,"
    " updated_at = EXCLUDED.updated_at WHERE ledger_relay_progress.position < EXCLUDED.position"
)


def relay_position(ledger: Ledger, name: str) -> int:
    """The last position saved under `name` (0: nothing yet)."""
    with ledger.datastore.transaction(commit=False) as curs:
        curs.execute("SELECT position FROM ledger_relay_progress WHERE relay_name = %s", (name,))
        row = curs.fetchone()
    return 0 if row is None else int(row["position"])


def events_after(ledger: Ledger, after: int, limit: int) -> list[Any]:
    """Up to `limit` events after position `after`, in order, with their chain links (rows
    with position, previous_position, originator_id, originator_version, topic, state, hash)."""
    with ledger.datastore.transaction(commit=False) as curs:
        curs.execute(EVENTS_AFTER, (after, limit))
        return list(curs.fetchall())


def save_relay_position(ledger: Ledger, name: str, position: int, at: datetime) -> None:
    """Move the position saved under `name` forward to `position` (never back)."""
    with ledger.datastore.transaction(commit=True) as curs:
        curs.execute(SAVE_POSITION, (name, position, at))
