"""Issue 13: the same facts make the same ledger, however they reach the broker.

The tiny county year, each message stamped with the time of its fact (its place in the plan),
is published (a) in waves, each ingested before the next, (b) all at once, the topics
interleaved in a seeded shuffle that keeps each topic's own order, (c) in time order while the
worker runs, and (d) all at once, consumed by two workers of one group. Every run stores the
same events per entity (provenance aside) and the same dead letters.
"""

from __future__ import annotations

import random
import threading

import pytest
from kafka import TopicPartition

from infra.kafka import make_consumer
from infra.settings import Settings
from infra.store import open_ledger
from scripts.simulation.feed_mode import FeedMode, FeedOptions
from tests.integration.county import feed_county
from tests.integration.helpers import create_topics, ingest
from tests.integration.ordering import (
    MakeRun,
    facts_of,
    fresh_run,  # noqa: F401 - the fixture
    in_threads,
    interleaved,
    planned,
    publish,
    worker_until_idle,
)
from tests.integration.store_reads import decisions
from tests.integration.workers import wait_until


@pytest.mark.parametrize("buffer", [Settings.merge_buffer_records, 8], ids=["default", "tiny"])
def test_the_county_year_gives_one_ledger_however_it_is_published(
    fresh_run: MakeRun,  # noqa: F811 - the fixture
    rng: random.Random,
    buffer: int,
) -> None:
    """With a tiny merge buffer (8 records per partition) the worker pauses and resumes its
    partitions all along: the order, and so the ledger, must not depend on it."""
    messages = planned()
    facts = facts_of(messages)
    shuffled = interleaved(facts, rng)
    assert [f.suffix for f in shuffled] != [f.suffix for f in facts]

    # (a) waves, each ingested before the next: the order the demo relied on so far.
    settings, ledger = fresh_run("waves", buffer)
    with open_ledger(settings.database_url or "") as watch:
        report = feed_county(settings, ledger, watch, messages, FeedOptions(FeedMode.WAVES))
    assert report is not None
    expected = decisions(ledger)
    events, dead = expected
    assert len(events) > 100
    assert dead, "the tiny county plants bad messages: their dead letters are compared too"

    # (b) all topics at once, interleaved; then one worker.
    settings, ledger = fresh_run("at-once", buffer)
    publish(settings, shuffled)
    at_once = ingest(settings, ledger, until_idle=3.0)
    assert decisions(ledger) == expected
    assert (at_once.partitions_paused > 0) == (buffer < 100), "a tiny buffer pauses, a large not"

    # (c) published while the worker runs, each fact when it happens: in time order, across
    # topics, as sources acting at once do (a fact not yet published cannot be waited for).
    settings, ledger = fresh_run("while-running", buffer)
    sources = threading.Thread(
        target=publish, args=(settings, facts), kwargs={"acknowledged_each": True}
    )
    sources.start()
    in_threads([worker_until_idle(settings, ledger, idle_s=6.0)])
    sources.join(timeout=120)
    assert decisions(ledger) == expected

    # (d) two workers of one group over the co-partitioned topics.
    settings, ledger = fresh_run("two-workers", buffer)
    publish(settings, shuffled)
    with open_ledger(settings.database_url or "") as second:
        stats = in_threads(
            [worker_until_idle(settings, ledger, 8.0), worker_until_idle(settings, second, 8.0)]
        )
    assert sum(s.accepted + s.rejected + s.duplicates for s in stats) >= len(facts)
    assert decisions(ledger) == expected


def test_the_range_assignor_gives_each_worker_one_partition_number_of_every_topic(
    settings: Settings,
) -> None:
    """Two consumers of the group over six topics of three partitions: each holds whole
    partition numbers, of every topic, and together all of them (Tansu relays the assignment
    the group's leader computed, so kafka-python's range assignor decides it)."""
    topics = create_topics(settings)
    assert settings.kafka_bootstrap_servers is not None
    bootstrap = settings.kafka_bootstrap_servers
    held: dict[int, set[TopicPartition]] = {}
    stop = threading.Event()

    def member(n: int) -> None:
        # Each consumer polls in a thread of its own, as a worker does: a join waits for every
        # member to rejoin, which a consumer polled in turn with another could not.
        consumer = make_consumer(settings, bootstrap)
        try:
            consumer.subscribe(topics.all_inbound)
            while not stop.is_set():
                consumer.poll(timeout_ms=100)
                held[n] = set(consumer.assignment())
        finally:
            consumer.close()

    threads = [threading.Thread(target=member, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    try:

        def both_assigned() -> bool:
            now = [held.get(n, set()) for n in range(2)]
            return all(now) and sum(len(h) for h in now) == 3 * len(topics.all_inbound)

        wait_until(both_assigned, 120, "both consumers assigned")
        numbers = []
        for n in range(2):
            by_number = {tp.partition for tp in held[n]}
            assert held[n] == {TopicPartition(t, p) for t in topics.all_inbound for p in by_number}
            numbers.append(by_number)
        assert numbers[0].isdisjoint(numbers[1])
        assert numbers[0] | numbers[1] == {0, 1, 2}
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=30)
