"""The relay's statements: the log after a position with each event's chain link, and how far
each relay published it to one topic of one Kafka cluster (`ledger_relay_streams`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from infra.store import Ledger

EVENTS_AFTER = (
    "SELECT e.notification_id AS position, c.previous_position, e.originator_id,"
    " e.originator_version, e.topic, e.state, c.hash"
    " FROM ledger_events e JOIN ledger_chain c ON c.position = e.notification_id"
    " WHERE e.notification_id > %s ORDER BY e.notification_id LIMIT %s"
)
POSITION = (
    "SELECT position FROM ledger_relay_streams"
    " WHERE relay_name = %s AND cluster_id = %s AND topic = %s"
)
ADVANCE = (
    "INSERT INTO ledger_relay_streams (relay_name, cluster_id, topic, position, updated_at)"
    " VALUES (%s, %s, %s, %s, %s)"
    " ON CONFLICT (relay_name, cluster_id, topic) DO UPDATE SET position = EXCLUDED.position,"
    " updated_at = EXCLUDED.updated_at WHERE ledger_relay_streams.position < EXCLUDED.position"
)
RESTART = (
    "UPDATE ledger_relay_streams SET position = 0, updated_at = %s"
    " WHERE relay_name = %s AND cluster_id = %s AND topic = %s"
)
# A relay name's position from before progress was kept per stream, as long as the name has
# published to no stream since: only its first stream may take that position over.
LEGACY = (
    "SELECT p.position FROM ledger_relay_progress p WHERE p.relay_name = %s"
    " AND NOT EXISTS (SELECT 1 FROM ledger_relay_streams s WHERE s.relay_name = p.relay_name)"
)


@dataclass(frozen=True)
class RelayStream:
    """Where one relay publishes: its name, the cluster's id, and the topic."""

    relay_name: str
    cluster_id: str
    topic: str


def position_of(ledger: Ledger, stream: RelayStream) -> int | None:
    """The last position the broker acknowledged on `stream`; None: never published there."""
    with ledger.datastore.transaction(commit=False) as curs:
        curs.execute(POSITION, _key(stream))
        row = curs.fetchone()
    return None if row is None else int(row["position"])


def events_after(ledger: Ledger, after: int, limit: int) -> list[Any]:
    """Up to `limit` events after position `after`, in order, with their chain links (rows
    with position, previous_position, originator_id, originator_version, topic, state, hash)."""
    with ledger.datastore.transaction(commit=False) as curs:
        curs.execute(EVENTS_AFTER, (after, limit))
        return list(curs.fetchall())


def advance(ledger: Ledger, stream: RelayStream, position: int, at: datetime) -> None:
    """Move the stream's position forward to `position` (never back); also takes a legacy
    position over for a relay name's first stream."""
    with ledger.datastore.transaction(commit=True) as curs:
        curs.execute(ADVANCE, (*_key(stream), position, at))


def restart(ledger: Ledger, stream: RelayStream, at: datetime) -> None:
    """Publish the stream again from position 1: its topic lost its records."""
    with ledger.datastore.transaction(commit=True) as curs:
        curs.execute(RESTART, (at, *_key(stream)))


def legacy_position(ledger: Ledger, relay_name: str) -> int:
    """The position `relay_name` saved before progress was kept per stream; 0 once the name
    published to any stream, or when it saved none."""
    with ledger.datastore.transaction(commit=False) as curs:
        curs.execute(LEGACY, (relay_name,))
        row = curs.fetchone()
    return 0 if row is None else int(row["position"])


def _key(stream: RelayStream) -> tuple[str, str, str]:
    return stream.relay_name, stream.cluster_id, stream.topic
