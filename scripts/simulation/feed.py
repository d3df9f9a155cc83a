"""Feed a scenario through Kafka, with one ingest worker running all along: in waves, or as
concurrent sources publish (feed_mode.py says which, and which is the default).

Waves: Kafka orders a partition, not topics, so a claim can be fetched before the enrollment it
cites. The feeder publishes one wave (one topic's messages of one phase of one month), waits
until the ledger has committed every partition of that wave up to the offsets just produced
(stored or rejected, read from the tracking records written with the events), then publishes
the next. Concurrent: every topic at once (publish.py), then one wait until the ledger has
committed everything. One worker runs in a thread throughout, so its consumer group is joined
once, not per wave.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import TracebackType

from kafka import KafkaProducer

from consumers.ingest import IngestStats, run_worker
from consumers.topics import Topics
from infra.application.rows import offset_tracking_name
from infra.clock import utc_now
from infra.kafka import cluster_id_from
from infra.settings import Settings
from infra.store import Ledger
from scripts.simulation.feed_mode import FeedMode, FeedOptions
from scripts.simulation.plan import Planned, waves
from scripts.simulation.publish import (
    ConcurrentPublisher,
    Outgoing,
    Sent,
    kafka_key,
    send_acknowledged,
)


@dataclass
class FeedReport:
    """What a feed published, and how long it took."""

    mode: str = FeedMode.WAVES.value
    published: int = 0
    waves: int = 0
    seconds: float = 0.0
    by_type: dict[str, int] = field(default_factory=dict)

    def count(self, sent: Sent, on_sent: Callable[[Sent], None] | None) -> None:
        """Count a message published, and hand it on."""
        self.published += 1
        name = sent.planned.type_name
        self.by_type[name] = self.by_type.get(name, 0) + 1
        if on_sent is not None:
            on_sent(sent)


class WaveTimeoutError(RuntimeError):
    """The ledger took nothing in for the timeout; the worker is probably stuck or dead."""


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
        region: str,
        wave_timeout_s: float = 120.0,
        worker_failed: Callable[[], BaseException | None] = lambda: None,
    ) -> None:
        self._topics = topics
        self._region = region  # every message's Kafka key (kafka_key)
        self._cluster_id = cluster_id
        self._watch = watch_ledger
        self._producer = producer
        self._wave_timeout_s = wave_timeout_s
        self._worker_failed = worker_failed

    def publish(self, wave: list[Planned]) -> list[Sent]:
        """Send the wave, each message keyed by its region and acknowledged by the broker."""
        outgoing = [
            Outgoing(p, self._topics.inbound(p.topic_suffix), kafka_key(p, self._region))
            for p in wave
        ]
        return send_acknowledged(self._producer, outgoing)

    def wait_for(
        self, sent: Iterable[Sent], while_waiting: Callable[[], None] | None = None
    ) -> None:
        """Return once every partition is committed up to the offsets of `sent`. Gives up when
        the ledger takes nothing in for the timeout: a concurrent feed waits once for a whole
        run, which may take far longer than a wave, while the worker keeps committing.
        `while_waiting` is called at each look (the bench samples the worker's memory)."""
        last: dict[str, int] = {}
        for s in sent:
            name = offset_tracking_name(self._cluster_id, s.topic, s.partition)
            last[name] = max(last.get(name, -1), s.offset)
        deadline = time.monotonic() + self._wave_timeout_s
        seen: dict[str, int] = {}
        while True:
            failure = self._worker_failed()
            if failure is not None:
                raise RuntimeError("the ingest worker stopped") from failure
            stored = {n: _stored(self._watch, n) for n in last}
            behind = {n: o for n, o in last.items() if stored[n] < o}
            if not behind:
                return
            if while_waiting is not None:
                while_waiting()
            if stored != seen:  # the ledger took something in: not stuck
                seen, deadline = stored, time.monotonic() + self._wave_timeout_s
            elif time.monotonic() > deadline:
                raise WaveTimeoutError(
                    f"partitions not committed, none moving for {self._wave_timeout_s:.0f} s:"
                    f" {sorted(behind)}"
                )
            time.sleep(0.05)


class Feeder:
    """Publishes a scenario, in waves or concurrently, to a worker running in this process."""

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
        options: FeedOptions | None = None,
    ) -> None:
        self._settings = settings
        self._options = options or FeedOptions()
        self._producer = producer
        self._bootstrap = bootstrap
        self._worker_ledger = worker_ledger
        self._on_batch = on_batch
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._failure: BaseException | None = None
        self.stats: IngestStats | None = None
        self._topics = Topics(settings.topic_prefix)
        self._publisher = WavePublisher(
            self._topics,
            cluster_id_from(bootstrap),
            watch_ledger,
            producer,
            region=self._options.region,
            wave_timeout_s=wave_timeout_s,
            worker_failed=lambda: self._failure,
        )

    def __enter__(self) -> Feeder:
        if self._options.mode is FeedMode.WAVES:
            self._start_worker()
        return self

    def _start_worker(self) -> None:
        self._thread = threading.Thread(target=self._work, name="ingest-worker", daemon=True)
        self._thread.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=60)

    def _worker_settings(self) -> Settings:
        if self._options.mode is FeedMode.CONCURRENT:
            return self._settings  # held references: the worker's default (held.py)
        # Waves publish what a message cites before it, so nothing waits for a reference: the
        # planted unknown_* messages are dead letters at once, as planned (a hold limit of none).
        return dataclasses.replace(self._settings, hold_max_messages=0)

    def _work(self) -> None:
        try:
            self.stats = run_worker(
                self._worker_settings(),
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
        """Publish every message; returns once the ledger has committed the last one."""
        report = FeedReport(mode=self._options.mode.value)
        started = time.monotonic()
        if self._options.mode is FeedMode.CONCURRENT:
            self._feed_concurrently(planned, report, on_sent)
        else:
            self._feed_in_waves(planned, report, on_sent, on_wave)
        report.seconds = time.monotonic() - started
        return report

    def _feed_in_waves(
        self,
        planned: Iterable[Planned],
        report: FeedReport,
        on_sent: Callable[[Sent], None] | None,
        on_wave: Callable[[int, list[Planned]], None] | None,
    ) -> None:
        for wave in waves(planned):
            sent = self._publisher.publish(wave)
            self._publisher.wait_for(sent)
            report.waves += 1
            for s in sent:
                report.count(s, on_sent)
            if on_wave is not None:
                on_wave(report.waves, wave)

    def _feed_concurrently(
        self,
        planned: Iterable[Planned],
        report: FeedReport,
        on_sent: Callable[[Sent], None] | None,
    ) -> None:
        # Every topic published, interleaved, before the worker starts: the order across
        # partitions is then decided from the records alone. A worker running while sources
        # publish decides the same only if no source publishes a fact later than another
        # source's later facts by more than the merge's idle wait (docs/operations.md, "The
        # order across partitions"); a simulation that publishes a year in seconds cannot keep
        # that promise, so it does not pretend to.
        sources = ConcurrentPublisher(self._topics, self._producer, self._options)
        last = publish_all(sources, planned, lambda s: report.count(s, on_sent))
        self._start_worker()
        self._publisher.wait_for(last)


def publish_all(
    sources: ConcurrentPublisher, planned: Iterable[Planned], on_sent: Callable[[Sent], None]
) -> list[Sent]:
    """Publish every topic at once; the last message sent to each partition."""
    last: dict[tuple[str, int], Sent] = {}
    for s in sources.publish(planned):
        last[(s.topic, s.partition)] = s
        on_sent(s)
    return list(last.values())


def _stored(ledger: Ledger, tracking_name: str) -> int:
    """The offset stored for a partition, -1 before its first commit."""
    stored = ledger.reads.stored_offset(tracking_name)
    return -1 if stored is None else stored
