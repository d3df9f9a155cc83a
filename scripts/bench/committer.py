"""The committer alone: a county's batches decided first, then only their commits timed.

The ledger's two halves (infra/store.py) are `decide` (a poll batch into events and rows,
writing nothing) and `commit` (all of it in one transaction). To time the second alone, the
batches are decided in this process by the worker's own code (`Ledger.decide`, which runs the
BatchDecider of infra/application/batch.py), in the scenario's planned order and in batches of
the worker's poll size, against a deciding store where each is committed as the worker would
(later batches read what earlier ones wrote). Each decided outcome is then committed again,
unchanged, into a fresh store by `Ledger.commit`: only those commits are timed. They run back to
back in chunks, so the figure is what one committer can take in when deciding costs it nothing.

The same events and rows go into the fresh store as into the deciding one (same order, same
chain), which is also what the rebuild and check figures are measured on (scripts/bench/run.py).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from consumers.ingest import decoded_records
from consumers.topics import Topics
from infra.application.batch import BatchOutcome
from infra.clock import utc_now
from infra.embedded import drop_database, ensure_database
from infra.settings import DEFAULT_AGGREGATE_CACHE_SIZE
from infra.setup import set_up
from infra.store import Ledger, open_ledger
from scripts.bench.ingest import per_event_us
from scripts.bench.server_cpu import BackendCpu
from scripts.simulation.plan import Planned
from scripts.simulation.publish import kafka_key

CLUSTER = "bench-committer"  # the cluster id the in-process batches are tracked under
BATCH = 500  # records per batch: the worker's default poll (LEDGER_MAX_POLL_RECORDS)
CHUNK_EVENTS = 20_000  # decided events held in memory before their commits are timed
CACHE = DEFAULT_AGGREGATE_CACHE_SIZE  # aggregates the deciding ledger keeps, as the worker


@dataclass
class CommitterFigures:
    """What the timed commits wrote, and what they cost in wall time and CPU."""

    events: int = 0
    batches: int = 0
    seconds: float = 0.0
    client_cpu_seconds: float = 0.0  # the committing thread's, in this process
    server_cpu_seconds: float | None = 0.0  # its PostgreSQL backend's (server_cpu.py)

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0

    @property
    def client_cpu_us_per_event(self) -> float:
        return per_event_us(self.client_cpu_seconds, self.events)

    @property
    def server_cpu_us_per_event(self) -> float | None:
        if self.server_cpu_seconds is None:
            return None
        return per_event_us(self.server_cpu_seconds, self.events)


class _Consumed(NamedTuple):
    """A planned message as the worker would have polled it (what `decoded_records` reads)."""

    topic: str
    partition: int
    offset: int
    key: bytes
    value: bytes
    timestamp: None = None
    headers: None = None


def consumed(planned: Iterable[Planned], topics: Topics, region: str) -> Iterator[_Consumed]:
    """The messages in planned order, each at the next offset of its topic's one partition."""
    offsets: dict[str, int] = {}
    for p in planned:
        topic = topics.inbound(p.topic_suffix)
        offset = offsets[topic] = offsets.get(topic, -1) + 1
        yield _Consumed(topic, 0, offset, kafka_key(p, region), p.value())


class StoreNames(NamedTuple):
    deciding: str
    committing: str


def commit_alone(
    server_url: str,
    names: StoreNames,
    planned: Iterable[Planned],
    region: str,
    until_events: int,
) -> CommitterFigures:
    """Decide `planned` until the deciding store holds `until_events` events, and time the same
    outcomes' commits into the fresh store `names.committing` (left in place for the caller;
    the deciding store is dropped)."""
    deciding_url = ensure_database(server_url, names.deciding)
    committing_url = ensure_database(server_url, names.committing)
    set_up(deciding_url)
    set_up(committing_url)
    topics = Topics("bench.")
    figures = CommitterFigures()
    try:
        with (
            open_ledger(deciding_url) as decider,
            open_ledger(committing_url, pool_size=1) as committer,
        ):
            decider.cache_aggregates(CACHE)
            committer.recorder.max_notification_id()  # its one connection open before timing
            server = BackendCpu(committing_url, names.committing)
            stream = consumed(planned, topics, region)
            decided = 0
            while decided < until_events:
                chunk = _decide_chunk(decider, stream, topics, until_events - decided)
                if not chunk:
                    break
                decided += sum(len(o.events) for o in chunk)
                _timed_commits(committer, chunk, figures, server)
            figures.server_cpu_seconds = server.seconds
    finally:
        drop_database(server_url, names.deciding)
    return figures


def _decide_chunk(
    decider: Ledger, stream: Iterator[_Consumed], topics: Topics, wanted: int
) -> list[BatchOutcome]:
    """Decide and commit batches in the deciding store until a chunk's worth of events (or
    `wanted`, if fewer)."""
    chunk: list[BatchOutcome] = []
    events = 0
    while events < min(CHUNK_EVENTS, wanted) and (batch := list(itertools.islice(stream, BATCH))):
        recorded_at: datetime = utc_now()
        outcome = decider.decide(
            decoded_records(batch, topics, recorded_at), recorded_at, cluster_id=CLUSTER
        )
        decider.commit(outcome)
        chunk.append(outcome)
        events += len(outcome.events)
    return chunk


def _timed_commits(
    committer: Ledger, chunk: list[BatchOutcome], figures: CommitterFigures, server: BackendCpu
) -> None:
    server.start()
    cpu, started = time.thread_time(), time.perf_counter()
    for outcome in chunk:
        committer.commit(outcome)
    figures.seconds += time.perf_counter() - started
    figures.client_cpu_seconds += time.thread_time() - cpu
    server.stop()
    figures.batches += len(chunk)
    figures.events += sum(len(o.events) for o in chunk)
