"""Decide one poll batch: dedupe by message id, apply commands, collect events and dead letters.

Nothing is written here; `Ledger.commit` writes the outcome in one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Repository
from eventsourcing.domain import Aggregate, CanMutateAggregate
from eventsourcing.persistence import Tracking

from domain.handlers import handle
from domain.reasons import Reason, Rejected
from infra.application.cache import AggregateCache
from infra.application.inbound import Decoded, InboundRecord, Undecodable
from infra.application.prefetch import likely_lookups
from infra.application.reads import StoreReads
from infra.application.rows import AcceptedMessage, BatchRecord, DeadLetter, offset_tracking_name
from infra.application.unit_of_work import UnitOfWork


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
        outcome = BatchOutcome()
        work = UnitOfWork(self._load, self._cache)
        decoded = [r.message for r in records if isinstance(r.message, Decoded)]
        known = dict(self._reads.known_digests([d.message_id for d in decoded]))
        work.prefetch(likely_lookups([d.command for d in decoded]), self._reads.aggregates)
        for record in records:
            message = record.message
            if isinstance(message, Undecodable):
                self._reject(outcome, record, message, recorded_at)
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
                work.discard_message()
                refused = Undecodable(refusal.reason, refusal.detail, message.message_id)
                self._reject(outcome, record, refused, recorded_at)
                continue
            # Collected per message, so the log keeps the order in which facts arrived.
            outcome.events.extend(work.collect_new_events())
            known[message.message_id] = message.content_sha256
            outcome.record.accepted.append(self._accepted(record, message, recorded_at))
        work.assert_nothing_pending()
        outcome.record.offsets = self._offsets(records)
        outcome.aggregates = work.loaded
        return outcome

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
                why.detail,
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
