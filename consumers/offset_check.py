"""The worker's guard against reading on from offsets the broker no longer has: at every
assignment and every `interval_s` (monotonic), the stored offsets of its partitions against
the broker's log start and end, and the cluster id against the one it started with.

A broker reset with the same cluster id (a memory-only broker restarted, a topic deleted and
created again) leaves the stored offsets beyond the new log's end; retention can leave them
below its start. Seeking there would make the consumer jump to the log's start or end and
skip messages without a trace, so the worker stops instead (infra/offsets.py has the rule and
the message), and the operator decides with `claims-ledger offsets reset`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from kafka import KafkaConsumer, TopicPartition
from kafka.errors import KafkaTimeoutError

from infra.application.reads import StoreReads
from infra.kafka import cluster_id_from, cluster_id_of, make_reader
from infra.offsets import (
    ClusterChangedError,
    LogReplacedError,
    PartitionOffsets,
    StoredOffsetOutOfLogError,
    message_id_of,
    read_here_before,
)

# Bounded, so a broker that does not answer fails the check (a KafkaTimeoutError, retried
# like any outage) instead of hanging the worker.
OFFSETS_TIMEOUT_MS = 10_000
DEFAULT_INTERVAL_S = 30.0


def partition_offsets(
    consumer: KafkaConsumer,
    cluster_id: str,
    partitions: Iterable[TopicPartition],
    stored_next: Callable[[TopicPartition], int | None],
    *,
    exact_ends: bool = False,
) -> list[PartitionOffsets]:
    """Each partition's stored next offset beside the broker's log start and end; with
    `exact_ends` (what an operator is shown) every end is a fetch's high watermark."""
    wanted = sorted(partitions)
    if not wanted:
        return []
    starts = consumer.beginning_offsets(wanted, timeout_ms=OFFSETS_TIMEOUT_MS)
    ends = consumer.end_offsets(wanted, timeout_ms=OFFSETS_TIMEOUT_MS)
    stored = {tp: stored_next(tp) for tp in wanted}
    # Tansu answers "latest" with the last batch's first offset + 1, short of the real end
    # when that batch holds several records (measured: 64 records, end 15). A fetch's high
    # watermark is the real end; it is asked only where the short answer would stop the worker.
    doubtful = [tp for tp in wanted if exact_ends or (stored[tp] or 0) > ends[tp]]
    if doubtful:
        ends.update(high_watermarks(_bootstrap_of(consumer), {tp: ends[tp] for tp in doubtful}))
    return [
        PartitionOffsets(cluster_id, tp.topic, tp.partition, stored[tp], starts[tp], ends[tp])
        for tp in wanted
    ]


def high_watermarks(
    bootstrap: str, reported_ends: dict[TopicPartition, int]
) -> dict[TopicPartition, int]:
    """The high watermark of each partition, from a fetch at its reported end (at or before
    the real end, so the fetch returns at most the last batch)."""
    reader = make_reader(bootstrap)
    try:
        reader.assign(list(reported_ends))
        for tp, end in reported_ends.items():
            reader.seek(tp, end)
        deadline = time.monotonic() + OFFSETS_TIMEOUT_MS / 1000
        while any(reader.highwater(tp) is None for tp in reported_ends):
            if time.monotonic() > deadline:
                raise KafkaTimeoutError("no fetch answered with the log's high watermark")
            reader.poll(timeout_ms=200)
        return {tp: max(end, int(reader.highwater(tp))) for tp, end in reported_ends.items()}
    finally:
        reader.close()


def values_at(
    bootstrap: str, offsets: dict[TopicPartition, int]
) -> dict[TopicPartition, bytes | None]:
    """The value of the record at each partition's offset; a partition whose first record
    from there sits further on (compaction, a transaction marker) is left out."""
    reader = make_reader(bootstrap)
    found: dict[TopicPartition, bytes | None] = {}
    try:
        reader.assign(list(offsets))
        for tp, offset in offsets.items():
            reader.seek(tp, offset)
        deadline = time.monotonic() + OFFSETS_TIMEOUT_MS / 1000
        answered: set[TopicPartition] = set()
        while answered != set(offsets):
            if time.monotonic() > deadline:
                raise KafkaTimeoutError("no fetch answered with the last records read")
            for tp, records in reader.poll(timeout_ms=200).items():
                if tp not in answered and records:
                    answered.add(tp)
                    reader.pause(tp)
                    if records[0].offset == offsets[tp]:
                        found[tp] = records[0].value
        return found
    finally:
        reader.close()


def _bootstrap_of(consumer: KafkaConsumer) -> str:
    servers = consumer.config["bootstrap_servers"]
    return servers if isinstance(servers, str) else ",".join(servers)


class OffsetGuard:
    """Checks one worker's partitions; raises `StoredOffsetOutOfLogError` or
    `ClusterChangedError`, which stop the worker."""

    def __init__(
        self,
        consumer: KafkaConsumer,
        cluster_id: str,
        stored_next: Callable[[TopicPartition], int | None],
        reads: StoreReads,
        interval_s: float = DEFAULT_INTERVAL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._consumer = consumer
        self._cluster_id = cluster_id
        self._stored_next = stored_next
        self._reads = reads
        self._interval_s = interval_s
        self._clock = clock
        self._last_check = clock()
        self._bootstrap = _bootstrap_of(consumer)

    def check(
        self, partitions: Iterable[TopicPartition], *, last_read: bool = False
    ) -> list[PartitionOffsets]:
        """The partitions' offsets, all inside the broker's log; else raise for the first.
        With `last_read` (at assignment), also the record before each stored offset: one the
        ledger read there, or the log was replaced and has grown past the stored offset."""
        found = partition_offsets(self._consumer, self._cluster_id, partitions, self._stored_next)
        for p in found:
            if p.unreadable:
                self._stop(StoredOffsetOutOfLogError(p))
        if last_read:
            self._check_last_read(found)
        return found

    def _check_last_read(self, found: list[PartitionOffsets]) -> None:
        last = {
            TopicPartition(p.topic, p.partition): p.stored_next - 1
            for p in found
            if p.stored_next is not None and p.stored_next > p.log_start
        }
        if not last:
            return
        values = values_at(self._bootstrap, last)
        dead = self._reads.dead_lettered(
            self._cluster_id, [(tp.topic, tp.partition, o) for tp, o in last.items()]
        )
        ids = {tp: message_id_of(v) for tp, v in values.items()}
        # Decided before: accepted, rejected or held (a copy of one is a no-op that stores
        # nothing at its own coordinates).
        accepted = self._reads.first_decisions([i for i in ids.values() if i is not None])
        for p in found:
            tp = TopicPartition(p.topic, p.partition)
            if tp not in values:
                continue
            where = (p.topic, p.partition, last[tp])
            if not read_here_before(
                values[tp], dead.get(where), where in dead, ids[tp] in accepted
            ):
                self._stop(LogReplacedError(p))

    def _stop(self, error: StoredOffsetOutOfLogError | LogReplacedError) -> None:
        # A broker replaced by one of another cluster also looks like this (our offsets are
        # the old cluster's); the consumer's cached id may not know it yet, so a fresh
        # connection asks, and the message names the right cause.
        self._raise_if_cluster_changed(cluster_id_from(self._bootstrap))
        raise error

    def confirm_cluster(self) -> None:
        """Against the consumer's cached metadata, no network: cheap enough for every poll
        that returned records. kafka-python refreshes metadata when a connection drops, so a
        replaced broker shows its id here before a batch of its records is committed under
        the old one."""
        self._raise_if_cluster_changed(cluster_id_of(self._consumer))

    def check_if_due(self, partitions: Iterable[TopicPartition]) -> None:
        """Every `interval_s`: the cluster id, then the partitions' offsets."""
        now = self._clock()
        if now - self._last_check < self._interval_s:
            return
        self._last_check = now
        self.confirm_cluster()
        # The id is cached from the last metadata answer; asking for fresh metadata now (the
        # consumer's next poll fetches it, without blocking here) lets the next check see a
        # broker that was replaced at the same address.
        self._consumer._client.cluster.request_update()
        self.check(partitions)

    def _raise_if_cluster_changed(self, reported: str) -> None:
        if reported != self._cluster_id:
            raise ClusterChangedError(self._cluster_id, reported)
