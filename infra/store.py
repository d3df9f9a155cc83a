"""The event store: an eventsourcing application on PostgreSQL whose transactions also carry
Kafka offsets, accepted message ids and dead letters, so a batch commits all of it or nothing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast
from uuid import UUID

import psycopg
from eventsourcing.application import Application
from eventsourcing.persistence import (
    InfrastructureFactory,
    StoredEvent,
    Transcoder,
)
from eventsourcing.postgres import PostgresDatastore, PostgresFactory, PostgresProcessRecorder
from eventsourcing.utils import Environment, EnvType, get_topic
from psycopg import Cursor
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import DictRow
from psycopg.sql import SQL

from domain.claim import Claim
from infra.application.batch import BatchDecider, BatchOutcome
from infra.application.cache import AggregateCache
from infra.application.held import Decode, Holding, HoldLimit
from infra.application.inbound import InboundRecord
from infra.application.reads import StoreReads
from infra.application.rows import (
    AcceptedMessage,
    BatchRecord,
    DeadLetter,
    HeldRelease,
    HeldRow,
    ReplayOutcome,
)
from infra.binary_writes import BinaryWrites, ChainRow, as_uuid
from infra.chain import GENESIS, link
from infra.known_times import KnownTimes
from infra.snapshots import INSERT_SNAPSHOTS, due_snapshots, snapshot_interval
from infra.transcodings import ledger_transcoder

# The database roles set up by guarantees.sql (cluster-wide, shared by every ledger database).
WRITER_ROLE = "claims_ledger_writer"
READER_ROLE = "claims_ledger_reader"
ACT_AS_ROLE = "LEDGER_ACT_AS_ROLE"  # key of the application's env: the role connections use
# Every write is bounded: a statement that runs longer, or waits longer for the events table's
# lock, fails the batch (the worker backs off and retries it) instead of wedging the worker.
STATEMENT_TIMEOUT = "LEDGER_STATEMENT_TIMEOUT_S"  # key of the application's env
DEFAULT_STATEMENT_TIMEOUT_S = 60
DEFAULT_LOCK_TIMEOUT_S = 30
# "n" writes a batch with the library's INSERT of a composite array instead of binary COPY
# (infra/binary_writes.py): the same rows, kept as a fallback (docs/operations.md).
BINARY_WRITES = "LEDGER_BINARY_WRITES"  # key of the application's env


# One statement per batch, its rows as arrays: an executemany costs a statement per row, on
# both sides, and a batch writes hundreds of accepted messages and chain entries. It also runs
# in psycopg's pipeline mode, which can hang on a megabyte dead letter (see insert_events).
INSERT_ACCEPTED = (
    "INSERT INTO ledger_messages (message_id, content_sha256, message_type, source_cluster,"
    " source_topic, source_partition, source_offset, recorded_at)"
    " SELECT * FROM unnest(%s::uuid[], %s::bytea[], %s::text[], %s::text[], %s::text[],"
    " %s::integer[], %s::bigint[], %s::timestamptz[])"
)
INSERT_REJECTED = (
    "INSERT INTO rejected_messages (source_cluster, source_topic, source_partition,"
    " source_offset, message_key, message_value, message_id, reason, detail, rejected_at,"
    " content_sha256)"
    " SELECT * FROM unnest(%s::text[], %s::text[], %s::integer[], %s::bigint[], %s::bytea[],"
    " %s::bytea[], %s::uuid[], %s::text[], %s::text[], %s::timestamptz[], %s::bytea[])"
    # Re-read coordinates are skipped when deciding; this covers a race with another writer.
    " ON CONFLICT (source_cluster, source_topic, source_partition, source_offset) DO NOTHING"
)


# A text[] per held row does not fit unnest's one array per column: its keys go as one
# text joined by a character no entity id holds, split again by the insert.
INSERT_HELD = (
    "INSERT INTO ledger_held (source_cluster, source_topic, source_partition, source_offset,"
    " message_key, message_value, message_id, content_sha256, message_type, entity_keys,"
    " awaits, reason, detail, queue_position, stream_at, held_at)"
    " SELECT c, t, p, o, k, v, m, s, y, string_to_array(e, chr(31)), a, r, d, q, sa, h"
    " FROM unnest(%s::text[], %s::text[], %s::integer[], %s::bigint[], %s::bytea[],"
    " %s::bytea[], %s::uuid[], %s::bytea[], %s::text[], %s::text[], %s::text[], %s::text[],"
    " %s::text[], %s::bigint[], %s::timestamptz[], %s::timestamptz[])"
    " AS x(c, t, p, o, k, v, m, s, y, e, a, r, d, q, sa, h)"
)
INSERT_HELD_RELEASES = (
    "INSERT INTO ledger_held_releases (held_id, outcome, released_at)"
    " SELECT * FROM unnest(%s::bigint[], %s::text[], %s::timestamptz[])"
)
ENTITY_KEYS_SEPARATOR = "\x1f"

INSERT_CHAIN = (
    "INSERT INTO ledger_chain (position, previous_position, hash)"
    " SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::bytea[])"
)
INSERT_REPLAY_OUTCOME = (
    "INSERT INTO rejected_replays (rejected_id, kind, reason, detail, source_topic,"
    " source_partition, source_offset, recorded_at)"
    " SELECT * FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[],"
    " %s::integer[], %s::bigint[], %s::timestamptz[])"
)


class LedgerRecorder(PostgresProcessRecorder):
    """The library's process recorder, extended to write a `BatchRecord` and the hash chain
    atomically with the events."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.statement_timeout_s = DEFAULT_STATEMENT_TIMEOUT_S
        self.known_times: KnownTimes | None = None  # set by the Ledger, which has the mapper
        self.binary_writes = True
        self._binary = BinaryWrites(self.events_table_name, self.tracking_table_name)
        # Same lock as the library's (insert order = commit order), taken by an owner-run
        # function so the writer role needs no UPDATE right on the events (guarantees.sql).
        self.lock_table_statements = [
            SQL("SET LOCAL lock_timeout = '{0}s'").format(self.datastore.lock_timeout),
            SQL("SELECT ledger_lock_events_for_append()"),
        ]

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        # Not retried here, unlike the library's: ten attempts of a statement that timed out
        # would hold the worker for ten minutes, deaf to SIGTERM. The worker's own backoff
        # retries a failed batch, and gives up after the documented outage.
        # The library's insert, without pipeline mode: psycopg 3.3 stops flushing a pipeline
        # once its queue is empty and then only waits to read, so a message bigger than the
        # socket's buffers (1 MB over a unix socket, a few MB over TCP) is never fully sent and
        # client and server wait for each other forever (docs/operations.md). A batch is a
        # handful of statements, so the round trips pipelining would save are few.
        with (
            self.datastore.get_connection() as conn,
            conn.transaction(),
            conn.cursor() as curs,
        ):
            curs.execute(
                SQL("SET LOCAL statement_timeout = '{0}s'").format(self.statement_timeout_s)
            )
            self._insert_events(curs, stored_events, **kwargs)
            if not stored_events:
                return None
            stored_events = self._known_no_earlier_than_the_log(curs, stored_events, **kwargs)
            if not self.binary_writes:
                self._insert_stored_events(curs, stored_events, **kwargs)
                return self._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
            # What the library's _insert_stored_events does before its insert: the lock (a
            # no-op if the known times took it) and the notification of subscribers.
            self._lock_table(curs)
            self._notify_channel(curs)
            ids = self._binary.append_events(curs, stored_events)
            self._binary.chain(curs, self._chain_rows(curs, stored_events, ids))
            return ids

    def _known_no_earlier_than_the_log(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[StoredEvent]:
        """With `events=` (the domain events of `stored_events`, as `Ledger.commit` passes),
        lift their known times under the insert lock (infra/known_times.py)."""
        events = kwargs.get("events")
        if events is None or self.known_times is None:
            return stored_events
        self._lock_table(curs)  # taken again by the insert: a no-op within one transaction
        return self.known_times.lifted(curs, events, stored_events)

    def _insert_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> None:
        batch = kwargs.get("batch")
        if isinstance(batch, BatchRecord):
            # Single-row tracking refuses an offset that is not ahead of the stored one, so a
            # second writer of the same partition fails instead of doubling events.
            if not self.binary_writes:
                for tracking in batch.offsets:
                    self._insert_tracking(curs, tracking)
            elif batch.offsets:
                self._binary.track(curs, batch.offsets)
            if batch.accepted and self.binary_writes:
                self._binary.accept(curs, batch.accepted)
            elif batch.accepted:
                curs.execute(INSERT_ACCEPTED, _columns([_row(m) for m in batch.accepted], 8))
            if batch.rejected:
                curs.execute(INSERT_REJECTED, _columns([_row(d) for d in batch.rejected], 10))
            if batch.replays:
                curs.execute(INSERT_REPLAY_OUTCOME, _columns([_row(r) for r in batch.replays], 8))
            if batch.holds:
                curs.execute(INSERT_HELD, _columns([_held(h) for h in batch.holds], 16))
            if batch.releases:
                curs.execute(INSERT_HELD_RELEASES, _columns([_row(r) for r in batch.releases], 3))
        snapshots: Sequence[StoredEvent] = kwargs.get("snapshots") or ()
        if snapshots and self.binary_writes:
            self._binary.snapshots(curs, snapshots)
        elif snapshots:
            rows = [
                (as_uuid(s.originator_id), s.originator_version, s.topic, s.state)
                for s in snapshots
            ]
            curs.execute(INSERT_SNAPSHOTS, _columns(rows, 4))
        super()._insert_events(curs, stored_events, **kwargs)

    def _fetch_ids_after_insert_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        """The library's INSERT path (`binary_writes` off): the ids it returned, then the
        chain's entries inserted."""
        ids = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        if ids:
            rows = self._chain_rows(curs, stored_events, ids)
            curs.execute(INSERT_CHAIN, _columns(rows, 3))
        return ids

    @staticmethod
    def _chain_rows(
        curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], ids: Sequence[int]
    ) -> list[ChainRow]:
        """The chain's entries for the events at `ids`, linked to the stored head."""
        # The events table is locked until commit, so the chain's head cannot move under us.
        curs.execute("SELECT position, hash FROM ledger_chain ORDER BY position DESC LIMIT 1")
        head = curs.fetchone()
        previous_position, previous = (
            (0, GENESIS) if head is None else (head["position"], bytes(head["hash"]))
        )
        rows: list[ChainRow] = []
        for stored, position in sorted(zip(stored_events, ids, strict=True), key=lambda p: p[1]):
            entry = link(
                previous,
                position,
                as_uuid(stored.originator_id),
                stored.originator_version,
                stored.topic,
                stored.state,
            )
            rows.append((position, previous_position, entry))
            previous_position, previous = position, entry
        return rows


def _row(
    record: AcceptedMessage | DeadLetter | ReplayOutcome | HeldRelease,
) -> tuple[Any, ...]:
    return tuple(record.__dict__.values())


def _held(row: HeldRow) -> tuple[Any, ...]:
    values = dict(row.__dict__)
    values["entity_keys"] = ENTITY_KEYS_SEPARATOR.join(row.entity_keys)
    return tuple(values.values())


def _columns(rows: Sequence[tuple[Any, ...]], width: int) -> list[list[Any]]:
    """Rows as one list per column, the parameters of an `unnest` insert."""
    return [list(column) for column in zip(*rows, strict=True)] if rows else [[]] * width


class Ledger(Application[UUID]):
    """The ledger's event-sourced application; its events table is `ledger_events`.

    Its command side is `decide` (a poll batch, decoded, into events and rows; writes nothing)
    and `commit` (all of it in one transaction), built from `infra/application/`.
    """

    name = "Ledger"

    def __init__(self, env: EnvType | None = None) -> None:
        super().__init__(env)
        self.reads = StoreReads(self.recorder_, self.mapper)
        self.recorder_.known_times = KnownTimes(self.mapper)
        self.aggregate_cache = AggregateCache(0, self.reads.foreign_writes)
        self.holding: Holding | None = None
        # Versions between an aggregate's snapshots, 0 for none (infra/snapshots.py).
        self.snapshot_interval = snapshot_interval(self.env)

    def hold_unknown_references(self, decode: Decode, limit: HoldLimit) -> None:
        """Hold a message whose reference is not known yet until it is, up to `limit`
        (infra/application/held.py); `decode` reads a held record again in a later batch.
        Without this, such a message is a dead letter at once."""
        self.holding = Holding(decode, limit)

    def cache_aggregates(self, maxsize: int) -> None:
        """Keep up to `maxsize` committed aggregates between batches: only for the single
        writer of the partitions it decides (see infra/application/cache.py)."""
        self.aggregate_cache = AggregateCache(
            maxsize,
            self.reads.foreign_writes,
            # Claims are rarely looked up again once settled; persons' accounts are.
            worth_keeping=lambda aggregate: not isinstance(aggregate, Claim),
        )

    def decide(
        self, records: Sequence[InboundRecord], recorded_at: datetime, *, cluster_id: str
    ) -> BatchOutcome:
        """Decide a poll batch, in the order given: its events, accepted message ids, dead
        letters, held and released messages, and offsets. Nothing is written; `commit` writes
        the outcome."""
        try:
            self.aggregate_cache.refresh()
            decider = BatchDecider(self.reads, self.aggregate_cache, cluster_id, self.holding)
            outcome = decider.decide(records, recorded_at)
            # Encoded here, not in `commit`: the stored bytes depend on the events alone, and
            # several workers decide at once but commit one after another (the log's lock).
            # Snapshots are of the state the batch commits, taken now that it is decided.
            outcome.stored = [self.mapper.to_stored_event(e) for e in outcome.events]
            outcome.snapshots = due_snapshots(
                self.snapshot_interval, outcome.events, outcome.aggregates
            )
        except BaseException:
            # The cache may have lost aggregates to the failed batch: start afresh.
            self.aggregate_cache.clear()
            raise
        return outcome

    def commit(self, outcome: BatchOutcome) -> None:
        """Write a decided batch in one transaction (events, hash chain, offsets, message ids,
        dead letters, snapshots), or nothing; then keep its aggregates in the cache."""
        if len(outcome.stored) != len(outcome.events):
            raise ValueError("a batch's events must be encoded by `decide` before `commit`")
        try:
            # Straight to the recorder with the rows `decide` encoded: `save` would first test
            # every event against the library's runtime-checkable `DomainEventProtocol` (about
            # 8 µs an event) to tell events from aggregates, and `put` would encode them again;
            # neither adds anything else for events (the ledger overrides no notify hook).
            # `events` lets the recorder lift known times under its lock (infra/known_times.py).
            ids = self.recorder_.insert_events(
                outcome.stored,
                batch=outcome.record,
                events=outcome.events,
                snapshots=outcome.snapshots,
            )
        except BaseException:
            # An IntegrityError means another writer changed what the batch read.
            self.aggregate_cache.clear()
            raise
        self.aggregate_cache.committed(outcome.aggregates, ids or ())

    def construct_transcoder(self) -> Transcoder:
        # The library's transcoder with its bytes, encoding with orjson (infra/fast_json.py).
        return ledger_transcoder()

    def construct_factory(self, env: Environment) -> InfrastructureFactory:
        factory = super().construct_factory(env)
        role = env.get(ACT_AS_ROLE)
        if role:
            # A libpq startup option, set before the pool opens its first connection, so every
            # connection acts as the role, also those opened again after a database restart.
            pool = cast(PostgresFactory, factory).datastore.pool
            cast(dict[str, Any], pool.kwargs)["options"] = f"-c role={role}"
        return factory

    def construct_recorder(self) -> LedgerRecorder:
        recorder = cast(LedgerRecorder, self.factory.process_recorder())
        timeout = self.env.get(STATEMENT_TIMEOUT)
        if timeout:
            recorder.statement_timeout_s = int(timeout)
        recorder.binary_writes = self.env.get(BINARY_WRITES, "y").lower() not in ("n", "no")
        return recorder

    @property
    def recorder_(self) -> LedgerRecorder:
        return cast(LedgerRecorder, self.recorder)

    @property
    def datastore(self) -> PostgresDatastore:
        return cast(PostgresFactory, self.factory).datastore


def ledger_env(
    database_url: str, *, pool_size: int = 2, create_tables: bool = True
) -> dict[str, str]:
    """The eventsourcing settings for a PostgreSQL URL (socket directories allowed as host)."""
    params = conninfo_to_dict(database_url)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": str(params.get("dbname") or "postgres"),
        "POSTGRES_HOST": str(params.get("host") or "localhost"),
        "POSTGRES_PORT": str(params.get("port") or "5432"),
        "POSTGRES_USER": str(params.get("user") or "postgres"),
        "POSTGRES_PASSWORD": str(params.get("password") or ""),
        "POSTGRES_POOL_SIZE": str(pool_size),
        "POSTGRES_CONNECT_TIMEOUT": "10",
        "POSTGRES_PRE_PING": "y",
        # The library reads SINGLE_ROW_TRACKING (its docs say POSTGRES_SINGLE_ROW_TRACKING).
        "SINGLE_ROW_TRACKING": "y",
        "PROCESS_RECORDER_TOPIC": get_topic(LedgerRecorder),
        "CREATE_TABLE": "y" if create_tables else "n",
        "POSTGRES_LOCK_TIMEOUT": str(DEFAULT_LOCK_TIMEOUT_S),
        STATEMENT_TIMEOUT: str(DEFAULT_STATEMENT_TIMEOUT_S),
        # POSTGRES_ENABLE_DB_FUNCTIONS stays off: it skips the lock that keeps the
        # notification order equal to the commit order.
    }


def may_set_up(database_url: str) -> bool:
    """Whether the URL's user owns the ledger's tables (or none exist yet). A login role that is
    only a member of the writer role skips the setup, which deployment applied as the owner."""
    with psycopg.connect(database_url, autocommit=True, connect_timeout=10) as conn:
        row = conn.execute(
            "SELECT c.relowner IS NULL OR pg_has_role(current_user, c.relowner, 'USAGE')"
            " FROM (SELECT 1) AS one LEFT JOIN pg_class c"
            " ON c.oid = to_regclass('ledger_chain')"
        ).fetchone()
    return bool(row and row[0])


def open_ledger(database_url: str, *, pool_size: int = 2, role: str | None = None) -> Ledger:
    """Open the store, set up beforehand (infra/setup.py); use it as
    `with open_ledger(...) as ledger:`, which closes its pool. With `role`, every pooled
    connection acts as that role, e.g. `WRITER_ROLE` for the worker and the relay,
    `READER_ROLE` for queries. Nothing here runs at import time, nor any DDL."""
    env = ledger_env(database_url, pool_size=pool_size, create_tables=False)
    if role is not None:
        env[ACT_AS_ROLE] = role
    return Ledger(env=env)
