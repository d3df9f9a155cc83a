"""Decide one poll batch: dedupe by message id, apply commands, collect events and dead letters.

Nothing is written here; `Ledger.commit` writes the outcome in one transaction.

A command that raises anything but `Rejected` (a bug, an overflow on a hostile date) may have
changed aggregates half-way, in memory. Its message becomes an `internal_error` dead letter and
the batch is decided again from the store without it, so nothing of it is applied and the
messages around it go on. Only failures of the store itself stop the batch.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, CanMutateAggregate
from eventsourcing.persistence import PersistenceError, StoredEvent, Tracking
from psycopg import Error as DatabaseError

from domain.handlers import handle
from domain.handlers.entities import entity_keys
from domain.reasons import Rejected
from infra.application.cache import AggregateCache
from infra.application.held import (
    HeldMessage,
    HeldQueue,
    Hold,
    Holding,
    at_recorded,
    awaits_column,
    load_held,
)
from infra.application.identity import ACCEPTED, DUPLICATE, HELD, REJECTED, Identities
from infra.application.inbound import (
    Coordinates,
    Decoded,
    InboundRecord,
    Undecodable,
    internal_error,
    printable,
)
from infra.application.prefetch import likely_lookups
from infra.application.reads import StoreReads
from infra.application.rows import (
    AcceptedMessage,
    BatchRecord,
    DeadLetter,
    HeldRelease,
    HeldRow,
    offset_tracking_name,
)
from infra.application.unit_of_work import UnitOfWork

# Failures of the store while a command reads it: they stop the batch, which is retried.
STORE_FAILURES: tuple[type[Exception], ...] = (PersistenceError, DatabaseError, OSError)

log = logging.getLogger(__name__)


class _MessageFailed(Exception):  # noqa: N818 - an outcome that restarts the batch's decision
    """One message left aggregates in an unknown state; the batch is decided again without it."""

    def __init__(self, coordinates: Coordinates, why: Undecodable) -> None:
        super().__init__(f"{coordinates}: {why.reason}: {why.detail}")
        self.coordinates = coordinates
        self.why = why


@dataclass
class BatchOutcome:
    """What one batch produced: events to append and the batch's bookkeeping rows."""

    events: list[CanMutateAggregate[UUID]] = field(default_factory=list)
    record: BatchRecord = field(default_factory=BatchRecord)
    duplicates: int = 0
    # Every aggregate the batch looked up or created, as it will be once the batch commits.
    aggregates: dict[UUID, Aggregate | None] = field(default_factory=dict)
    # `events` and the snapshots due, as the rows to store: encoded when the batch is decided
    # (infra/store.py `Ledger.decide`), so that committing, the part every writer of the log
    # takes in turn, only writes.
    stored: list[StoredEvent] = field(default_factory=list)
    snapshots: list[StoredEvent] = field(default_factory=list)


class BatchDecider:
    """Turns decoded records into an outcome, reading the store through `reads`."""

    def __init__(
        self,
        reads: StoreReads,
        cache: AggregateCache,
        cluster_id: str,
        holding: Holding | None = None,
    ) -> None:
        self._reads = reads
        self._cache = cache
        self._cluster_id = cluster_id
        self._holding = holding  # None: a reference not known yet is a dead letter at once

    def _load(self, aggregate_id: UUID) -> Aggregate | None:
        # Not the repository's get: it would replay the whole history, ignoring snapshots.
        return self._reads.aggregates([aggregate_id])[aggregate_id]

    def decide(self, records: Sequence[InboundRecord], recorded_at: datetime) -> BatchOutcome:
        """Decide the records in the order given."""
        failed: dict[Coordinates, Undecodable] = {}
        while True:  # each pass sets aside one more message, so it ends
            try:
                return self._decide(records, recorded_at, failed)
            except _MessageFailed as failure:
                # The aggregates of this pass were taken out of the cache and are dropped with
                # the unit of work: the next pass reads them from the store again.
                failed[failure.coordinates] = failure.why

    def _decide(
        self,
        records: Sequence[InboundRecord],
        recorded_at: datetime,
        failed: dict[Coordinates, Undecodable],
    ) -> BatchOutcome:
        outcome = BatchOutcome()
        work = UnitOfWork(self._load, self._cache)
        decoded = [r.message for r in records if isinstance(r.message, Decoded)]
        identities = Identities(
            self._reads.first_decisions([d.message_id for d in decoded]),
            self._reads.dead_letter_digests(sorted({r.replay_of for r in records if r.replay_of})),
        )
        dead = self._reads.dead_lettered(
            self._cluster_id, [r.coordinates.as_tuple() for r in records]
        )
        held = self._held_queue(outcome, recorded_at)
        held_at = {h.record.coordinates.as_tuple() for h in held} if held is not None else set()
        work.prefetch(likely_lookups([d.command for d in decoded]), self._reads.aggregates)
        deciding = _Pass(self, outcome, work, identities, held, failed, recorded_at)
        if held is not None:
            # An entity known since its messages were held, by a batch that did not own them
            # (another worker's, before a rebalance): they go first.
            deciding.arrived(self._reads.existing(held.awaited()))
        for record in records:
            deciding.expire(record.timestamp)
            message = record.message
            where = record.coordinates.as_tuple()
            if where in dead or where in held_at:
                # Read again (a rewind, a lagging offset hint): already a dead letter or held,
                # so a no-op, counted as a duplicate and not sent to the rejected topic again.
                if where in dead:
                    self._already_dead(record, dead[where])
                outcome.duplicates += 1
                continue
            if isinstance(message, Undecodable):
                self.reject(outcome, record, message, recorded_at)
                continue
            if record.coordinates in failed:
                deciding.reject(record, message, failed[record.coordinates])
                continue
            verdict = identities.verdict(record, message)
            if verdict == DUPLICATE:
                outcome.duplicates += 1  # an identical re-send is a no-op
            elif isinstance(verdict, Undecodable):
                deciding.reject(record, message, verdict)
            else:
                deciding.decide(record, message)
        deciding.finish()
        work.assert_nothing_pending()
        outcome.record.offsets = self._offsets(records)
        outcome.aggregates = work.loaded
        return outcome

    def _held_queue(self, outcome: BatchOutcome, at: datetime) -> HeldQueue | None:
        """The store's held messages, those that no longer decode expired at once."""
        if self._holding is None:
            return None
        held, undecodable = load_held(
            self._reads.held(self._cluster_id, self._holding.partitions),
            self._holding.decode,
            at,
            self._holding.decoded,
        )
        for record, stored_id, why in undecodable:
            outcome.record.rejected.append(self._dead_letter(record, why, at, None))
            outcome.record.releases.append(HeldRelease(stored_id, "expired", at))
        return HeldQueue(held, self._holding.limit)

    @staticmethod
    def _already_dead(record: InboundRecord, kept_sha256: bytes | None) -> None:
        value = record.value
        if kept_sha256 != (None if value is None else hashlib.sha256(value).digest()):
            log.warning(
                "the record at %s differs from the dead letter kept for these coordinates;"
                " it is not decided (was the topic recreated? see `claims-ledger rejected`)",
                record.coordinates,
            )

    def accepted(
        self, record: InboundRecord, message: Decoded, recorded_at: datetime
    ) -> AcceptedMessage:
        c = record.coordinates
        return AcceptedMessage(
            message.message_id,
            message.content_sha256,
            message.type_name,
            self._cluster_id,
            c.topic,
            c.partition,
            c.offset,
            recorded_at,
        )

    def reject(
        self,
        outcome: BatchOutcome,
        record: InboundRecord,
        why: Undecodable,
        at: datetime,
        message: Decoded | None = None,
    ) -> None:
        digest = None if message is None else message.content_sha256
        outcome.record.rejected.append(self._dead_letter(record, why, at, digest))

    def _dead_letter(
        self, record: InboundRecord, why: Undecodable, at: datetime, digest: bytes | None
    ) -> DeadLetter:
        c = record.coordinates
        return DeadLetter(
            self._cluster_id,
            c.topic,
            c.partition,
            c.offset,
            record.key,
            record.value,
            why.message_id,
            why.reason.value,
            printable(why.detail),
            at,
            digest,
        )

    def held_row(self, held: HeldMessage) -> HeldRow:
        c = held.record.coordinates
        return HeldRow(
            self._cluster_id,
            c.topic,
            c.partition,
            c.offset,
            held.record.key,
            held.record.value,
            held.message.message_id,
            held.message.content_sha256,
            held.message.type_name,
            list(held.entities),
            awaits_column(held.awaits),
            held.reason.value,
            printable(held.detail),
            held.position,
            held.stream_at,
            held.held_at,
        )

    def _offsets(self, records: Sequence[InboundRecord]) -> list[Tracking]:
        last: dict[tuple[str, int], int] = {}
        for r in records:
            key = (r.coordinates.topic, r.coordinates.partition)
            last[key] = max(last.get(key, -1), r.coordinates.offset)
        return [
            Tracking(offset_tracking_name(self._cluster_id, topic, partition), offset)
            for (topic, partition), offset in sorted(last.items())
        ]


class _Pass:
    """One pass of deciding a batch: each message accepted, refused, or held until what it
    references is known; held messages decided as soon as they are ready."""

    def __init__(
        self,
        batch: BatchDecider,
        outcome: BatchOutcome,
        work: UnitOfWork,
        identities: Identities,
        held: HeldQueue | None,
        failed: dict[Coordinates, Undecodable],
        at: datetime,
    ) -> None:
        self._batch = batch
        self._outcome = outcome
        self._work = work
        self._identities = identities
        self._held = held
        self._failed = failed
        self._at = at
        self._releasing = False

    def decide(
        self, record: InboundRecord, message: Decoded, released: HeldMessage | None = None
    ) -> None:
        """Decide one message; a held one comes back `released`, keeping its queue place."""
        if self._held is not None and released is None:
            blocker = self._held.blocker(entity_keys(message.command))
            if blocker is not None:  # its entity's earlier fact is held: keep their order
                c = blocker.record.coordinates
                behind = f"behind {c.topic}/{c.partition}@{c.offset}, held for {blocker.waits_for}"
                self._hold(record, message, Hold(blocker.reason, behind, None))
                return
        try:
            handle(message.command, self._work)
        except Rejected as refusal:
            refused = Undecodable(refusal.reason, refusal.detail, message.message_id)
            if self._work.message_left_changes():  # a handler bug: it triggered, then refused
                raise _MessageFailed(record.coordinates, refused) from refusal
            self._work.discard_message()
            if refusal.awaits is not None and self._held is not None:
                hold = Hold(refusal.reason, refusal.detail, refusal.awaits)
                self._hold(record, message, hold, None if released is None else released.position)
            else:
                self.reject(record, message, refused)
            return
        except STORE_FAILURES:
            raise
        except Exception as error:
            log.exception("message at %s raised; it becomes a dead letter", record.coordinates)
            why = internal_error(error, message.message_id)
            raise _MessageFailed(record.coordinates, why) from error
        # Collected per message, so the log keeps the order in which facts were decided.
        events = self._work.collect_new_events()
        self._outcome.events.extend(events)
        self._identities.note(message, ACCEPTED)
        self._outcome.record.accepted.append(self._batch.accepted(record, message, self._at))
        if self._held is not None:
            self._held.arrived({event.originator_id for event in events})
            self._release()

    def reject(self, record: InboundRecord, message: Decoded, why: Undecodable) -> None:
        self._batch.reject(self._outcome, record, why, self._at, message)
        self._identities.note(message, REJECTED)

    def expire(self, stream_now: datetime | None) -> None:
        """Dead-letter the held messages a record at `stream_now` puts past the hold limit."""
        if self._held is not None:
            self._dead_letter(self._held.expired(stream_now, self._at))

    def arrived(self, aggregate_ids: set[UUID]) -> None:
        """Decide the held messages waiting for these aggregates, which have events."""
        if self._held is not None and aggregate_ids:
            self._held.arrived(aggregate_ids)
            self._release()

    def finish(self) -> None:
        """Put what the pass held and released into the batch's rows."""
        if self._held is None:
            return
        self._outcome.record.holds = [self._batch.held_row(h) for h in self._held.new]
        self._outcome.record.releases.extend(self._held.releases)

    def _hold(
        self, record: InboundRecord, message: Decoded, why: Hold, position: int | None = None
    ) -> None:
        assert self._held is not None
        self._held.hold(record, message, why, self._at, position)
        self._identities.note(message, HELD)
        self._dead_letter(self._held.expired(None, self._at))  # the count limit

    def _dead_letter(self, expired: list[HeldMessage]) -> None:
        for held in expired:
            detail = f"held past the hold limit, waiting for {held.waits_for}: {held.detail}"
            self.reject(
                held.record, held.message, Undecodable(held.reason, detail, held.message.message_id)
            )
        if expired:
            self._release()  # messages held behind them go on

    def _release(self) -> None:
        """Decide the ready held messages, in queue order. Deciding one may make more ready:
        the loop of the outermost call takes them, so the order stays the queue's."""
        if self._releasing or self._held is None:
            return
        self._releasing = True
        try:
            while (ready := self._held.next_ready(self._at)) is not None:
                if ready.record.coordinates in self._failed:
                    self.reject(ready.record, ready.message, self._failed[ready.record.coordinates])
                else:
                    message = at_recorded(ready.message, self._at)
                    self.decide(ready.record, message, released=ready)
        finally:
            self._releasing = False
