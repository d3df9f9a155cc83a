"""Ingest figure: a scenario stream through Kafka into the store by a real worker process.

Two feeds (scripts/simulation/feed_mode.py; `--feed`, default DEFAULT_FEED). In waves, Kafka
ordering only a partition, the stream goes in dependency-ordered waves (see
scripts/simulation/feed.py): a wave is published and timed until the worker has committed every
partition up to the wave's last offset; the figure is events committed over the sum of those
times, the gaps between waves (the next wave being generated) not counted. Concurrently, every
topic at once as real sources publish (scripts/simulation/publish.py): the whole stream is
published first, untimed (generated inside the clock, it took a core from the worker), then the
worker starts, timed from its first stored event (the group joined, a first batch committed:
the warm-up) until every partition is committed to its end. In waves, the first wave, which
includes the worker's start, is the warm-up outside the figure.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from consumers.topics import Topics
from infra.kafka import cluster_id_from, make_producer
from infra.store import READER_ROLE, Ledger, open_ledger
from scripts.bench.cpu import cpu_seconds
from scripts.bench.server_cpu import BackendCpu, backend_pids
from scripts.bench.services import TOPIC_PREFIX, BenchServices
from scripts.cli.progress import Progress
from scripts.simulation.feed import WavePublisher, publish_all
from scripts.simulation.feed_mode import FeedMode, FeedOptions
from scripts.simulation.plan import Planned, waves
from scripts.simulation.publish import ConcurrentPublisher, Sent

WAVE_TIMEOUT_S = 600.0
POLL_S = 0.05  # between looks at the log while waiting for the worker's first events
MAX_WAVE = 20_000  # larger waves: fewer boundaries, whose latency is counted against the worker


@dataclass(frozen=True)
class MemorySample:
    """The worker's peak resident set size once the log first held `events` events."""

    events: int
    peak_rss_bytes: int


@dataclass
class IngestFigures:
    """What the timed part of the ingest did, and the worker's memory on the way."""

    messages: int = 0
    events: int = 0
    seconds: float = 0.0
    waves: int = 0
    warmup_events: int = 0
    feed: str = FeedMode.WAVES.value  # how the stream was published (feed_mode.py)
    memory: list[MemorySample] = field(default_factory=list)
    exit_code: int | None = None
    # The worker process's user + system CPU over the timed waves (PostgreSQL's not included):
    # unlike events/s, it hardly moves with what else the shared machine is doing.
    worker_cpu_seconds: float = 0.0
    # PostgreSQL's over the same part: its backends serving the worker (server_cpu.py); None
    # where the server's processes cannot be read from here.
    server_cpu_seconds: float | None = 0.0

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0

    def count_published(self, _sent: Sent) -> None:
        self.messages += 1

    @property
    def worker_cpu_us_per_event(self) -> float:
        return per_event_us(self.worker_cpu_seconds, self.events)

    @property
    def server_cpu_us_per_event(self) -> float | None:
        if self.server_cpu_seconds is None:
            return None
        return per_event_us(self.server_cpu_seconds, self.events)


def per_event_us(seconds: float, events: int) -> float:
    """Microseconds per event; 0 when there were none."""
    return seconds / events * 1e6 if events else 0.0


def worker_command() -> list[str]:
    return [sys.executable, "-m", "scripts.cli", "ingest", "--json"]


def worker_env(services: BenchServices) -> dict[str, str]:
    """The worker's settings: this run's store and broker, its own settings otherwise."""
    return {
        **os.environ,
        "LEDGER_DATABASE_URL": services.database_url,
        "KAFKA_BOOTSTRAP_SERVERS": services.bootstrap,
        "LEDGER_TOPIC_PREFIX": TOPIC_PREFIX,
        "LEDGER_CONSUMER_GROUP": f"bench-{services.database_name}",
        # One worker owns every partition (no group join: Tansu completes one only after the
        # rebalance timeout); offsets come from the store either way.
        "LEDGER_CONSUMER_MODE": "assign",
    }


def peak_rss(pid: int) -> int:
    """The process's peak resident set size so far (VmHWM), in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmHWM for process {pid}")


def run_ingest(
    services: BenchServices,
    planned: Iterable[Planned],
    checkpoints: Iterable[int],
    log_path: Path,
    options: FeedOptions | None = None,
) -> IngestFigures:
    """Feed `planned` to a worker process; sample its peak memory as the log passes each size."""
    options = options or FeedOptions()
    figures = IngestFigures(feed=options.mode.value)
    progress = Progress("bench ingest: events")
    with open_ledger(services.database_url, pool_size=1, role=READER_ROLE) as watch:
        watch.recorder.max_notification_id()  # its connection open, to be told from the worker's
        server = BackendCpu(
            services.database_url,
            services.database_name,
            ignore=backend_pids(services.database_url, services.database_name),
        )
        producer = make_producer(services.bootstrap)
        published: list[Sent] = []
        if options.mode is FeedMode.CONCURRENT:  # before the worker starts: see the module
            sources = ConcurrentPublisher(Topics(TOPIC_PREFIX), producer, options)
            published = publish_all(sources, planned, figures.count_published)
        with log_path.open("ab") as log:
            worker = subprocess.Popen(
                worker_command(), env=worker_env(services), stdout=log, stderr=log
            )
        try:
            publisher = WavePublisher(
                Topics(TOPIC_PREFIX),
                cluster_id_from(services.bootstrap),
                watch,
                producer,
                region=options.region,
                wave_timeout_s=WAVE_TIMEOUT_S,
                worker_failed=lambda: exited(worker),
            )
            run = _Observed(figures, watch, worker.pid, server, checkpoints, progress)
            if options.mode is FeedMode.CONCURRENT:
                _ingest_published(published, publisher, run, lambda: exited(worker))
            else:
                _feed_in_waves(planned, publisher, run)
            figures.memory.append(MemorySample(run.size(), peak_rss(worker.pid)))  # whole run
            figures.worker_cpu_seconds = cpu_seconds(worker.pid) - run.warm_cpu
            server.stop()
            figures.server_cpu_seconds = server.seconds
        finally:
            progress.finish()
            producer.close()
            figures.exit_code = stop_worker(worker)
    return figures


class _Observed:
    """The worker and the log during a run: warm-up, memory at checkpoints, progress."""

    def __init__(
        self,
        figures: IngestFigures,
        watch: Ledger,
        pid: int,
        server: BackendCpu,
        checkpoints: Iterable[int],
        progress: Progress,
    ) -> None:
        self.figures = figures
        self._server = server
        self.warm_cpu = 0.0
        self._watch = watch
        self._pid = pid
        self._pending = sorted(checkpoints)
        self._progress = progress

    def size(self) -> int:
        return self._watch.recorder.max_notification_id() or 0

    def warmed_up(self) -> None:
        """The worker has started and taken the first wave in: what follows is timed."""
        self.figures.warmup_events = self.size()
        self.warm_cpu = cpu_seconds(self._pid)
        self._server.start()

    def observe(self, label: str) -> None:
        size = self.size()
        self.figures.events = size - self.figures.warmup_events
        while self._pending and size >= self._pending[0]:
            self._pending.pop(0)
            self.figures.memory.append(MemorySample(size, peak_rss(self._pid)))
        self._progress.update(size, label)


def _feed_in_waves(planned: Iterable[Planned], publisher: WavePublisher, run: _Observed) -> None:
    """Each wave timed from its publication until the worker committed it; the first warms up."""
    for number, wave in enumerate(waves(planned, max_size=MAX_WAVE)):
        started = time.monotonic()
        publisher.wait_for(publisher.publish(wave))
        elapsed = time.monotonic() - started
        if number == 0:
            run.warmed_up()
        else:
            run.figures.seconds += elapsed
            run.figures.messages += len(wave)
            run.figures.waves += 1
        run.observe(f" | wave {number + 1}")


def _ingest_published(
    published: list[Sent],
    publisher: WavePublisher,
    run: _Observed,
    worker_failed: Callable[[], BaseException | None],
) -> None:
    """The stream is on the broker: from the worker's first stored event (the warm-up) until it
    has committed the last message of every partition."""
    while not run.size():
        if failure := worker_failed():
            raise RuntimeError("the ingest worker stopped") from failure
        time.sleep(POLL_S)
    run.warmed_up()
    started = time.monotonic()
    publisher.wait_for(published, lambda: run.observe(" | committing"))
    run.figures.seconds = time.monotonic() - started
    run.observe(" | committed")


def exited(worker: subprocess.Popen[bytes]) -> BaseException | None:
    code = worker.poll()
    return None if code is None else RuntimeError(f"worker exited with {code}")


def stop_worker(worker: subprocess.Popen[bytes]) -> int:
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)  # finishes its batch, then exits 0
    try:
        return worker.wait(timeout=60)
    except subprocess.TimeoutExpired:
        worker.kill()
        return worker.wait()
