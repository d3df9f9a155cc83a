"""Ingest figure: a scenario stream through Kafka into the store by a real worker process.

Kafka orders a partition, not topics, so the stream goes in dependency-ordered waves (see
scripts/simulation/feed.py): a wave is published and timed until the worker has committed every
partition up to the wave's last offset. The figure is events committed over the sum of those
times; the gaps between waves (the next wave being generated) are not counted, and the first
wave, which includes the worker's start and group join, is a warm-up outside the figure.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from consumers.topics import Topics
from infra.kafka import cluster_id_from, make_producer
from infra.store import READER_ROLE, open_ledger
from scripts.bench.services import TOPIC_PREFIX, BenchServices
from scripts.cli.progress import Progress
from scripts.simulation.feed import WavePublisher
from scripts.simulation.plan import Planned, waves

WAVE_TIMEOUT_S = 600.0
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
    memory: list[MemorySample] = field(default_factory=list)
    exit_code: int | None = None
    # The worker process's user + system CPU over the timed waves (PostgreSQL's not included):
    # unlike events/s, it hardly moves with what else the shared machine is doing.
    worker_cpu_seconds: float = 0.0

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0

    @property
    def worker_cpu_us_per_event(self) -> float:
        return self.worker_cpu_seconds / self.events * 1e6 if self.events else 0.0


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


def cpu_seconds(pid: int) -> float:
    """The process's user + system CPU time so far, in seconds (`/proc/<pid>/stat`)."""
    # The command name (field 2) may hold spaces; the fields after its closing parenthesis
    # start at field 3, so utime and stime (fields 14 and 15) are at 11 and 12.
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_ingest(
    services: BenchServices,
    planned: Iterable[Planned],
    checkpoints: Iterable[int],
    log_path: Path,
) -> IngestFigures:
    """Feed `planned` to a worker process; sample its peak memory as the log passes each size."""
    figures = IngestFigures()
    pending = sorted(checkpoints)
    progress = Progress("bench ingest: events")
    with open_ledger(services.database_url, pool_size=1, role=READER_ROLE) as watch:
        producer = make_producer(services.bootstrap)
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
                wave_timeout_s=WAVE_TIMEOUT_S,
                worker_failed=lambda: _exited(worker),
            )
            warm_cpu = 0.0
            for number, wave in enumerate(waves(planned, max_size=MAX_WAVE)):
                started = time.monotonic()
                publisher.wait_for(publisher.publish(wave))
                elapsed = time.monotonic() - started
                size = watch.recorder.max_notification_id() or 0
                if number == 0:
                    figures.warmup_events = size
                    warm_cpu = cpu_seconds(worker.pid)
                else:
                    figures.seconds += elapsed
                    figures.messages += len(wave)
                    figures.waves += 1
                figures.events = size - figures.warmup_events
                while pending and size >= pending[0]:
                    pending.pop(0)
                    figures.memory.append(MemorySample(size, peak_rss(worker.pid)))
                progress.update(size, f" | wave {number + 1}")
            figures.memory.append(MemorySample(size, peak_rss(worker.pid)))  # the whole run
            figures.worker_cpu_seconds = cpu_seconds(worker.pid) - warm_cpu
        finally:
            progress.finish()
            producer.close()
            figures.exit_code = _stop(worker)
    return figures


def _exited(worker: subprocess.Popen[bytes]) -> BaseException | None:
    code = worker.poll()
    return None if code is None else RuntimeError(f"worker exited with {code}")


def _stop(worker: subprocess.Popen[bytes]) -> int:
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)  # finishes its batch, then exits 0
    try:
        return worker.wait(timeout=60)
    except subprocess.TimeoutExpired:
        worker.kill()
        return worker.wait()
