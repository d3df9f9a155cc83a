"""`python -m scripts.bench --workers 1,2,4`: do ingest workers add up?

One stream of several pooling regions, one region per partition (the consumer group splits the
partitions by region key: consumers/topics.py `region_key`, docs/operations.md "How to run N
workers"), is published in full to a fresh broker, every topic at once as real sources publish.
Then n `claims-ledger ingest` workers of one consumer group take it in, in group mode, and are
timed from the first event stored until every partition is committed to its end; the events
stored before that (the group's join, the first batch) are the warm-up. The same stream, a
fresh store and broker for each n. Measured per n: events/s, and CPU per event of the workers
(all of them) and of PostgreSQL (its backends serving them, scripts/bench/server_cpu.py).

Amdahl's law is fitted to the 1- and 2-worker throughputs (scripts/bench/scaling.py); on this
machine the cores run out before the workers do, which the CPU per event bounds.
"""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from kafka import KafkaProducer
from kafka.partitioner.default import murmur2

from consumers.topics import Topics
from infra.kafka import cluster_id_from, make_producer
from infra.settings import Settings
from infra.store import READER_ROLE, Ledger, open_ledger
from scripts.bench import services
from scripts.bench.cpu import cpu_seconds
from scripts.bench.ingest import (
    WAVE_TIMEOUT_S,
    exited,
    per_event_us,
    stop_worker,
    worker_command,
    worker_env,
)
from scripts.bench.server_cpu import BackendCpu, backend_pids
from scripts.bench.services import TOPIC_PREFIX
from scripts.bench.sizing import persons_for
from scripts.simulation.config import config_for
from scripts.simulation.county import county_year
from scripts.simulation.feed import WavePublisher
from scripts.simulation.feed_mode import FeedMode, FeedOptions
from scripts.simulation.publish import ConcurrentPublisher, Sent

FIRST_REGION = 430422  # the scenario's own region; the others are the next codes that fit
POLL_S = 0.05


@dataclass
class WorkersFigures:
    """One run of n workers on the whole stream."""

    workers: int
    events: int = 0  # stored in the timed part
    warmup_events: int = 0
    seconds: float = 0.0
    worker_cpu_seconds: float = 0.0  # all workers'
    server_cpu_seconds: float | None = 0.0
    exit_codes: list[int] = field(default_factory=list)

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0

    @property
    def worker_cpu_us_per_event(self) -> float:
        return per_event_us(self.worker_cpu_seconds, self.events)

    @property
    def server_cpu_us_per_event(self) -> float | None:
        if self.server_cpu_seconds is None:
            return None
        return per_event_us(self.server_cpu_seconds, self.events)

    @property
    def cores_busy(self) -> float | None:
        """Cores the workers and PostgreSQL kept busy on average over the timed part: below
        the workers' count, they waited (for PostgreSQL's commits, the broker, a core)."""
        if self.server_cpu_seconds is None or not self.seconds:
            return None
        return (self.worker_cpu_seconds + self.server_cpu_seconds) / self.seconds


def partition_of(key: bytes, partitions: int) -> int:
    """The partition Kafka's default partitioner (murmur2 of the key) gives `key`."""
    return (int(murmur2(key)) & 0x7FFFFFFF) % partitions


def regions_one_per_partition(partitions: int, first: int = FIRST_REGION) -> list[str]:
    """Region codes from `first` up, the first to land in each partition, in partition order:
    every worker of an even split gets the same share of the stream."""
    found: dict[int, str] = {}
    code = first
    while len(found) < partitions:
        region = str(code)
        found.setdefault(partition_of(region.encode(), partitions), region)
        code += 1
    return [found[p] for p in range(partitions)]


def run_workers(
    settings: Settings, n: int, regions: list[str], events: int, seed: int, log_dir: Path
) -> WorkersFigures:
    """`n` workers on a fresh store and broker, a stream of about `events` events over
    `regions` (the same stream for every n)."""
    persons = persons_for(events, len(regions))
    log_path = log_dir / f"bench-workers-{n}.log"
    bench = services.start(settings, partitions=len(regions))
    producer = make_producer(bench.bootstrap)
    try:
        sent = _publish(producer, regions, persons, seed)
        with open_ledger(bench.database_url, pool_size=1, role=READER_ROLE) as watch:
            watch.recorder.max_notification_id()  # its connection open before the workers'
            server = BackendCpu(
                bench.database_url,
                bench.database_name,
                ignore=backend_pids(bench.database_url, bench.database_name),
            )
            with log_path.open("ab") as log:
                env = {**worker_env(bench), "LEDGER_CONSUMER_MODE": "group"}
                workers = [
                    subprocess.Popen(worker_command(), env=env, stdout=log, stderr=log)
                    for _ in range(n)
                ]
            publisher = WavePublisher(
                Topics(TOPIC_PREFIX),
                cluster_id_from(bench.bootstrap),
                watch,
                producer,
                region=regions[0],
                wave_timeout_s=WAVE_TIMEOUT_S,
                worker_failed=lambda: _failed(workers),
            )
            figures = WorkersFigures(n)
            try:
                figures.warmup_events = _first_events(watch, workers)
                cpu_before = sum(cpu_seconds(w.pid) for w in workers)
                server.start()
                started = time.monotonic()
                publisher.wait_for(sent)
                figures.seconds = time.monotonic() - started
                figures.worker_cpu_seconds = sum(cpu_seconds(w.pid) for w in workers) - cpu_before
                server.stop()
                figures.server_cpu_seconds = server.seconds
                stored = watch.recorder.max_notification_id() or 0
                figures.events = stored - figures.warmup_events
            finally:
                figures.exit_codes = [stop_worker(w) for w in workers]
    finally:
        producer.close()
        services.stop(bench, keep_database=False)
    return figures


def _failed(workers: list[subprocess.Popen[bytes]]) -> BaseException | None:
    """Why the first worker that exited did, if any has."""
    return next(filter(None, map(exited, workers)), None)


def _first_events(watch: Ledger, workers: list[subprocess.Popen[bytes]]) -> int:
    """Wait for the first events stored (the group joined, a batch committed); their number."""
    while not (size := watch.recorder.max_notification_id() or 0):
        if failure := _failed(workers):
            raise RuntimeError("an ingest worker stopped") from failure
        time.sleep(POLL_S)
    return size


def _publish(producer: KafkaProducer, regions: list[str], persons: int, seed: int) -> list[Sent]:
    """Every region's county year, every topic at once, acknowledged by the broker."""
    sent: list[Sent] = []
    for region in regions:
        config = config_for(None, persons, seed, region=region)
        options = FeedOptions.for_scenario(config, FeedMode.CONCURRENT)
        publisher = ConcurrentPublisher(Topics(TOPIC_PREFIX), producer, options)
        sent.extend(publisher.publish(county_year(config)))
    return sent


def worker_counts(text: str) -> list[int]:
    """`--workers 1,2,4` as [1, 2, 4]: positive, ascending, starting at 1 (the baseline)."""
    try:
        counts = [int(part) for part in text.split(",")]
    except ValueError:
        raise ValueError(f"--workers takes counts such as 1,2,4, not {text!r}") from None
    if not counts or counts[0] != 1 or counts != sorted(set(counts)):
        raise ValueError(f"--workers takes ascending counts from 1, such as 1,2,4, not {text!r}")
    return counts
