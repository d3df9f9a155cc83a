"""The deterministic merge across partitions (consumers/merge.py), without a broker."""

from __future__ import annotations

import random

from kafka import TopicPartition
from kafka.consumer.fetcher import ConsumerRecord

from consumers.merge import NO_TIMESTAMP, PartitionMerge, merge_key, timestamp_of
from consumers.topics import INBOUND_SUFFIXES

REF = TopicPartition("ledger.reference", 0)
ENR = TopicPartition("ledger.enrollment", 0)
CLM = TopicPartition("ledger.claims", 0)
CLM1 = TopicPartition("ledger.claims", 1)
ALL = [REF, ENR, CLM]


def rank(topic: str) -> int:
    return INBOUND_SUFFIXES.index(topic.removeprefix("ledger."))


def record(tp: TopicPartition, offset: int, timestamp: int | None) -> ConsumerRecord:
    return ConsumerRecord(
        tp.topic, tp.partition, None, offset, timestamp, 0, b"k", b"v", [], None, 1, 1, -1
    )


def merge(idle_s: float = 5.0, buffer_max: int = 100) -> PartitionMerge:
    return PartitionMerge(rank=rank, idle_s=idle_s, buffer_max=buffer_max)


def never(_: TopicPartition) -> bool:
    return False


def always(_: TopicPartition) -> bool:
    return True


def coordinates(records: list[ConsumerRecord]) -> list[tuple[str, int, int]]:
    return [(r.topic, r.partition, r.offset) for r in records]


def test_records_go_by_timestamp_across_topics() -> None:
    m = merge()
    m.add({CLM: [record(CLM, 0, 30)], ENR: [record(ENR, 0, 20)], REF: [record(REF, 0, 10)]})
    taken = m.take(ALL, never, now=0.0)
    # Every partition had a record: the smallest head went until one ran dry, not caught up.
    assert coordinates(taken) == [("ledger.reference", 0, 0)]
    assert m.take(ALL, always, now=0.0) == [record(ENR, 0, 20), record(CLM, 0, 30)]


def test_ties_go_by_topic_rank_then_partition_then_offset() -> None:
    m = merge()
    m.add(
        {
            CLM1: [record(CLM1, 0, 5)],
            CLM: [record(CLM, 7, 5), record(CLM, 8, 5)],
            ENR: [record(ENR, 3, 5)],
            REF: [record(REF, 9, 5)],
        }
    )
    taken = m.take([*ALL, CLM1], always, now=0.0)
    assert coordinates(taken) == [
        ("ledger.reference", 0, 9),
        ("ledger.enrollment", 0, 3),
        ("ledger.claims", 0, 7),
        ("ledger.claims", 0, 8),
        ("ledger.claims", 1, 0),
    ]


def test_a_take_is_cut_at_its_limit_and_the_rest_waits_in_order() -> None:
    m = merge()
    m.add({REF: [record(REF, n, n) for n in range(5)]})
    assert coordinates(m.take([REF], always, now=0.0, limit=3)) == [
        ("ledger.reference", 0, 0),
        ("ledger.reference", 0, 1),
        ("ledger.reference", 0, 2),
    ]
    assert [r.offset for r in m.take([REF], always, now=0.0, limit=3)] == [3, 4]


def test_a_partition_keeps_its_own_order_whatever_its_timestamps() -> None:
    m = merge()
    m.add({REF: [record(REF, 0, 50), record(REF, 1, 10)], ENR: [record(ENR, 0, 20)]})
    taken = m.take([REF, ENR], always, now=0.0)
    assert coordinates(taken) == [
        ("ledger.enrollment", 0, 0),
        ("ledger.reference", 0, 0),
        ("ledger.reference", 0, 1),
    ]


def test_a_record_without_timestamp_goes_as_soon_as_it_heads_its_partition() -> None:
    assert timestamp_of(record(REF, 0, None)) == NO_TIMESTAMP
    assert timestamp_of(record(REF, 0, -1)) == NO_TIMESTAMP
    m = merge()
    m.add({ENR: [record(ENR, 0, 10)], CLM: [record(CLM, 0, -1)]})
    assert coordinates(m.take([ENR, CLM], always, now=0.0)) == [
        ("ledger.claims", 0, 0),
        ("ledger.enrollment", 0, 0),
    ]


def rising(tp: TopicPartition, rng: random.Random, count: int) -> list[ConsumerRecord]:
    """A partition as producers publish it: in time order, so its timestamps never fall."""
    times = sorted(rng.randrange(100) for _ in range(count))
    return [record(tp, n, t) for n, t in enumerate(times)]


def test_the_order_does_not_depend_on_how_fetches_interleave() -> None:
    rng = random.Random(13)
    partitions = [*ALL, CLM1]
    records = {tp: rising(tp, rng, 20) for tp in partitions}
    orders = []
    for _ in range(5):
        m = merge()
        fetched = dict.fromkeys(partitions, 0)
        taken: list[ConsumerRecord] = []
        while len(taken) < 80:
            tp = rng.choice(partitions)
            n = rng.randrange(1, 6)
            m.add({tp: records[tp][fetched[tp] : fetched[tp] + n]})
            fetched[tp] = min(20, fetched[tp] + n)
            taken += m.take(partitions, lambda p: fetched[p] == 20, now=0.0)  # noqa: B023
        orders.append(coordinates(taken))
    assert all(order == orders[0] for order in orders)
    # Each partition's timestamps rise, so the merge is the sort of all records by their key.
    everything = [r for rs in records.values() for r in rs]
    assert orders[0] == coordinates(sorted(everything, key=lambda r: merge_key(r, rank)))


def test_an_empty_caught_up_partition_does_not_hold_the_others() -> None:
    m = merge()
    m.add({REF: [record(REF, 0, 10)]})
    assert coordinates(m.take(ALL, always, now=0.0)) == [("ledger.reference", 0, 0)]
    assert m.stats.idle_expired == 0


def test_a_lagging_partition_is_waited_for_up_to_the_idle_time() -> None:
    m = merge(idle_s=2.0)
    m.add({REF: [record(REF, 0, 10), record(REF, 1, 11)]})

    def lagging_claims(tp: TopicPartition) -> bool:
        return bool(tp != CLM)

    assert m.take(ALL, lagging_claims, now=100.0) == []
    assert m.take(ALL, lagging_claims, now=101.9) == []
    assert m.stats.idle_expired == 0
    assert coordinates(m.take(ALL, lagging_claims, now=102.0)) == [
        ("ledger.reference", 0, 0),
        ("ledger.reference", 0, 1),
    ]
    assert m.stats.idle_expired == 1
    # Given up while it lags: the next records go at once, without a second wait or count.
    m.add({REF: [record(REF, 2, 12)]})
    assert len(m.take(ALL, lagging_claims, now=102.1)) == 1
    assert m.stats.idle_expired == 1


def test_a_partition_that_lags_again_is_waited_for_again() -> None:
    m = merge(idle_s=1.0)
    lag: set[TopicPartition] = {CLM}

    def caught_up(tp: TopicPartition) -> bool:
        return tp not in lag

    m.add({REF: [record(REF, 0, 1)]})
    m.take(ALL, caught_up, now=0.0)
    assert len(m.take(ALL, caught_up, now=1.0)) == 1
    lag.clear()  # it caught up; later it lags again
    m.add({REF: [record(REF, 1, 2)]})
    assert len(m.take(ALL, caught_up, now=2.0)) == 1
    lag.add(CLM)
    m.add({REF: [record(REF, 2, 3)]})
    assert m.take(ALL, caught_up, now=3.0) == []
    assert len(m.take(ALL, caught_up, now=4.0)) == 1
    assert m.stats.idle_expired == 2


def test_nothing_assigned_or_nothing_buffered_takes_nothing() -> None:
    m = merge()
    assert m.take([], never, now=0.0) == []
    assert m.take(ALL, never, now=0.0) == []
    assert m.buffered == 0


def test_records_of_partitions_no_longer_assigned_are_dropped() -> None:
    m = merge()
    m.add({REF: [record(REF, 0, 1)], ENR: [record(ENR, 0, 2), record(ENR, 1, 3)]})
    assert coordinates(m.take([ENR], always, now=0.0)) == [
        ("ledger.enrollment", 0, 0),
        ("ledger.enrollment", 0, 1),
    ]
    assert m.stats.dropped == 1
    m.add({CLM: [record(CLM, 0, 1)]})
    m.drop([CLM])
    assert m.buffered == 0
    assert m.stats.dropped == 2


def test_full_buffers_are_paused_and_resumed_at_half() -> None:
    m = merge(buffer_max=4)
    m.add({REF: [record(REF, n, 10 + n) for n in range(4)], ENR: [record(ENR, 0, 0)]})
    assert m.flow(ALL, paused=[]) == ([REF], [])
    assert m.flow(ALL, paused=[REF]) == ([], [])

    def claims_caught_up(tp: TopicPartition) -> bool:
        return bool(tp == CLM)

    m.take(ALL, claims_caught_up, now=0.0)  # ENR's head goes; ENR then lags: REF keeps its four
    assert m.buffered_in(REF) == 4
    m.add({ENR: [record(ENR, 1, 100)]})
    m.take(ALL, claims_caught_up, now=0.0)  # REF's four go before ENR's later record
    assert (m.buffered_in(REF), m.buffered_in(ENR)) == (0, 1)
    assert m.flow(ALL, paused=[REF]) == ([], [REF])
    assert m.stats.paused == 1


def test_a_buffer_limit_of_zero_never_pauses() -> None:
    m = merge(buffer_max=0)
    m.add({REF: [record(REF, n, n) for n in range(50)]})
    assert m.flow(ALL, paused=[]) == ([], [])
