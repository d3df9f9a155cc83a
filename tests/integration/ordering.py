"""Publishing the tiny county year as independent sources do, and running workers over it:
the scenarios of issue 13 (tests/integration/test_deterministic_order.py, test_apache_kafka.py)."""

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

from consumers.ingest import IngestStats, run_worker
from consumers.topics import Topics, region_key
from infra.kafka import make_producer
from infra.settings import Settings
from infra.setup import set_up
from infra.store import Ledger, open_ledger
from scripts.simulation.config import config_for
from scripts.simulation.county import county_year
from scripts.simulation.plan import Planned
from tests.conftest import fresh_database
from tests.integration.helpers import create_topics

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
MakeRun = Callable[..., Run]  # (name, merge_buffer_records=...)


@pytest.fixture
def fresh_run(postgres_server_url: str, bootstrap: str, tmp_path: Path) -> Iterator[MakeRun]:
    """A new database and topic prefix per scenario, all dropped at the end; the worker's merge
    pauses a partition at `merge_buffer_records` buffered (the default, or tiny to make it
    pause and resume throughout)."""
    with contextlib.ExitStack() as stack:

        def make(name: str, merge_buffer_records: int = Settings.merge_buffer_records) -> Run:
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
                # Nothing held: a planted unknown_* message is a dead letter at once, as in
                # waves, so every case shows what the merge alone decides (holding: test_held).
                hold_max_messages=0,
                merge_buffer_records=merge_buffer_records,
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
