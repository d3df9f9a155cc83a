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
from dataclasses import astuple, dataclass, field
from datetime import datetime
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Repository
from eventsourcing.domain import Aggregate, CanMutateAggregate
from eventsourcing.persistence import PersistenceError, Tracking
from psycopg import Error as DatabaseError

from domain.handlers import handle
from domain.reasons import Reason, Rejected
from infra.application.cache import AggregateCache
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
from infra.application.rows import AcceptedMessage, BatchRecord, DeadLetter, offset_tracking_name
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


class BatchDecider:
    """Turns decoded records into an outcome, reading the store through `reads`."""

    def __init__(
        self,
        repository: Repository[UUID],
        reads: StoreReads,
        cache: AggregateCache,
        cluster_id: str,
    ) -> None:
        self._repository = repository
        self._reads = reads
        self._cache = cache
        self._cluster_id = cluster_id

    def _load(self, aggregate_id: UUID) -> Aggregate | None:
        try:
            aggregate: Aggregate = self._repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None
        return aggregate

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
        known = dict(self._reads.known_digests([d.message_id for d in decoded]))
        dead = self._reads.dead_lettered(
            self._cluster_id, [astuple(r.coordinates) for r in records]
        )
        work.prefetch(likely_lookups([d.command for d in decoded]), self._reads.aggregates)
        for record in records:
            message = record.message
            if astuple(record.coordinates) in dead:
                # Read again (a rewind, a lagging offset hint): already a dead letter, so a
                # no-op, counted as a duplicate and not sent to the rejected topic again.
                self._already_dead(record, dead[astuple(record.coordinates)])
                outcome.duplicates += 1
                continue
            if isinstance(message, Undecodable):
                self._reject(outcome, record, message, recorded_at)
                continue
            if record.coordinates in failed:
                self._reject(outcome, record, failed[record.coordinates], recorded_at)
                continue
            seen = known.get(message.message_id)
            if seen == message.content_sha256:
                outcome.duplicates += 1  # an identical re-send is a no-op
                continue
            if seen is not None:
                detail = f"message_id {message.message_id} was accepted before with other content"
                conflict = Undecodable(Reason.CONFLICTING_DUPLICATE, detail, message.message_id)
                self._reject(outcome, record, conflict, recorded_at)
                continue
            try:
                handle(message.command, work)
            except Rejected as refusal:
                refused = Undecodable(refusal.reason, refusal.detail, message.message_id)
                if work.message_left_changes():  # a handler bug: it triggered, then refused
                    raise _MessageFailed(record.coordinates, refused) from refusal
                work.discard_message()
                self._reject(outcome, record, refused, recorded_at)
                continue
            except STORE_FAILURES:
                raise
            except Exception as error:
                log.exception("message at %s raised; it becomes a dead letter", record.coordinates)
                why = internal_error(error, message.message_id)
                raise _MessageFailed(record.coordinates, why) from error
            # Collected per message, so the log keeps the order in which facts arrived.
            outcome.events.extend(work.collect_new_events())
            known[message.message_id] = message.content_sha256
            outcome.record.accepted.append(self._accepted(record, message, recorded_at))
        work.assert_nothing_pending()
        outcome.record.offsets = self._offsets(records)
        outcome.aggregates = work.loaded
        return outcome

    @staticmethod
    def _already_dead(record: InboundRecord, kept_sha256: bytes | None) -> None:
        value = record.value
        if kept_sha256 != (None if value is None else hashlib.sha256(value).digest()):
            log.warning(
                "the record at %s differs from the dead letter kept for these coordinates;"
                " it is not decided (was the topic recreated? see `claims-ledger rejected`)",
                record.coordinates,
            )

    def _accepted(
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

    def _reject(
        self, outcome: BatchOutcome, record: InboundRecord, why: Undecodable, at: datetime
    ) -> None:
        c = record.coordinates
        outcome.record.rejected.append(
            DeadLetter(
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
            )
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
