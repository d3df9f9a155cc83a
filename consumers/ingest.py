"""The ingest worker, Kafka plumbing only: poll a batch, buffer it per partition, take what the
deterministic merge (consumers/merge.py) lets go, decode it against the wire contract, hand it
to the ledger to decide in that order, send its dead letters, have the ledger commit it with its
offsets, hint the offsets to Kafka.

Exactly once: offsets are tracking records written in the same transaction as the events, and
the worker seeks to them whenever partitions are assigned. Kafka's own offsets are only a hint.
Records still buffered are not decided, so no stored offset covers them: a restart, rewind or
rebalance drops them and reads them again from the stored offsets.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from eventsourcing.persistence import IntegrityError
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.consumer.subscription_state import ConsumerRebalanceListener
from kafka.errors import KafkaError

from consumers.backoff import TRANSIENT, Backoff
from consumers.broker import BrokerProbe, Connection
from consumers.contract import decode
from consumers.dead_letters import letter_of
from consumers.merge import PartitionMerge, merge_key
from consumers.offset_check import DEFAULT_INTERVAL_S, OffsetGuard
from consumers.replay import REPLAY_HEADER, dead_letter_id, replay_outcomes
from consumers.topics import INBOUND_SUFFIXES, Topics
from infra.application.batch import BatchOutcome
from infra.application.held import DEFAULT_HOLD_LIMIT, HoldLimit
from infra.application.inbound import (
    Coordinates,
    Decoded,
    InboundRecord,
    Undecodable,
    internal_error,
)
from infra.application.rows import DeadLetter, offset_tracking_name
from infra.kafka import Outgoing, all_partitions, cluster_id_of, poll, send_acknowledged
from infra.settings import Settings
from infra.store import Ledger
from infra.worker_lock import assign_mode_lock

RETRIED: tuple[type[Exception], ...] = (*TRANSIENT, IntegrityError)
BROKER = "the Kafka broker"  # how the backoff's log lines and the give-up message name it
GC_THRESHOLDS = (50_000, 20, 20)  # Python's defaults: (700, 10, 10)

log = logging.getLogger(__name__)


@dataclass
class IngestStats:
    """Running totals of one worker run."""

    consumed: int = 0
    accepted: int = 0
    rejected: int = 0
    duplicates: int = 0
    events: int = 0
    batches: int = 0
    # Waits for a lagging partition that ran out (LEDGER_MERGE_IDLE_MS): each one let fetch
    # timing, not only the topics' content, decide where that partition's records went.
    order_waits_expired: int = 0
    # Partitions paused because their merge buffer was full (LEDGER_MERGE_BUFFER_RECORDS).
    partitions_paused: int = 0
    started: float = 0.0

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started


class SeekToStoredOffsets(ConsumerRebalanceListener):  # type: ignore[misc]
    """On every assignment, resume each partition right after its last committed offset."""

    def __init__(self, worker: IngestWorker) -> None:
        self._worker = worker

    def on_partitions_revoked(self, revoked: Any) -> None:
        """Nothing to flush: a batch is committed before the next poll, and records still
        buffered were not decided; the next owner reads them from the stored offsets."""
        self._worker.merge.drop(revoked)

    def on_partitions_assigned(self, assigned: Any) -> None:
        try:
            # The listener runs on kafka-python's IO thread, where no blocking broker call is
            # allowed; the check against the broker's log follows right after the poll.
            self._worker.seek_to_stored(assigned)
            self._worker.unchecked.update(assigned)
            self._worker.own_held_of(assigned)
        except TRANSIENT as error:
            # kafka-python would log and swallow this; the worker retries it before polling.
            log.warning("could not seek to stored offsets on assignment: %s", error)
            self._worker.rewind_needed = True


class IngestWorker:
    """Single writer of the partitions assigned to it."""

    def __init__(
        self,
        consumer: KafkaConsumer,
        producer: KafkaProducer,
        ledger: Ledger,
        topics: Topics,
        cluster_id: str,
        clock: Callable[[], datetime],
        on_batch: Callable[[IngestStats], None] | None = None,
        *,
        cache_size: int = 0,
        assign: bool = False,
        before_commit: Callable[[], None] = lambda: None,
        give_up_after: float = 300.0,
        reconnect: Callable[[], tuple[KafkaConsumer, KafkaProducer] | None] | None = None,
        offset_check_s: float = DEFAULT_INTERVAL_S,
        hold_limit: HoldLimit | None = DEFAULT_HOLD_LIMIT,
        merge_idle_s: float = 2.0,
        merge_buffer_max: int = 2_000,
        batch_max: int = 500,
    ) -> None:
        self._consumer = consumer
        self._assign = assign
        self._producer = producer
        self._ledger = ledger
        self._topics = topics
        self._cluster_id = cluster_id
        self._clock = clock
        self._on_batch = on_batch
        self._before_commit = before_commit
        ledger.cache_aggregates(cache_size)
        if hold_limit is not None:
            ledger.hold_unknown_references(self._decode_held, hold_limit)
        self.stats = IngestStats()
        self.rewind_needed = False
        self.backoff = Backoff(give_up_after=give_up_after)
        self._probe = BrokerProbe(consumer, self._inbound_first_partitions)
        # Set by a broker failure: the embedded broker may have come back on another port.
        self._reconnect = reconnect
        self._reconnect_due = False
        self._attach_due = False  # new clients not yet subscribed or assigned
        self.unchecked: set[TopicPartition] = set()  # assigned, not yet checked (`_poll`)
        self._offset_check_s = offset_check_s
        self._offsets = self._offset_guard()
        self._batch_max = batch_max  # records decided in one transaction, as one poll's worth
        self._full_batch = False  # the last take was cut at batch_max: more may be ready
        self.merge = PartitionMerge(
            rank=lambda topic: _topic_rank(topics, topic),
            idle_s=merge_idle_s,
            buffer_max=merge_buffer_max,
        )

    def _decode_held(
        self, value: bytes | None, where: Coordinates, recorded_at: datetime
    ) -> Decoded | Undecodable:
        """A held record's bytes decoded again, when a later batch loads it."""
        try:
            return decode(value, where, self._topics.suffix_of(where.topic), recorded_at)
        except Exception as error:  # one record never stops the worker
            log.exception("decoding the held record at %s raised", where)
            return internal_error(error)

    def _offset_guard(self) -> OffsetGuard:
        """The guard of the current clients and cluster (new ones after a reconnect)."""
        return OffsetGuard(
            self._consumer,
            self._cluster_id,
            self._stored_next,
            self._ledger.reads,
            self._offset_check_s,
        )

    def rewind(self, partitions: Any) -> None:
        """Seek partitions to the offsets stored with the events, once each is known to lie in
        the broker's log (else `StoredOffsetOutOfLogError`: never a silent skip)."""
        self._offsets.check(partitions, last_read=True)
        self.seek_to_stored(partitions)
        self.unchecked.difference_update(partitions)

    def own_held_of(self, assigned: Any) -> None:
        """Decide the held rows of the assigned partition numbers only: with the inbound topics
        partitioned alike (a region's records of every topic in one partition number), a
        rebalance hands a partition's held rows over with it; the new owner reads them from
        the store at its next batch (docs/operations.md, "Held messages")."""
        if self._ledger.holding is not None:
            self._ledger.holding.partitions = sorted({tp.partition for tp in assigned})

    def seek_to_stored(self, partitions: Any) -> None:
        """Seek partitions to the offsets stored with the events, dropping what is buffered of
        them (read again from there); no broker call."""
        self.merge.drop(partitions)
        for tp in partitions:
            stored_next = self._stored_next(tp)
            if stored_next is None:
                self._consumer.seek_to_beginning(tp)
            else:
                self._consumer.seek(tp, stored_next)

    def _stored_next(self, tp: TopicPartition) -> int | None:
        name = offset_tracking_name(self._cluster_id, tp.topic, tp.partition)
        last = self._ledger.reads.stored_offset(name)
        return None if last is None else last + 1

    def run(self, stop: threading.Event, until_idle: float | None = None) -> IngestStats:
        """Consume until `stop` is set, or until nothing arrived for `until_idle` seconds."""
        self._attach()
        self.stats.started = time.monotonic()
        last_activity: float | None = None  # the idle clock starts once partitions are assigned
        while not stop.is_set():
            try:
                if self._reconnect_due or self._attach_due:
                    self._follow_broker()
                polled = self._poll()
                now = time.monotonic()
                if last_activity is None and self._consumer.assignment():
                    last_activity = now
                if polled:
                    self._probe.answered()
                    self.merge.add(polled)
                ready = self._take(now)
                if ready:
                    self._process(ready)
                if ready:
                    last_activity = time.monotonic()
                    self.backoff.succeeded()
                elif polled:
                    # The broker answered; nothing is decided until the merge lets it go, so an
                    # outage of PostgreSQL is not over yet.
                    last_activity = time.monotonic()
                # An empty poll proves nothing (a dead broker returns one too): ask the broker,
                # at once while an outage is in progress, else every few idle seconds.
                elif self._probe.check(now=self.backoff.failing) and self.backoff.failing:
                    self._ask_database_if_it_failed()
                    self.backoff.succeeded()
            except RETRIED as error:
                # Nothing of the batch was committed, or all of it was (a commit whose reply
                # was lost): either way re-read from the offsets stored in PostgreSQL. An
                # IntegrityError means another writer got there first (a rebalance overlap, the
                # same message id on two partitions at once); backing off keeps a persistent one
                # from spinning, and after the outage limit it stops the worker.
                self.rewind_needed = True
                broker = isinstance(error, KafkaError)
                self._reconnect_due = broker and self._reconnect is not None
                self.backoff.failed(error, BROKER if broker else "ingest batch", stop)
                last_activity = None if last_activity is None else time.monotonic()
                continue
            if (
                not polled
                and not self.merge.buffered
                and until_idle is not None
                and last_activity is not None
                and now - last_activity >= until_idle
            ):
                break
        return self.stats

    def _attach(self) -> None:
        if self._assign:
            # No group: take every partition and start from the stored offsets, once.
            partitions = all_partitions(self._consumer, self._topics.all_inbound)
            self._consumer.assign(partitions)
            self.rewind(partitions)
        else:
            listener = SeekToStoredOffsets(self)
            self._consumer.subscribe(self._topics.all_inbound, listener=listener)

    def _follow_broker(self) -> None:
        """After a broker failure: if the embedded broker moved, continue against its new
        address, from the stored offsets, as after an assignment."""
        if self._reconnect_due and self._reconnect is not None:
            self._reconnect_due = False
            clients = self._reconnect()
            if clients is not None:
                self._consumer, self._producer = clients
                self._probe = BrokerProbe(self._consumer, self._inbound_first_partitions)
                self._attach_due = True
        if self._attach_due:  # again at the next try if it failed: the clients are new already
            # A restarted embedded broker is another cluster: offsets are tracked per cluster id.
            self._cluster_id = cluster_id_of(self._consumer)
            self._offsets = self._offset_guard()
            self._attach()
            self._attach_due = False

    def _ask_database_if_it_failed(self) -> None:
        """An outage ends with a round trip to the service that failed. The broker has just
        answered the probe; if PostgreSQL was failing, a read raises while it is still down."""
        if not isinstance(self.backoff.last_error, KafkaError):
            topic = self._topics.all_inbound[0]
            self._ledger.reads.stored_offset(offset_tracking_name(self._cluster_id, topic, 0))

    def _inbound_first_partitions(self) -> list[TopicPartition]:
        return [TopicPartition(t, 0) for t in self._topics.all_inbound]

    def _poll(self) -> dict[TopicPartition, list[Any]]:
        if self.rewind_needed:
            self.rewind(self._consumer.assignment())
            self.rewind_needed = False
        self._offsets.check_if_due(self._consumer.assignment())
        # With records ready in the merge already, a poll only collects what was fetched meanwhile.
        wait_ms = 0 if self._full_batch else 200
        polled = poll(self._consumer, timeout_ms=wait_ms)  # works around a pause/resume bug
        if self.unchecked:
            # Assigned inside this poll: nothing it returned is kept unless the stored offsets
            # it was fetched from lie in the broker's log (a fetch outside it starts over at
            # the log's start and would hide the gap).
            self._offsets.check(self.unchecked, last_read=True)
            self.unchecked.clear()
        if polled:
            self._offsets.confirm_cluster()
        return polled

    def _take(self, now: float) -> list[Any]:
        """What the merge lets go now, in order; then pause partitions whose buffer is full
        and resume those drained to half."""
        assigned = self._consumer.assignment()
        ready = self.merge.take(assigned, self._caught_up, now, limit=self._batch_max)
        self._full_batch = len(ready) == self._batch_max
        pause, resume = self.merge.flow(assigned, self._consumer.paused())
        if pause:
            self._consumer.pause(*pause)
        if resume:
            self._consumer.resume(*resume)
        return ready

    def _caught_up(self, tp: TopicPartition) -> bool:
        """Whether the consumer has been handed everything of `tp` up to its log's end. The
        high watermark comes with every fetch response (also an empty one), so it is known
        only once a fetch of the partition returned; on Tansu it is exact where end_offsets()
        is not (docs/operations.md "Lag and caught up")."""
        highwater = self._consumer.highwater(tp)
        return highwater is not None and self._consumer.position(tp) >= highwater

    def _process(self, consumed: list[Any]) -> None:
        """Decide records taken from the merge, in the merge's order."""
        recorded_at = self._clock()
        records = decoded_records(consumed, self._topics, recorded_at)
        outcome = self._ledger.decide(records, recorded_at, cluster_id=self._cluster_id)
        polled: dict[TopicPartition, list[Any]] = {}
        for m in consumed:
            polled.setdefault(TopicPartition(m.topic, m.partition), []).append(m)
        outcome.record.replays = replay_outcomes(
            polled, outcome, recorded_at, self._ledger.reads.dead_letter_digests
        )
        # Nothing of a batch whose dead letters could not be sent is committed; its aggregates
        # were taken out of the ledger's cache, so none of its changes linger there either.
        self._send_dead_letters(outcome.record.rejected)
        self._before_commit()
        self._ledger.commit(outcome)
        self._count(len(records), outcome)
        if not self._assign:  # with no group there is no group offset to hint
            self._consumer.commit_async(callback=self._log_commit_failure)

    def _send_dead_letters(self, dead_letters: list[DeadLetter]) -> None:
        # Sent and acknowledged before the batch commits: a crash in between re-sends, never
        # loses. A send that failed raises here, and the batch is re-read after a backoff.
        # A record too large for one produce request goes out truncated (consumers/dead_letters.py);
        # whole, it would fail its send on every retry and wedge the worker.
        letters = (letter_of(d) for d in dead_letters)
        rejected = self._topics.rejected
        send_acknowledged(
            self._producer, (Outgoing(rejected, x.key, x.value, x.headers) for x in letters)
        )

    def _count(self, consumed: int, outcome: BatchOutcome) -> None:
        self.stats.consumed += consumed
        self.stats.accepted += len(outcome.record.accepted)
        self.stats.rejected += len(outcome.record.rejected)
        self.stats.duplicates += outcome.duplicates
        self.stats.events += len(outcome.events)
        self.stats.batches += 1
        self.stats.order_waits_expired = self.merge.stats.idle_expired
        self.stats.partitions_paused = self.merge.stats.paused
        if self._on_batch is not None:
            self._on_batch(self.stats)

    @staticmethod
    def _log_commit_failure(offsets: Any, response: Any) -> None:
        if isinstance(response, Exception):
            # Only a hint for lag monitoring; the authoritative offsets are in PostgreSQL.
            log.warning("could not commit offset hint to Kafka: %s", response)


def inbound_records(
    consumed: Iterable[Any], topics: Topics, recorded_at: datetime
) -> list[InboundRecord]:
    """Consumed Kafka records decoded against the wire contract, in the deterministic order
    (consumers/merge.py): by producer timestamp, then reference data first, so a designation
    is known to the enrollments that cite it, then partition and offset."""
    ordered = sorted(consumed, key=lambda m: merge_key(m, lambda t: _topic_rank(topics, t)))
    return decoded_records(ordered, topics, recorded_at)


def decoded_records(
    consumed: Iterable[Any], topics: Topics, recorded_at: datetime
) -> list[InboundRecord]:
    """Consumed Kafka records decoded against the wire contract, in the order given."""
    records = []
    for m in consumed:
        where = Coordinates(m.topic, m.partition, m.offset)
        message: Decoded | Undecodable
        try:
            message = decode(m.value, where, topics.suffix_of(m.topic), recorded_at)
        except Exception as error:  # one record never stops the worker
            log.exception("decoding the record at %s raised; it becomes a dead letter", where)
            message = internal_error(error)
        replay_of = dead_letter_id(dict(getattr(m, "headers", None) or []).get(REPLAY_HEADER))
        records.append(InboundRecord(where, m.key, m.value, message, _producer_time(m), replay_of))
    return records


def _producer_time(m: Any) -> datetime | None:
    """The record's producer timestamp (stream time, the hold limit's clock), if it has one."""
    timestamp = getattr(m, "timestamp", None)
    if not isinstance(timestamp, int) or timestamp < 0:
        return None
    return datetime.fromtimestamp(timestamp / 1000, UTC)


def _topic_rank(topics: Topics, topic: str) -> int:
    suffix = topics.suffix_of(topic)
    return INBOUND_SUFFIXES.index(suffix) if suffix else len(INBOUND_SUFFIXES)


def run_worker(
    settings: Settings,
    bootstrap: str,
    ledger: Ledger,
    stop: threading.Event,
    clock: Callable[[], datetime],
    *,
    until_idle: float | None = None,
    on_batch: Callable[[IngestStats], None] | None = None,
) -> IngestStats:
    """Build the worker's Kafka clients, run it, and close the clients whatever happens."""
    # The aggregate cache keeps about a million objects alive; with the default thresholds the
    # collector walks them all again and again (11% of the worker's time at 400 000 events).
    # Young objects are still collected, only in larger steps; memory measured the same.
    gc.set_threshold(GC_THRESHOLDS[0], GC_THRESHOLDS[1], GC_THRESHOLDS[2])
    assign = settings.consumer_mode == "assign"
    if not assign:
        return _run(settings, bootstrap, ledger, stop, clock, until_idle, on_batch)
    with assign_mode_lock(ledger) as lock:
        return _run(
            settings,
            bootstrap,
            ledger,
            stop,
            clock,
            until_idle,
            on_batch,
            assign=True,
            before_commit=lock.ensure_held,
        )


def _run(
    settings: Settings,
    bootstrap: str,
    ledger: Ledger,
    stop: threading.Event,
    clock: Callable[[], datetime],
    until_idle: float | None,
    on_batch: Callable[[IngestStats], None] | None,
    *,
    assign: bool = False,
    before_commit: Callable[[], None] = lambda: None,
) -> IngestStats:
    connection = Connection(settings, bootstrap)
    try:
        topics = Topics(settings.topic_prefix)
        worker = IngestWorker(
            connection.clients.consumer,
            connection.clients.producer,
            ledger,
            topics,
            cluster_id_of(connection.clients.consumer),
            clock,
            on_batch,
            cache_size=settings.aggregate_cache_size,
            assign=assign,
            before_commit=before_commit,
            give_up_after=settings.outage_give_up_s,
            reconnect=connection.reconnect if connection.follows_embedded else None,
            offset_check_s=settings.offset_check_interval_s,
            hold_limit=HoldLimit(
                timedelta(seconds=settings.hold_stream_s), settings.hold_max_messages
            ),
            merge_idle_s=settings.merge_idle_ms / 1000,
            merge_buffer_max=settings.merge_buffer_records,
            batch_max=settings.max_poll_records,
        )
        return worker.run(stop, until_idle=until_idle)
    finally:
        connection.close()
