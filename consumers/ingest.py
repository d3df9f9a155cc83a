"""The ingest worker: poll a batch, decide it, send its dead letters, commit it with its offsets.

Exactly once: offsets are tracking records written in the same transaction as the events, and
the worker seeks to them whenever partitions are assigned. Kafka's own offsets are only a hint.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from eventsourcing.persistence import IntegrityError
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.consumer.subscription_state import ConsumerRebalanceListener

from consumers.batch import BatchDecider, BatchOutcome, InboundRecord
from consumers.contract import Coordinates
from consumers.topics import Topics
from infra.kafka import cluster_id_of, make_consumer, make_producer
from infra.queries import known_digests, stored_offset
from infra.settings import Settings
from infra.store import DeadLetter, Ledger, offset_tracking_name

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
    started: float = 0.0

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started


class SeekToStoredOffsets(ConsumerRebalanceListener):  # type: ignore[misc]
    """On every assignment, resume each partition right after its last committed offset."""

    def __init__(self, worker: IngestWorker) -> None:
        self._worker = worker

    def on_partitions_revoked(self, revoked: Any) -> None:
        """Nothing to flush: a batch is committed before the next poll."""

    def on_partitions_assigned(self, assigned: Any) -> None:
        self._worker.rewind(assigned)


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
    ) -> None:
        self._consumer = consumer
        self._producer = producer
        self._ledger = ledger
        self._topics = topics
        self._cluster_id = cluster_id
        self._clock = clock
        self._on_batch = on_batch
        self._decider = BatchDecider(
            ledger.repository, lambda ids: known_digests(ledger, ids), topics, cluster_id
        )
        self.stats = IngestStats()

    def rewind(self, partitions: Any) -> None:
        """Seek partitions to the offsets stored with the events."""
        for tp in partitions:
            name = offset_tracking_name(self._cluster_id, tp.topic, tp.partition)
            last = stored_offset(self._ledger, name)
            if last is None:
                self._consumer.seek_to_beginning(tp)
            else:
                self._consumer.seek(tp, last + 1)

    def run(self, stop: threading.Event, until_idle: float | None = None) -> IngestStats:
        """Consume until `stop` is set, or until nothing arrived for `until_idle` seconds."""
        self._consumer.subscribe(self._topics.all_inbound, listener=SeekToStoredOffsets(self))
        self.stats.started = time.monotonic()
        last_activity: float | None = None  # the idle clock starts once partitions are assigned
        while not stop.is_set():
            polled = self._consumer.poll(timeout_ms=200)
            now = time.monotonic()
            if last_activity is None and self._consumer.assignment():
                last_activity = now
            if polled:
                self._process(polled)
                last_activity = time.monotonic()
            elif (
                until_idle is not None
                and last_activity is not None
                and now - last_activity >= until_idle
            ):
                break
        return self.stats

    def _process(self, polled: dict[TopicPartition, list[Any]]) -> None:
        records = [
            InboundRecord(Coordinates(m.topic, m.partition, m.offset), m.key, m.value)
            for messages in polled.values()
            for m in messages
        ]
        outcome = self._decider.decide(records, self._clock())
        self._send_dead_letters(outcome.record.rejected)
        try:
            self._ledger.save(*outcome.events, batch=outcome.record)
        except IntegrityError as error:
            # Another writer got there first (a rebalance overlap, or the same message id on
            # two partitions at once). Nothing of this batch was written: re-read and retry.
            log.warning("batch not committed, re-reading from stored offsets: %s", error)
            self.rewind(polled.keys())
            return
        self._count(len(records), outcome)
        self._consumer.commit_async(callback=self._log_commit_failure)

    def _send_dead_letters(self, dead_letters: list[DeadLetter]) -> None:
        # Sent and flushed before the batch commits: a crash in between re-sends, never loses.
        for d in dead_letters:
            headers = [
                ("reason", d.reason.encode()),
                ("detail", d.detail.encode()),
                ("source", f"{d.source_topic}/{d.source_partition}@{d.source_offset}".encode()),
                ("message_id", str(d.message_id or "").encode()),
            ]
            self._producer.send(
                self._topics.rejected, key=d.message_key, value=d.message_value, headers=headers
            )
        if dead_letters:
            self._producer.flush()

    def _count(self, consumed: int, outcome: BatchOutcome) -> None:
        self.stats.consumed += consumed
        self.stats.accepted += len(outcome.record.accepted)
        self.stats.rejected += len(outcome.record.rejected)
        self.stats.duplicates += outcome.duplicates
        self.stats.events += len(outcome.events)
        self.stats.batches += 1
        if self._on_batch is not None:
            self._on_batch(self.stats)

    @staticmethod
    def _log_commit_failure(offsets: Any, response: Any) -> None:
        if isinstance(response, Exception):
            # Only a hint for lag monitoring; the authoritative offsets are in PostgreSQL.
            log.warning("could not commit offset hint to Kafka: %s", response)


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
    consumer = make_consumer(settings, bootstrap)
    producer = make_producer(bootstrap)
    try:
        topics = Topics(settings.topic_prefix)
        worker = IngestWorker(
            consumer, producer, ledger, topics, cluster_id_of(consumer), clock, on_batch
        )
        return worker.run(stop, until_idle=until_idle)
    finally:
        consumer.close(autocommit=False)
        producer.close()
