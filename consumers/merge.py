"""The deterministic order across partitions: Kafka orders a partition, not topics, so the worker
buffers what it polls per partition and decides records in one order that depends only on the
topics' content, not on how fetches interleaved.

The next record is always the head with the smallest key (producer timestamp, fixed topic rank,
partition, offset), as Kafka Streams does it, and only while every assigned partition either
has buffered records or is known caught up: a partition with nothing buffered whose fetches are
not known to have reached its log's end could still hold an earlier record. Such a partition is
waited for up to `idle_s` (Kafka Streams' `max.task.idle.ms`); then the merge goes on without it
and counts that it did (the order then depends on timing: docs/operations.md).

Each partition's own order is always kept: only heads are compared, so a timestamp that goes
back within a partition only makes its record go as soon as it is a head.

Pure: no broker. The worker tells which partitions are assigned and caught up.
"""

from __future__ import annotations

import heapq
import logging
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kafka import TopicPartition

# kafka-python's ConsumerRecord.timestamp_type: 0 is the producer's CreateTime, 1 the broker's
# LogAppendTime. Both are used as they are (docs/events.md "Timestamps").
NO_TIMESTAMP = -1  # what a record without a usable timestamp sorts as: before any real one

log = logging.getLogger(__name__)

MergeKey = tuple[int, int, int, int]


def timestamp_of(record: Any) -> int:
    """The record's timestamp in ms, or NO_TIMESTAMP when it has none (None or negative, as
    Kafka's -1 "no timestamp"). Such a record goes as soon as it heads its partition: the
    rule depends on the content only, so a re-read after a restart orders it the same."""
    ts = getattr(record, "timestamp", None)
    return ts if isinstance(ts, int) and ts >= 0 else NO_TIMESTAMP


def merge_key(record: Any, rank: Callable[[str], int]) -> MergeKey:
    """Where a record goes in the deterministic order: producer timestamp, then the fixed
    topic rank (reference data before what cites it), then partition and offset."""
    return (timestamp_of(record), rank(record.topic), record.partition, record.offset)


@dataclass
class MergeStats:
    """What the merge did, for the worker's log line and tests."""

    idle_expired: int = 0  # waits for a lagging partition that ran out of time
    paused: int = 0  # partitions paused because their buffer was full
    dropped: int = 0  # buffered records dropped at a rebalance or rewind (re-read later)


@dataclass
class PartitionMerge:
    """Buffers per partition and hands out records in the deterministic order."""

    rank: Callable[[str], int]  # the fixed topic order (consumers/topics.py INBOUND_SUFFIXES)
    idle_s: float
    buffer_max: int  # records buffered per partition before it is paused
    stats: MergeStats = field(default_factory=MergeStats)
    _buffers: dict[TopicPartition, deque[Any]] = field(default_factory=dict)
    _waiting_since: float | None = None  # when the merge began to wait for a lagging partition
    # Lagging partitions whose wait ran out: the merge goes on without them while they lag.
    _given_up: set[TopicPartition] = field(default_factory=set)

    def key(self, record: Any) -> MergeKey:
        return merge_key(record, self.rank)

    @property
    def buffered(self) -> int:
        return sum(len(b) for b in self._buffers.values())

    def buffered_in(self, tp: TopicPartition) -> int:
        return len(self._buffers.get(tp, ()))

    def add(self, polled: Mapping[TopicPartition, Sequence[Any]]) -> None:
        for tp, records in polled.items():
            self._buffers.setdefault(tp, deque()).extend(records)

    def drop(self, partitions: Iterable[TopicPartition]) -> None:
        """Forget what is buffered of these partitions: none of it was decided, so nothing of
        it is in the stored offsets, and the worker re-reads it from there."""
        for tp in partitions:
            self.stats.dropped += len(self._buffers.pop(tp, ()))

    def take(
        self,
        assigned: Iterable[TopicPartition],
        caught_up: Callable[[TopicPartition], bool],
        now: float,
        limit: int | None = None,
    ) -> list[Any]:
        """The records that can be decided now, in order, at most `limit` (one batch the
        ledger decides and commits at once); the rest stays buffered."""
        partitions = set(assigned)
        self.drop([tp for tp in self._buffers if tp not in partitions])
        answers: dict[TopicPartition, bool] = {}  # nothing is fetched during a take: ask once

        def known_caught_up(tp: TopicPartition) -> bool:
            if tp not in answers:
                answers[tp] = caught_up(tp)
            return answers[tp]

        # Lagging: nothing buffered and not known caught up. A partition joins the set when
        # the take empties its buffer; nothing is fetched meanwhile, so none leaves it.
        lagging = {tp for tp in partitions if not self._buffers.get(tp) and not known_caught_up(tp)}
        heads = [(self.key(b[0]), tp) for tp in partitions if (b := self._buffers.get(tp))]
        heapq.heapify(heads)
        taken: list[Any] = []
        while heads and (limit is None or len(taken) < limit):
            self._given_up.intersection_update(lagging)
            if not self._may_go_on(sorted(lagging), now):
                return taken
            _, first = heapq.heappop(heads)
            buffer = self._buffers[first]
            taken.append(buffer.popleft())
            if buffer:
                heapq.heappush(heads, (self.key(buffer[0]), first))
            elif not known_caught_up(first):
                lagging.add(first)
        if not heads:
            self._waiting_since = None
        return taken

    def _may_go_on(self, lagging: list[TopicPartition], now: float) -> bool:
        """Whether the merge may take a head although these partitions lag: each one newly
        lagging is waited for, once, up to `idle_s`."""
        waited_for = [tp for tp in lagging if tp not in self._given_up]
        if not waited_for:
            self._waiting_since = None
            return True
        if self._waiting_since is None:
            self._waiting_since = now
        if now - self._waiting_since < self.idle_s:
            return False
        self._waiting_since = None
        self._given_up.update(waited_for)
        self.stats.idle_expired += len(waited_for)
        log.warning(
            "waited %.1f s for %s, not caught up and nothing buffered; deciding without it:"
            " a record it holds with an earlier timestamp comes later than its time",
            self.idle_s,
            ", ".join(f"{tp.topic}/{tp.partition}" for tp in waited_for),
        )
        return True

    def flow(
        self, assigned: Iterable[TopicPartition], paused: Iterable[TopicPartition]
    ) -> tuple[list[TopicPartition], list[TopicPartition]]:
        """Which partitions to pause (buffer full) and which to resume (buffer down to half),
        so memory stays bounded by about `buffer_max` records per partition; 0 never pauses."""
        if self.buffer_max <= 0:
            return [], []
        paused_now = set(paused)
        to_pause = sorted(
            tp
            for tp in assigned
            if tp not in paused_now and self.buffered_in(tp) >= self.buffer_max
        )
        to_resume = sorted(tp for tp in paused_now if self.buffered_in(tp) <= self.buffer_max // 2)
        self.stats.paused += len(to_pause)
        return to_pause, to_resume
