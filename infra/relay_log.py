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
PROGRESS = (
    "SELECT position, records FROM ledger_relay_streams"
    " WHERE relay_name = %s AND cluster_id = %s AND topic = %s"
)
ADVANCE = (
    "INSERT INTO ledger_relay_streams"
    " (relay_name, cluster_id, topic, position, records, updated_at)"
    " VALUES (%s, %s, %s, %s, %s, %s)"
    " ON CONFLICT (relay_name, cluster_id, topic) DO UPDATE SET position = EXCLUDED.position,"
    " records = ledger_relay_streams.records + EXCLUDED.records,"
    " updated_at = EXCLUDED.updated_at WHERE ledger_relay_streams.position < EXCLUDED.position"
)
RESTART = (
    "UPDATE ledger_relay_streams SET position = 0, records = 0, updated_at = %s"
    " WHERE relay_name = %s AND cluster_id = %s AND topic = %s"
)
# A relay name's position from before progress was kept per stream, and whether the name has
# published to any stream since: only its first stream may take that position over.
LEGACY = (
    "SELECT p.position FROM ledger_relay_progress p WHERE p.relay_name = %s"
    " AND NOT EXISTS (SELECT 1 FROM ledger_relay_streams s WHERE s.relay_name = p.relay_name)"
)
EVENTS_UP_TO = "SELECT count(*) AS n FROM ledger_events WHERE notification_id <= %s"


@dataclass(frozen=True)
class RelayStream:
    """Where one relay publishes: its name, the cluster's id, and the topic."""

    relay_name: str
    cluster_id: str
    topic: str


@dataclass(frozen=True)
class Progress:
    """How far a relay published to one stream."""

    position: int = 0
    """The last position the broker acknowledged (0: nothing yet)."""
    records: int = 0
    """Records the broker acknowledged on this stream since it started from position 1: a floor
    for the topic's record count (a crash's re-sent batch only adds to the topic)."""


def progress_of(ledger: Ledger, stream: RelayStream) -> Progress | None:
    """The progress saved for `stream`, None when the relay never published there."""
    with ledger.datastore.transaction(commit=False) as curs:
        curs.execute(PROGRESS, (stream.relay_name, stream.cluster_id, stream.topic))
        row = curs.fetchone()
    return None if row is None else Progress(int(row["position"]), int(row["records"]))


def events_after(ledger: Ledger, after: int, limit: int) -> list[Any]:
    """Up to `limit` events after position `after`, in order, with their chain links (rows
    with position, previous_position, originator_id, originator_version, topic, state, hash)."""
    with ledger.datastore.transaction(commit=False) as curs:
        curs.execute(EVENTS_AFTER, (after, limit))
        return list(curs.fetchall())


def advance(ledger: Ledger, stream: RelayStream, position: int, sent: int, at: datetime) -> None:
    """Move the stream's position forward to `position` (never back), counting `sent` more
    acknowledged records."""
    with ledger.datastore.transaction(commit=True) as curs:
        curs.execute(ADVANCE, (*_key(stream), position, sent, at))


def restart(ledger: Ledger, stream: RelayStream, at: datetime) -> None:
    """Publish the stream again from position 1: its topic lost records."""
    with ledger.datastore.transaction(commit=True) as curs:
        curs.execute(RESTART, (at, *_key(stream)))


def legacy_progress(ledger: Ledger, relay_name: str) -> Progress | None:
    """The position `relay_name` saved before progress was kept per stream, with the number of
    events up to it; None once the name published to any stream, or when it saved nothing."""
    with ledger.datastore.transaction(commit=False) as curs:
        curs.execute(LEGACY, (relay_name,))
        row = curs.fetchone()
        if row is None or int(row["position"]) == 0:
            return None
        position = int(row["position"])
        curs.execute(EVENTS_UP_TO, (position,))
        counted = curs.fetchone()
    return Progress(position, int(counted["n"]) if counted else 0)


def adopt(ledger: Ledger, stream: RelayStream, legacy: Progress, at: datetime) -> None:
    """Take a legacy position over for the relay name's first stream."""
    with ledger.datastore.transaction(commit=True) as curs:
        curs.execute(ADVANCE, (*_key(stream), legacy.position, legacy.records, at))


def _key(stream: RelayStream) -> tuple[str, str, str]:
    return stream.relay_name, stream.cluster_id, stream.topic
