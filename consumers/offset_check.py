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

from infra.kafka import cluster_id_of
from infra.offsets import ClusterChangedError, PartitionOffsets, StoredOffsetOutOfLogError

# Bounded, so a broker that does not answer fails the check (a KafkaTimeoutError, retried
# like any outage) instead of hanging the worker.
OFFSETS_TIMEOUT_MS = 10_000
DEFAULT_INTERVAL_S = 30.0


def partition_offsets(
    consumer: KafkaConsumer,
    cluster_id: str,
    partitions: Iterable[TopicPartition],
    stored_next: Callable[[TopicPartition], int | None],
) -> list[PartitionOffsets]:
    """Each partition's stored next offset beside the broker's log start and end."""
    wanted = sorted(partitions)
    if not wanted:
        return []
    starts = consumer.beginning_offsets(wanted, timeout_ms=OFFSETS_TIMEOUT_MS)
    ends = consumer.end_offsets(wanted, timeout_ms=OFFSETS_TIMEOUT_MS)
    return [
        PartitionOffsets(cluster_id, tp.topic, tp.partition, stored_next(tp), starts[tp], ends[tp])
        for tp in wanted
    ]


class OffsetGuard:
    """Checks one worker's partitions; raises `StoredOffsetOutOfLogError` or
    `ClusterChangedError`, which stop the worker."""

    def __init__(
        self,
        consumer: KafkaConsumer,
        cluster_id: str,
        stored_next: Callable[[TopicPartition], int | None],
        interval_s: float = DEFAULT_INTERVAL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._consumer = consumer
        self._cluster_id = cluster_id
        self._stored_next = stored_next
        self._interval_s = interval_s
        self._clock = clock
        self._last_check = clock()

    def check(self, partitions: Iterable[TopicPartition]) -> list[PartitionOffsets]:
        """The partitions' offsets, all inside the broker's log; else raise for the first."""
        found = partition_offsets(self._consumer, self._cluster_id, partitions, self._stored_next)
        for p in found:
            if p.unreadable:
                raise StoredOffsetOutOfLogError(p)
        return found

    def check_if_due(self, partitions: Iterable[TopicPartition]) -> None:
        """Every `interval_s`: the cluster id, then the partitions' offsets."""
        now = self._clock()
        if now - self._last_check < self._interval_s:
            return
        self._last_check = now
        reported = cluster_id_of(self._consumer)
        if reported != self._cluster_id:
            raise ClusterChangedError(self._cluster_id, reported)
        # The id is cached from the last metadata answer; asking for fresh metadata now (the
        # consumer's next poll fetches it, without blocking here) lets the next check see a
        # broker that was replaced at the same address.
        self._consumer._client.cluster.request_update()
        self.check(partitions)
