"""Snapshots of busy aggregates in `ledger_snapshots`, so loading one replays only the events
after its latest snapshot instead of its whole history.

Why: an aggregate that falls out of the worker's cache (infra/application/cache.py) was
reloaded by replaying every event it ever had; pooled fund accounts, institutions and persons'
accounts have long histories, and at a million events the replays dominated the worker's and
PostgreSQL's time. A bigger cache costs memory; a snapshot every few versions costs a row.

Snapshots are a cache, not evidence: the chain covers the events only, `verify` ignores this
table, and `claims-ledger snapshots-check` compares every snapshot with a replay of its events.
They use the library's `Snapshot` (its `take` and `mutate`); the state's bytes are ours
(infra/snapshot_codec.py says why), stored as (aggregate id, version, aggregate topic, state).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, cast
from uuid import UUID

from eventsourcing.domain import Aggregate, Snapshot
from eventsourcing.persistence import Mapper, StoredEvent

from infra.snapshot_codec import decode_state, encode_state

SNAPSHOT_INTERVAL = "LEDGER_SNAPSHOT_INTERVAL"  # key of the application's env
DEFAULT_SNAPSHOT_INTERVAL = 5

NOT_STORED = datetime(1970, 1, 1, tzinfo=UTC)  # the timestamp of a loaded snapshot

SNAPSHOT_COLUMNS = (
    ("originator_id", "uuid"),
    ("originator_version", "int8"),
    ("topic", "text"),
    ("state", "bytea"),
)
INSERT_SNAPSHOTS = (
    "INSERT INTO ledger_snapshots (originator_id, originator_version, topic, state)"
    " SELECT * FROM unnest(%s::uuid[], %s::bigint[], %s::text[], %s::bytea[])"
)

# The latest snapshot of each aggregate and the events after it, in one statement. Both reads are
# lateral, so each is a range scan of a primary key per id: the version bound after the snapshot
# becomes part of the index condition. A plain join left that bound as a filter, and at 550 000
# events the planner chose to hash-join a sequential scan of the whole events table, 0.4 s a
# batch (EXPLAIN ANALYZE in the 1M bench). The events' subquery ends in `OFFSET 0` so that the
# planner cannot pull it up into such a join either: without statistics (autovacuum off or
# behind) it did, scanning the whole log at 60 000 events (tests/integration/
# test_plans_without_statistics.py). An aggregate without a snapshot reads all its events.
# Snapshot rows sort before the events that follow them, because their version is lower.
# `{events}` is the events table.
READ_LATEST = """
WITH wanted AS (SELECT DISTINCT unnest(%b::uuid[]) AS id),
latest AS (
    SELECT wanted.id AS originator_id, s.originator_version, s.topic, s.state
    FROM wanted LEFT JOIN LATERAL (
        SELECT originator_version, topic, state FROM ledger_snapshots
        WHERE originator_id = wanted.id ORDER BY originator_version DESC LIMIT 1
    ) AS s ON true
)
SELECT originator_id, originator_version, topic, state, true AS snapshot FROM latest
WHERE originator_version IS NOT NULL
UNION ALL
SELECT l.originator_id, e.originator_version, e.topic, e.state, false
FROM latest l CROSS JOIN LATERAL (
    SELECT originator_version, topic, state FROM {events}
    WHERE originator_id = l.originator_id
      AND originator_version > coalesce(l.originator_version, 0)
    OFFSET 0
) AS e
ORDER BY originator_id, originator_version
"""


def snapshot_interval(env: Mapping[str, str]) -> int:
    """`LEDGER_SNAPSHOT_INTERVAL` from the application's env: versions between snapshots of
    an aggregate, 0 for none."""
    raw = (env.get(SNAPSHOT_INTERVAL) or "").strip()
    if not raw:
        return DEFAULT_SNAPSHOT_INTERVAL
    try:
        interval = int(raw)
    except ValueError:
        raise ValueError(f"{SNAPSHOT_INTERVAL} must be an integer, got {raw!r}") from None
    if interval < 0:
        raise ValueError(f"{SNAPSHOT_INTERVAL} must be 0 (off) or more, got {raw!r}")
    return interval


def due_snapshots(
    interval: int, events: Iterable[Any], aggregates: Mapping[UUID, Aggregate | None]
) -> list[StoredEvent]:
    """Snapshots of the aggregates whose new `events` crossed a multiple of `interval`, each
    taken at the aggregate's version after the events (what the batch commits)."""
    if interval <= 0:
        return []
    first: dict[UUID, int] = {}
    last: dict[UUID, int] = {}
    for event in events:
        first.setdefault(event.originator_id, event.originator_version)
        last[event.originator_id] = event.originator_version
    due = []
    for aggregate_id, version in first.items():
        aggregate = aggregates.get(aggregate_id)
        # An aggregate already changed past these events (taken after later batches were
        # decided) would be snapshotted at a version whose state this batch does not hold, and
        # twice over by later batches: skip it. `Ledger.decide` takes them before any later
        # batch, so this only guards other callers.
        if aggregate is None or aggregate.version != last[aggregate_id]:
            continue
        # Batches write several events of an aggregate at once, so versions are not met one by
        # one: a snapshot is due when the batch passed a multiple, e.g. 4 -> 7 with interval 5.
        if aggregate.version // interval > (version - 1) // interval:
            due.append(stored_snapshot(aggregate))
    return due


def stored_snapshot(aggregate: Aggregate) -> StoredEvent:
    """The row of a snapshot of the aggregate as it is now."""
    taken = Snapshot.take(aggregate)
    # No timestamp stored: a snapshot's bytes depend only on the state, whoever writes it.
    return StoredEvent(
        taken.originator_id, taken.originator_version, taken.topic, encode_state(taken.state)
    )


def load_snapshot(stored: StoredEvent) -> Aggregate:
    """The aggregate a snapshot row holds."""
    snapshot = Snapshot(
        originator_id=UUID(str(stored.originator_id)),
        originator_version=stored.originator_version,
        timestamp=NOT_STORED,
        topic=stored.topic,
        state=decode_state(stored.state),
    )
    return cast(Aggregate, snapshot.mutate(None))


def replay(rows: Sequence[Mapping[str, Any]], mapper: Mapper[UUID]) -> Aggregate | None:
    """An aggregate from its rows in version order: optionally a snapshot first (`snapshot`
    true), then events."""
    aggregate: Any = None
    for row in rows:
        stored = StoredEvent(
            row["originator_id"], row["originator_version"], row["topic"], bytes(row["state"])
        )
        if row.get("snapshot"):
            aggregate = load_snapshot(stored)
            continue
        # The library's project_aggregate asserts a runtime Protocol on every event, which
        # cost a tenth of the worker's time at a million events; the mapper only makes events.
        aggregate = cast(Any, mapper.to_domain_event(stored)).mutate(aggregate)
    return cast(Aggregate | None, aggregate)
