"""Issue 13: the same facts make the same ledger, however they reach the broker.

The tiny county year, each message stamped with the time of its fact (its place in the plan),
is published (a) in waves, each ingested before the next, (b) all at once, the topics
interleaved in a seeded shuffle that keeps each topic's own order, (c) in time order while the
worker runs, and (d) all at once, consumed by two workers of one group. Every run stores the
same events per entity (provenance aside) and the same dead letters.
"""

from __future__ import annotations

import contextlib
import random
import threading
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from kafka import TopicPartition

from consumers.ingest import IngestStats, run_worker
from consumers.topics import Topics, region_key
from infra.kafka import make_consumer, make_producer
from infra.settings import Settings
from infra.setup import set_up
from infra.store import Ledger, open_ledger
from scripts.simulation.config import config_for
from scripts.simulation.county import county_year
from scripts.simulation.plan import Planned
from tests.conftest import fresh_database
from tests.integration.county import feed_county
from tests.integration.helpers import create_topics, ingest
from tests.integration.store_reads import decisions
from tests.integration.workers import wait_until

SEED = 5
FIRST_FACT_MS = 1_546_272_000_000  # 2019-01-01T00:00+08:00
FACT_SPACING_MS = 1_000


@dataclass(frozen=True)
class Fact:
    """One planned message as its source publishes it: topic, region key, bytes, and the
    producer timestamp of the fact (the contract of docs/events.md "Timestamps")."""

    suffix: str
    key: bytes
    value: bytes
    timestamp_ms: int


def planned() -> list[Planned]:
    return list(county_year(config_for("tiny", None, seed=SEED)))


def facts_of(messages: list[Planned]) -> list[Fact]:
    return [
        Fact(
            p.topic_suffix,
            region_key(p.document) if p.document is not None else b"",
            p.value(),
            FIRST_FACT_MS + n * FACT_SPACING_MS,
        )
        for n, p in enumerate(messages)
    ]


def interleaved(facts: list[Fact], rng: random.Random) -> list[Fact]:
    """The facts with the topics shuffled into each other, each topic's own order kept: what
    independent sources publishing at once look like to the broker."""
    queues: dict[str, deque[Fact]] = {}
    for f in facts:
        queues.setdefault(f.suffix, deque()).append(f)
    shuffled = []
    while queues:
        suffix = rng.choice(sorted(queues))
        shuffled.append(queues[suffix].popleft())
        if not queues[suffix]:
            del queues[suffix]
    return shuffled


def publish(settings: Settings, facts: list[Fact], *, acknowledged_each: bool = False) -> None:
    """Send the facts in the order given; with `acknowledged_each`, as sources that publish a
    fact only once the broker has acknowledged the one before."""
    assert settings.kafka_bootstrap_servers is not None
    topics = Topics(settings.topic_prefix)
    producer = make_producer(settings.kafka_bootstrap_servers)
    try:
        futures = []
        for f in facts:
            future = producer.send(
                topics.inbound(f.suffix), key=f.key, value=f.value, timestamp_ms=f.timestamp_ms
            )
            if acknowledged_each:
                future.get(timeout=30)
            futures.append(future)
        producer.flush()
        for future in futures:
            future.get(timeout=30)
    finally:
        producer.close()


Run = tuple[Settings, Ledger]


@pytest.fixture
def fresh_run(
    postgres_server_url: str, bootstrap: str, tmp_path: Path
) -> Iterator[Callable[[str], Run]]:
    """A new database and topic prefix per scenario, all dropped at the end."""
    with contextlib.ExitStack() as stack:

        def make(name: str) -> Run:
            url = stack.enter_context(
                contextlib.contextmanager(fresh_database)(postgres_server_url)
            )
            set_up(url)
            ledger = stack.enter_context(open_ledger(url))
            run = uuid.uuid4().hex[:10]
            settings = Settings(
                database_url=url,
                kafka_bootstrap_servers=bootstrap,
                topic_prefix=f"o{run}.",
                home=tmp_path / name,
                consumer_group=f"g{run}",
                topic_partitions=3,
                max_poll_interval_ms=3_000,
            )
            create_topics(settings)
            return settings, ledger

        yield make


def in_threads(workers: list[Callable[[], IngestStats]]) -> list[IngestStats]:
    """Run the workers at once and return their stats; a worker's error fails the test."""
    results: dict[int, IngestStats | BaseException] = {}

    def run(n: int, worker: Callable[[], IngestStats]) -> None:
        try:
            results[n] = worker()
        except BaseException as error:  # noqa: BLE001 - handed to the test thread below
            results[n] = error

    threads = [threading.Thread(target=run, args=(n, w)) for n, w in enumerate(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    outcomes = [results[n] for n in range(len(workers))]
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome
    return [o for o in outcomes if isinstance(o, IngestStats)]


def worker_until_idle(
    settings: Settings, ledger: Ledger, idle_s: float
) -> Callable[[], IngestStats]:
    assert settings.kafka_bootstrap_servers is not None
    bootstrap = settings.kafka_bootstrap_servers
    return lambda: run_worker(
        settings, bootstrap, ledger, threading.Event(), lambda: datetime.now(UTC), until_idle=idle_s
    )


def test_the_county_year_gives_one_ledger_however_it_is_published(
    fresh_run: Callable[[str], Run], rng: random.Random
) -> None:
    messages = planned()
    facts = facts_of(messages)
    shuffled = interleaved(facts, rng)
    assert [f.suffix for f in shuffled] != [f.suffix for f in facts]

    # (a) waves, each ingested before the next: the order the demo relied on so far.
    settings, ledger = fresh_run("waves")
    with open_ledger(settings.database_url or "") as watch:
        report = feed_county(settings, ledger, watch, messages)
    assert report is not None
    expected = decisions(ledger)
    events, dead = expected
    assert len(events) > 100
    assert dead, "the tiny county plants bad messages: their dead letters are compared too"

    # (b) all topics at once, interleaved; then one worker.
    settings, ledger = fresh_run("at-once")
    publish(settings, shuffled)
    ingest(settings, ledger, until_idle=3.0)
    assert decisions(ledger) == expected

    # (c) published while the worker runs, each fact when it happens: in time order, across
    # topics, as sources acting at once do (a fact not yet published cannot be waited for).
    settings, ledger = fresh_run("while-running")
    sources = threading.Thread(
        target=publish, args=(settings, facts), kwargs={"acknowledged_each": True}
    )
    sources.start()
    in_threads([worker_until_idle(settings, ledger, idle_s=6.0)])
    sources.join(timeout=120)
    assert decisions(ledger) == expected

    # (d) two workers of one group over the co-partitioned topics.
    settings, ledger = fresh_run("two-workers")
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
    group = [make_consumer(settings, settings.kafka_bootstrap_servers) for _ in range(2)]
    try:
        for consumer in group:
            consumer.subscribe(topics.all_inbound)

        def both_assigned() -> bool:
            for consumer in group:
                consumer.poll(timeout_ms=100)
            held = [consumer.assignment() for consumer in group]
            return all(held) and sum(len(h) for h in held) == 3 * len(topics.all_inbound)

        wait_until(both_assigned, 60, "both consumers assigned")
        numbers = []
        for consumer in group:
            held: set[TopicPartition] = consumer.assignment()
            by_number = {tp.partition for tp in held}
            assert held == {TopicPartition(t, p) for t in topics.all_inbound for p in by_number}
            numbers.append(by_number)
        assert numbers[0].isdisjoint(numbers[1])
        assert numbers[0] | numbers[1] == {0, 1, 2}
    finally:
        for consumer in group:
            consumer.close()
