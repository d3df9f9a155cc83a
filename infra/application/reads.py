"""What deciding a batch reads from the store: accepted message ids, stored offsets, aggregates
written by others, aggregates in bulk. Each is one indexed query; none replays the log."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Mapper
from eventsourcing.postgres import PostgresProcessRecorder
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

from infra.application.identity import FirstDecision
from infra.snapshots import READ_LATEST, replay

# Positions after `after`, before and after our own commit: two ranges, each bounded on both
# sides (the upper by the log's head). Written as one `OR` with an open end, the statement ran as
# a sequential scan of the whole log once the table had no fresh statistics (autovacuum off or
# behind): 500 ms a batch at 900 000 events, the most of PostgreSQL's time per event. A range
# bounded on both sides is estimated small without statistics, so the index serves it.
FOREIGN_WRITES = (
    "SELECT notification_id, originator_id FROM {0}"
    " WHERE notification_id > %s AND notification_id < %s"
    " UNION ALL"
    " SELECT notification_id, originator_id FROM {0}"
    " WHERE notification_id > %s AND notification_id <= (SELECT max(notification_id) FROM {0})"
)


class StoreReads:
    """The command side's reads, over the ledger's recorder and its event mapper.

    Lists are sent in binary (`%b`): psycopg writes a list of 700 UUIDs as an array's text in
    1.5 ms of Python, in binary in 0.27 ms; a batch sends several (docs/benchmarks.md)."""

    def __init__(self, recorder: PostgresProcessRecorder, mapper: Mapper[UUID]) -> None:
        self._recorder = recorder
        self._datastore = recorder.datastore
        self._table = Identifier(recorder.events_table_name)
        self._mapper = mapper

    def known_digests(self, message_ids: Sequence[UUID]) -> Mapping[UUID, bytes]:
        """Content digests of the given message ids that were accepted before."""
        if not message_ids:
            return {}
        with self.without_jit() as curs:
            curs.execute(
                "SELECT message_id, content_sha256 FROM ledger_messages WHERE message_id = ANY(%b)",
                (list(message_ids),),
            )
            return {row["message_id"]: bytes(row["content_sha256"]) for row in curs.fetchall()}

    @contextmanager
    def without_jit(self) -> Iterator[Cursor[DictRow]]:
        """A read-only transaction whose statements are not compiled (JIT), as all of the
        worker's reads here are: short index look-ups, which JIT only delays. Where the tables
        have no statistics (autovacuum off or behind, as after a bulk load) estimates follow
        their size and cross `jit_above_cost`: each batch's reads were compiled before they
        ran, 750 ms a batch at 550 000 events against 9 ms to run them (docs/benchmarks.md)."""
        with self._datastore.transaction(commit=False) as curs:
            curs.execute("SET LOCAL jit = off")
            yield curs

    def first_decisions(self, message_ids: Sequence[UUID]) -> dict[UUID, FirstDecision]:
        """Per message id decided before: its first content digest and what became of it
        (accepted, else rejected, else held). Dead letters of messages that failed the
        contract have no digest and fix nothing (docs/events.md, "Message identity")."""
        if not message_ids:
            return {}
        ids = list(message_ids)
        with self.without_jit() as curs:
            curs.execute(
                "SELECT message_id, content_sha256, 'accepted' AS kind, 0 AS rank"
                " FROM ledger_messages WHERE message_id = ANY(%(ids)b)"
                " UNION ALL (SELECT DISTINCT ON (message_id) message_id, content_sha256,"
                " 'rejected', 1 FROM rejected_messages WHERE message_id = ANY(%(ids)b)"
                " AND content_sha256 IS NOT NULL ORDER BY message_id, id)"
                " UNION ALL (SELECT DISTINCT ON (message_id) message_id, content_sha256,"
                " 'held', 2 FROM ledger_held WHERE message_id = ANY(%(ids)b)"
                " ORDER BY message_id, id)"
                " ORDER BY rank DESC",
                {"ids": ids},
            )
            # Lower ranks come last and prevail.
            return {
                row["message_id"]: FirstDecision(bytes(row["content_sha256"]), row["kind"])
                for row in curs.fetchall()
            }

    def existing(self, aggregate_ids: Sequence[UUID]) -> set[UUID]:
        """Which of these aggregates have events."""
        if not aggregate_ids:
            return set()
        with self.without_jit() as curs:
            curs.execute(
                SQL("SELECT DISTINCT originator_id FROM {0} WHERE originator_id = ANY(%b)").format(
                    self._table
                ),
                (list(aggregate_ids),),
            )
            return {row["originator_id"] for row in curs.fetchall()}

    def held(self, cluster_id: str, partitions: Sequence[int] | None) -> list[dict[str, Any]]:
        """The cluster's held messages not yet released, in queue order; with `partitions`,
        only those of records in these partition numbers (of any topic)."""
        with self.without_jit() as curs:
            curs.execute(
                "SELECT h.* FROM ledger_held h WHERE h.source_cluster = %s AND NOT EXISTS"
                " (SELECT 1 FROM ledger_held_releases r WHERE r.held_id = h.id)"
                " AND (%s::integer[] IS NULL OR h.source_partition = ANY(%s::integer[]))"
                " ORDER BY h.queue_position, h.id",
                (cluster_id, partitions, partitions),
            )
            return list(curs.fetchall())

    def dead_lettered(
        self, cluster_id: str, where: Sequence[tuple[str, int, int]]
    ) -> dict[tuple[str, int, int], bytes | None]:
        """Which of these (topic, partition, offset) coordinates of the cluster hold a dead
        letter already, each with the SHA-256 of the value kept."""
        if not where:
            return {}
        topics, partitions, offsets = (list(column) for column in zip(*where, strict=True))
        with self.without_jit() as curs:
            curs.execute(
                "SELECT r.source_topic, r.source_partition, r.source_offset,"
                " sha256(r.message_value) AS sha FROM rejected_messages r"
                " JOIN unnest(%b::text[], %b::integer[], %b::bigint[]) AS c(t, p, o)"
                " ON (r.source_topic, r.source_partition, r.source_offset) = (c.t, c.p, c.o)"
                " WHERE r.source_cluster = %s",
                (topics, partitions, offsets, cluster_id),
            )
            return {
                (row["source_topic"], row["source_partition"], row["source_offset"]): (
                    None if row["sha"] is None else bytes(row["sha"])
                )
                for row in curs.fetchall()
            }

    def dead_letter_digests(self, ids: Sequence[int]) -> dict[int, bytes | None]:
        """The SHA-256 of the value kept by each of these dead letters that exists."""
        if not ids:
            return {}
        with self.without_jit() as curs:
            curs.execute(
                "SELECT id, sha256(message_value) AS sha FROM rejected_messages WHERE id = ANY(%b)",
                (list(ids),),
            )
            return {
                row["id"]: None if row["sha"] is None else bytes(row["sha"])
                for row in curs.fetchall()
            }

    def stored_offset(self, tracking_name: str) -> int | None:
        """The last offset of a partition committed with its events, or None."""
        offset: int | None = self._recorder.max_tracking_id(tracking_name)
        return offset

    def foreign_writes(
        self, after: int | None, own: tuple[int, int] | None
    ) -> tuple[list[UUID], int]:
        """Aggregates written after position `after` except by our own commit at positions
        `own`, and the highest position seen; with `after` None, no aggregates and the log's head.

        Positions are the commit order (the recorder appends under a table lock), so a later
        call from the returned position misses nothing committed in between.
        """
        with self.without_jit() as curs:
            if after is None:
                curs.execute(
                    SQL("SELECT max(notification_id) AS head FROM {0}").format(self._table)
                )
                row = curs.fetchone()
                return [], int(row["head"] or 0) if row else 0
            first, last = own if own is not None else (after + 1, after)
            curs.execute(SQL(FOREIGN_WRITES).format(self._table), (after, first, max(after, last)))
            rows = curs.fetchall()
        head = max([after, *(row["notification_id"] for row in rows)])
        return [row["originator_id"] for row in rows], head

    def aggregates(self, aggregate_ids: Sequence[UUID]) -> dict[UUID, Aggregate | None]:
        """The current state of each aggregate, None for those with no events: one query for
        all, where `Repository.get` takes one per aggregate. Each starts from its latest
        snapshot, if any, and replays only the events after it (infra/snapshots.py)."""
        if not aggregate_ids:
            return {}
        with self.without_jit() as curs:
            curs.execute(SQL(READ_LATEST).format(events=self._table), (list(aggregate_ids),))
            rows = curs.fetchall()
        history: dict[UUID, list[DictRow]] = {aggregate_id: [] for aggregate_id in aggregate_ids}
        for row in rows:
            history[row["originator_id"]].append(row)
        return {
            aggregate_id: replay(found, self._mapper) for aggregate_id, found in history.items()
        }
