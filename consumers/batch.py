"""Decide one poll batch: decode, dedupe by message id, apply commands, collect dead letters.

Nothing is written here; the caller commits the outcome in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Repository
from eventsourcing.domain import Aggregate, CanMutateAggregate
from eventsourcing.persistence import Tracking

from consumers.cache import AggregateCache
from consumers.contract import Coordinates, Decoded, Undecodable, decode
from consumers.lookups import AggregateLookups
from consumers.prefetch import likely_lookups
from consumers.topics import INBOUND_SUFFIXES, Topics
from domain.handlers import handle
from domain.reasons import Reason, Rejected
from infra.store import AcceptedMessage, BatchRecord, DeadLetter, offset_tracking_name


@dataclass(frozen=True)
class InboundRecord:
    """A consumed Kafka record, reduced to what the ledger keeps."""

    coordinates: Coordinates
    key: bytes | None
    value: bytes | None


@dataclass
class BatchOutcome:
    """What one batch produced: events to append and the batch's bookkeeping rows."""

    events: list[CanMutateAggregate[UUID]] = field(default_factory=list)
    record: BatchRecord = field(default_factory=BatchRecord)
    duplicates: int = 0
    # Every aggregate the batch looked up or created, as it will be once the batch commits.
    aggregates: dict[UUID, Aggregate | None] = field(default_factory=dict)


LoadMany = Callable[[Sequence[UUID]], Mapping[UUID, Aggregate | None]]


class UnitOfWork(AggregateLookups):
    """Aggregates as recorded plus this batch's uncommitted changes, loaded at most once:
    from the cache of committed aggregates if there, else replayed from the store."""

    def __init__(self, repository: Repository[UUID], cache: AggregateCache | None = None) -> None:
        self._repository = repository
        self._cache = cache
        self._loaded: dict[UUID, Aggregate | None] = {}

    @property
    def loaded(self) -> dict[UUID, Aggregate | None]:
        return self._loaded

    def get(self, aggregate_id: UUID) -> Aggregate | None:
        if aggregate_id not in self._loaded:
            cached, aggregate = (
                self._cache.take(aggregate_id) if self._cache is not None else (False, None)
            )
            if not cached:
                try:
                    aggregate = self._repository.get(aggregate_id)
                except AggregateNotFoundError:
                    aggregate = None
            self._loaded[aggregate_id] = aggregate
        return self._loaded[aggregate_id]

    def prefetch(self, aggregate_ids: Sequence[UUID], load: LoadMany) -> None:
        """Read the aggregates neither loaded nor cached in one go, for later `get`s."""
        missing = [i for i in aggregate_ids if i not in self._loaded]
        if self._cache is not None:
            for aggregate_id in missing:
                cached, aggregate = self._cache.take(aggregate_id)
                if cached:
                    self._loaded[aggregate_id] = aggregate
            missing = [i for i in missing if i not in self._loaded]
        self._loaded.update(load(missing))

    def keep(self, aggregate: Aggregate) -> None:
        self._loaded[aggregate.id] = aggregate

    def assert_nothing_pending(self, after: str = "a rejected command") -> None:
        # Handlers decide before they trigger; a rejection that left events behind is a bug,
        # and committing anything of that batch could half-apply a message. So is an event on
        # an aggregate the handler did not return: it would not be saved, yet the cache would
        # keep the aggregate with it applied.
        for aggregate in self._loaded.values():
            if aggregate is not None and aggregate.pending_events:
                raise RuntimeError(f"{after} left pending events on {aggregate.id}")


KnownDigests = Callable[[Sequence[UUID]], Mapping[UUID, bytes]]


class BatchDecider:
    """Turns records into an outcome; `known_digests` reads accepted message ids from the store."""

    def __init__(
        self,
        repository: Repository[UUID],
        known_digests: KnownDigests,
        topics: Topics,
        cluster_id: str,
        cache: AggregateCache | None = None,
        load_many: LoadMany | None = None,
    ) -> None:
        self._repository = repository
        self._cache = cache
        self._load_many = load_many
        self._known_digests = known_digests
        self._topics = topics
        self._cluster_id = cluster_id

    def decide(self, records: Sequence[InboundRecord], recorded_at: datetime) -> BatchOutcome:
        outcome = BatchOutcome()
        work = UnitOfWork(self._repository, self._cache)
        # Reference data first, so a designation in this batch is known to the enrollments that
        # cite it; the sort is stable, so each partition keeps its own order.
        records = sorted(records, key=lambda r: self._topic_rank(r.coordinates.topic))
        decoded = [
            decode(r.value, r.coordinates, self._topics.suffix_of(r.coordinates.topic), recorded_at)
            for r in records
        ]
        known = dict(self._known_digests([d.message_id for d in decoded if isinstance(d, Decoded)]))
        if self._load_many is not None:
            commands = [d.command for d in decoded if isinstance(d, Decoded)]
            work.prefetch(likely_lookups(commands), self._load_many)
        for record, message in zip(records, decoded, strict=True):
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
                touched = handle(message.command, work)
            except Rejected as refusal:
                work.assert_nothing_pending()
                refused = Undecodable(refusal.reason, refusal.detail, message.message_id)
                self._reject(outcome, record, refused, recorded_at)
                continue
            # Collected per message, so the log keeps the order in which facts arrived.
            for aggregate in touched:
                work.keep(aggregate)
                outcome.events.extend(aggregate.collect_events())
            known[message.message_id] = message.content_sha256
            outcome.record.accepted.append(self._accepted(record, message, recorded_at))
        work.assert_nothing_pending("the batch")
        outcome.record.offsets = self._offsets(records)
        outcome.aggregates = work.loaded
        return outcome

    def _topic_rank(self, topic: str) -> int:
        suffix = self._topics.suffix_of(topic)
        return INBOUND_SUFFIXES.index(suffix) if suffix else len(INBOUND_SUFFIXES)

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
