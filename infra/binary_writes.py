"""The batch transaction's rows in PostgreSQL's binary format: COPY for the appended rows
(events, hash chain, accepted messages), one upsert over typed arrays for the offsets.

Why: the library's insert builds a composite value per event in Python and sends the array as
text, which cost the worker more than PostgreSQL's own work on the insert (issue 17). Binary
COPY sends each value in its wire form and PostgreSQL parses nothing. The stored bytes are the
same either way (tests/integration/test_binary_writes.py compares two stores byte for byte).

COPY returns no generated keys, so the events' notification ids are taken from the table's
sequence first, under the library's insert lock, and copied as values: the lock serialises
every append, so the ids still rise in commit order, as with the library's insert.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError, StoredEvent, Tracking
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Composed, Identifier, Literal

from infra.application.rows import AcceptedMessage
from infra.snapshots import SNAPSHOT_COLUMNS

# Each COPY's columns with their PostgreSQL types, in the order rows give the values.
EVENT_COLUMNS = (
    ("originator_id", "uuid"),
    ("originator_version", "int8"),
    ("topic", "text"),
    ("state", "bytea"),
    ("notification_id", "int8"),
)
CHAIN_COLUMNS = (("position", "int8"), ("previous_position", "int8"), ("hash", "bytea"))
ACCEPTED_COLUMNS = (
    ("message_id", "uuid"),
    ("content_sha256", "bytea"),
    ("message_type", "text"),
    ("source_cluster", "text"),
    ("source_topic", "text"),
    ("source_partition", "int4"),
    ("source_offset", "int8"),
    ("recorded_at", "timestamptz"),
)

ChainRow = tuple[int, int, bytes]  # position, previous position, hash


class BinaryWrites:
    """The statements of one recorder's tables; `events_table` and `tracking_table` are the
    library's (named after the application)."""

    def __init__(self, events_table: str, tracking_table: str) -> None:
        self._events = _copy_statement(events_table, EVENT_COLUMNS)
        self._chain = _copy_statement("ledger_chain", CHAIN_COLUMNS)
        self._accepted = _copy_statement("ledger_messages", ACCEPTED_COLUMNS)
        self._snapshots = _copy_statement("ledger_snapshots", SNAPSHOT_COLUMNS)
        # The library's serial column default, spelt out: nextval of the column's sequence,
        # looked up once per statement (the sub-select), not once per id.
        self._take_ids = SQL(
            "SELECT nextval((SELECT pg_get_serial_sequence({table}, 'notification_id')::regclass))"
            " FROM generate_series(1, %b)"
        ).format(table=Literal(events_table))
        # The library's single-row tracking, for every partition of the batch at once: an offset
        # that is not ahead of the stored one updates no row, and fails the batch below.
        self._track = SQL(
            "INSERT INTO {table} (application_name, notification_id)"
            " SELECT * FROM unnest(%b::text[], %b::int8[])"
            " ON CONFLICT (application_name) DO UPDATE"
            " SET notification_id = excluded.notification_id"
            " WHERE {table}.notification_id < excluded.notification_id"
            " RETURNING application_name"
        ).format(table=Identifier(tracking_table))

    def track(self, curs: Cursor[DictRow], offsets: Sequence[Tracking]) -> None:
        """Move the offsets forward, or raise `IntegrityError` if one is not ahead."""
        names = [t.application_name for t in offsets]
        curs.execute(self._track, (names, [t.notification_id for t in offsets]), prepare=True)
        moved = {row["application_name"] for row in curs.fetchall()}
        stale = [t for t in offsets if t.application_name not in moved]
        if stale:
            # The library's message for the same refusal (PostgresTrackingRecorder).
            first = stale[0]
            msg = f"Failed to record tracking for {first.application_name} {first.notification_id}"
            raise IntegrityError(msg)

    def accept(self, curs: Cursor[DictRow], accepted: Sequence[AcceptedMessage]) -> None:
        """Append the accepted messages' rows."""
        rows = (
            (
                m.message_id,
                m.content_sha256,
                m.message_type,
                m.source_cluster,
                m.source_topic,
                m.source_partition,
                m.source_offset,
                m.recorded_at,
            )
            for m in accepted
        )
        _copy(curs, self._accepted, ACCEPTED_COLUMNS, rows)

    def append_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent]
    ) -> list[int]:
        """Append the events with ids taken from the events' sequence, in the order given; the
        caller holds the insert lock. Returns the ids."""
        curs.execute(self._take_ids, (len(stored_events),), prepare=True)
        # One scan calls nextval row by row, so the ids come ascending: sorted all the same, as
        # the library's insert gives the first event the lowest id.
        ids = sorted(row["nextval"] for row in curs.fetchall())
        rows = (
            (as_uuid(e.originator_id), e.originator_version, e.topic, e.state, i)
            for e, i in zip(stored_events, ids, strict=True)
        )
        _copy(curs, self._events, EVENT_COLUMNS, rows)
        return ids

    def snapshots(self, curs: Cursor[DictRow], snapshots: Sequence[StoredEvent]) -> None:
        """Append the aggregates' snapshots (infra/snapshots.py)."""
        rows = (
            (as_uuid(s.originator_id), s.originator_version, s.topic, s.state) for s in snapshots
        )
        _copy(curs, self._snapshots, SNAPSHOT_COLUMNS, rows)

    def chain(self, curs: Cursor[DictRow], rows: Sequence[ChainRow]) -> None:
        """Append the hash chain's entries."""
        _copy(curs, self._chain, CHAIN_COLUMNS, rows)


def _copy_statement(table: str, columns: Sequence[tuple[str, str]]) -> Composed:
    return SQL("COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)").format(
        table=Identifier(table), columns=SQL(", ").join(Identifier(name) for name, _ in columns)
    )


def _copy(
    curs: Cursor[DictRow],
    statement: Composed,
    columns: Sequence[tuple[str, str]],
    rows: Iterable[tuple[Any, ...]],
) -> None:
    with curs.copy(statement) as copy:
        copy.set_types([pg_type for _, pg_type in columns])
        for row in rows:
            copy.write_row(row)


def as_uuid(originator_id: UUID | str) -> UUID:
    """A stored event's originator id as a UUID (the library's type allows a str), without the
    round trip through text when it is one already."""
    return originator_id if isinstance(originator_id, UUID) else UUID(originator_id)
