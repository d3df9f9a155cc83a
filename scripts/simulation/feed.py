"""Feed a scenario through Kafka in waves, with one ingest worker running all along.

Kafka orders a partition, not topics: a claim can be fetched before the enrollment it cites.
So the feeder publishes one wave (one topic's messages of one phase of one month), waits until
the ledger has committed every partition of that wave up to the offsets just produced (stored
or rejected, read from the tracking records written with the events), then publishes the next.
One worker runs in a thread throughout, so its consumer group is joined once, not per wave.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import TracebackType

from kafka import KafkaProducer

from consumers.ingest import IngestStats, run_worker
from consumers.topics import Topics, region_key
from infra.application.rows import offset_tracking_name
from infra.clock import utc_now
from infra.kafka import cluster_id_from
from infra.settings import Settings
from infra.store import Ledger
from scripts.simulation.plan import Planned, waves


@dataclass(frozen=True)
class Sent:
    """A planned message and where Kafka put it."""

    planned: Planned
    topic: str
    partition: int
    offset: int


@dataclass
class FeedReport:
    """What a feed published, and how long it took."""

    published: int = 0
    waves: int = 0
    seconds: float = 0.0
    by_type: dict[str, int] = field(default_factory=dict)


class WaveTimeoutError(RuntimeError):
    """The ledger did not take in a wave in time; the worker is probably stuck or dead."""


class WavePublisher:
    """Publishes a wave and waits until the ledger has committed every partition it touched.

    The worker may run anywhere (a thread here, a process in the benchmark); only its tracking
    records in the store are watched. `worker_failed` names a failure to stop waiting for.
    """

    def __init__(
        self,
        topics: Topics,
        cluster_id: str,
        watch_ledger: Ledger,
        producer: KafkaProducer,
        *,
        wave_timeout_s: float = 120.0,
        worker_failed: Callable[[], BaseException | None] = lambda: None,
    ) -> None:
        self._topics = topics
        self._cluster_id = cluster_id
        self._watch = watch_ledger
        self._producer = producer
        self._wave_timeout_s = wave_timeout_s
        self._worker_failed = worker_failed

    def publish(self, wave: list[Planned]) -> list[Sent]:
        """Send the wave, each message acknowledged by the broker, in order."""
        futures = [
            (
                p,
                self._producer.send(
                    self._topics.inbound(p.topic_suffix), key=_kafka_key(p), value=p.value()
                ),
            )
            for p in wave
        ]
        self._producer.flush()
        sent = []
        for p, future in futures:
            meta = future.get(timeout=30)  # raises if the broker refused a message
            sent.append(Sent(p, meta.topic, meta.partition, meta.offset))
        return sent

    def wait_for(self, sent: list[Sent]) -> None:
        """Return once every partition is committed up to the offsets of `sent`."""
        last: dict[str, int] = {}
        for s in sent:
            name = offset_tracking_name(self._cluster_id, s.topic, s.partition)
            last[name] = max(last.get(name, -1), s.offset)
        deadline = time.monotonic() + self._wave_timeout_s
        while True:
            failure = self._worker_failed()
            if failure is not None:
                raise RuntimeError("the ingest worker stopped") from failure
            behind = {n: o for n, o in last.items() if not _committed(self._watch, n, o)}
            if not behind:
                return
            if time.monotonic() > deadline:
                raise WaveTimeoutError(f"partitions not committed in time: {sorted(behind)}")
            time.sleep(0.05)
            last = behind


class WaveFeeder:
    """Publishes waves and waits for the in-process worker to commit each one."""

    def __init__(
        self,
        settings: Settings,
        bootstrap: str,
        worker_ledger: Ledger,
        watch_ledger: Ledger,
        producer: KafkaProducer,
        *,
        wave_timeout_s: float = 120.0,
        on_batch: Callable[[IngestStats], None] | None = None,
    ) -> None:
        self._settings = settings
        self._bootstrap = bootstrap
        self._worker_ledger = worker_ledger
        self._on_batch = on_batch
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._failure: BaseException | None = None
        self.stats: IngestStats | None = None
        self._publisher = WavePublisher(
            Topics(settings.topic_prefix),
            cluster_id_from(bootstrap),
            watch_ledger,
            producer,
            wave_timeout_s=wave_timeout_s,
            worker_failed=lambda: self._failure,
        )

    def __enter__(self) -> WaveFeeder:
        self._thread = threading.Thread(target=self._work, name="ingest-worker", daemon=True)
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=60)

    def _work(self) -> None:
        try:
            self.stats = run_worker(
                self._settings,
                self._bootstrap,
                self._worker_ledger,
                self._stop,
                utc_now,
                on_batch=self._on_batch,
            )
        except BaseException as error:  # noqa: BLE001 - handed to the feeding thread, raised there
            self._failure = error

    def feed(
        self,
        planned: Iterable[Planned],
        on_sent: Callable[[Sent], None] | None = None,
        on_wave: Callable[[int, list[Planned]], None] | None = None,
    ) -> FeedReport:
        """Publish every message wave by wave; returns once the last wave is committed."""
        report = FeedReport()
        started = time.monotonic()
        for wave in waves(planned):
            sent = self._publisher.publish(wave)
            self._publisher.wait_for(sent)
            report.published += len(sent)
            report.waves += 1
            for s in sent:
                name = s.planned.type_name
                report.by_type[name] = report.by_type.get(name, 0) + 1
                if on_sent is not None:
                    on_sent(s)
            if on_wave is not None:
                on_wave(report.waves, wave)
        report.seconds = time.monotonic() - started
        return report


def _committed(ledger: Ledger, tracking_name: str, offset: int) -> bool:
    stored = ledger.reads.stored_offset(tracking_name)
    return stored is not None and stored >= offset


def _kafka_key(p: Planned) -> bytes:
    """The region of a message (consumers/topics.py); a planted non-JSON one keeps its entity."""
    return region_key(p.document) if p.document is not None else p.key.encode()
