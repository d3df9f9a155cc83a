"""Putting planned messages on the inbound topics, and the concurrent sources' interleaving.

Real sources (the enrollment office, tax collection, every hospital's HIS, the inspectors) are
independent systems: each sends its own facts in the order they happen, none waits for another
or for the ledger, and how their records interleave on the broker is anyone's guess. The
concurrent feed models them with one producer that publishes a seeded interleaving of the
topics' streams rather than with one thread per topic: any interleaving that keeps each topic's
order is one real sources can produce, threads would only draw one the scheduler happens to pick
(usually near the plan's order, since every thread is fast), while a seed draws it on purpose,
varies it from seed to seed and repeats it exactly when a failure must be replayed. Every record
carries its recording time (timeline.py) as producer timestamp and the pooling region as key
(docs/events.md, "keys"), so one region's records of every topic land in the same partition
number.
"""

from __future__ import annotations

import itertools
import random
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from kafka import KafkaProducer

from consumers.topics import Topics, region_key
from scripts.simulation.feed_mode import FeedOptions
from scripts.simulation.plan import Planned
from scripts.simulation.timeline import Stamped, Timeline

# Messages sent before the producer is flushed and their acknowledgements read: bounds memory.
ACKNOWLEDGE_EVERY = 5_000


@dataclass(frozen=True)
class Sent:
    """A planned message and where Kafka put it."""

    planned: Planned
    topic: str
    partition: int
    offset: int


@dataclass(frozen=True)
class Outgoing:
    """One record to send: the message, its topic, its key, its timestamp (None: the
    producer's clock)."""

    planned: Planned
    topic: str
    key: bytes
    timestamp_ms: int | None = None


def kafka_key(p: Planned, region: str) -> bytes:
    """The region of a message (consumers/topics.py); a planted one that is not JSON is sent
    by a source of the scenario's region, so it carries that region's key."""
    return region_key(p.document) if p.document is not None else region.encode()


def send_acknowledged(producer: KafkaProducer, records: Sequence[Outgoing]) -> list[Sent]:
    """Send the records in order, each acknowledged by the broker (else this raises)."""
    futures = [
        (
            r.planned,
            producer.send(r.topic, key=r.key, value=r.planned.value(), timestamp_ms=r.timestamp_ms),
        )
        for r in records
    ]
    producer.flush()
    sent = []
    for planned, future in futures:
        meta = future.get(timeout=30)
        sent.append(Sent(planned, meta.topic, meta.partition, meta.offset))
    return sent


def interleaved(stamped: Iterable[Stamped], rng: random.Random, horizon: int) -> Iterator[Stamped]:
    """The topics' streams merged at random, each in its own order; no message is published
    more than `horizon` messages of the plan ahead of its place (memory stays bounded)."""
    queues: dict[str, deque[Stamped]] = {}
    source = iter(stamped)
    buffered = 0
    while True:
        for item in itertools.islice(source, horizon - buffered):
            queues.setdefault(item.planned.topic_suffix, deque()).append(item)
            buffered += 1
        if buffered == 0:
            return
        waiting = [name for name in sorted(queues) if queues[name]]
        # Weighted by what each topic has waiting: a uniform merge of the buffered streams.
        topic = rng.choices(waiting, weights=[len(queues[name]) for name in waiting])[0]
        buffered -= 1
        yield queues[topic].popleft()


class ConcurrentPublisher:
    """Publishes every topic at once, as concurrent sources do; waits for no worker."""

    def __init__(self, topics: Topics, producer: KafkaProducer, options: FeedOptions) -> None:
        self._topics = topics
        self._producer = producer
        self._options = options
        self._timeline = Timeline(options.year)
        self._rng = random.Random(f"{options.seed}:interleaving")  # noqa: S311 - reproducible

    def publish(self, planned: Iterable[Planned]) -> Iterator[Sent]:
        """Send the messages interleaved, yielding each once the broker acknowledged it."""
        stamped = interleaved(self._timeline.stamped(planned), self._rng, self._options.horizon)
        while chunk := list(itertools.islice(stamped, ACKNOWLEDGE_EVERY)):
            yield from send_acknowledged(
                self._producer,
                [
                    Outgoing(
                        s.planned,
                        self._topics.inbound(s.planned.topic_suffix),
                        kafka_key(s.planned, self._options.region),
                        s.timestamp_ms,
                    )
                    for s in chunk
                ],
            )
