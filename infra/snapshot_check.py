"""`claims-ledger snapshots-check`: every stored snapshot against a replay of its events.

Snapshots are a cache the worker loads instead of replaying (infra/snapshots.py); one that does
not match its events would make the worker decide on a wrong state. Two server-side cursors walk
the snapshots and the events of snapshotted aggregates in the same (id, version) order, so
memory holds one aggregate's history at a time.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.persistence import Mapper, StoredEvent
from eventsourcing.utils import TopicError
from psycopg.rows import dict_row

from infra.snapshots import load_snapshot, replay
from infra.transcodings import ledger_transcoder

FETCH = 2_000  # rows per round trip of each server-side cursor


@dataclass(frozen=True)
class BadSnapshot:
    """A snapshot that differs from the replay of its aggregate's events."""

    aggregate_id: UUID
    version: int
    problem: str


@dataclass
class SnapshotVerdict:
    """How many snapshots were compared, and those that did not match."""

    checked: int = 0
    bad: list[BadSnapshot] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.bad


def check_snapshots(database_url: str, role: str | None = None) -> SnapshotVerdict:
    """Replay each snapshotted aggregate from its events and compare it with each snapshot."""
    # The ledger's mapper as the application builds it: its transcoder, no cipher or compressor.
    mapper: Mapper[UUID] = Mapper(transcoder=ledger_transcoder())
    verdict = SnapshotVerdict()
    options = f"-c role={role}" if role else ""
    with psycopg.connect(database_url, options=options, row_factory=dict_row) as conn:
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        snapshots = _stream(
            conn,
            "snapshots",
            "SELECT originator_id, originator_version, topic, state FROM ledger_snapshots"
            " ORDER BY originator_id, originator_version",
        )
        events = _stream(
            conn,
            "events",
            "SELECT originator_id, originator_version, topic, state FROM ledger_events"
            " WHERE originator_id IN (SELECT originator_id FROM ledger_snapshots)"
            " ORDER BY originator_id, originator_version",
        )
        histories = _histories(events)
        next(histories)
        for aggregate_id, taken in groupby(snapshots, key=lambda row: row["originator_id"]):
            history = histories.send(aggregate_id)
            for snapshot in taken:
                verdict.checked += 1
                problem = _compare(snapshot, history, mapper)
                if problem:
                    verdict.bad.append(
                        BadSnapshot(aggregate_id, snapshot["originator_version"], problem)
                    )
    return verdict


def _histories(
    events: Iterator[dict[str, Any]],
) -> Generator[list[dict[str, Any]], UUID, None]:
    """Sent an aggregate id, yields its events; ids must come in the events' order. PostgreSQL
    orders uuids by their bytes, as Python does, so an id with no events is passed by."""
    grouped = groupby(events, key=lambda row: row["originator_id"])
    current = next(grouped, None)
    wanted = yield []
    while True:
        while current is not None and current[0] < wanted:
            current = next(grouped, None)
        found = list(current[1]) if current is not None and current[0] == wanted else []
        wanted = yield found


def _compare(
    snapshot: dict[str, Any], history: list[dict[str, Any]], mapper: Mapper[UUID]
) -> str | None:
    version = snapshot["originator_version"]
    events = [row for row in history if row["originator_version"] <= version]
    if not events or events[-1]["originator_version"] != version:
        return f"no event at version {version}"
    stored = StoredEvent(
        snapshot["originator_id"], version, snapshot["topic"], bytes(snapshot["state"])
    )
    try:
        loaded = load_snapshot(stored)
    # A snapshot that does not even decode is a finding to report, not a crash.
    except (ValueError, KeyError, TypeError, AttributeError, TopicError) as error:
        return f"does not load: {type(error).__name__}: {error}"
    replayed = replay(events, mapper)
    if type(loaded) is not type(replayed):
        return f"is a {type(loaded).__name__}, the events make a {type(replayed).__name__}"
    differing = sorted(
        name
        for name in set(vars(loaded)) | set(vars(replayed))
        if name != "_pending_events" and vars(loaded).get(name) != vars(replayed).get(name)
    )
    return f"differs in {', '.join(differing)}" if differing else None


def _stream(conn: psycopg.Connection[Any], name: str, query: str) -> Iterator[dict[str, Any]]:
    with conn.cursor(name=name) as cursor:
        cursor.itersize = FETCH
        cursor.execute(query)
        yield from cursor
