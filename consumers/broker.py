"""The worker's Kafka clients: built together, closed within a bounded time, asked whether the
broker still answers, and rebuilt when the embedded broker came back on another port.

kafka-python (3.0) does not raise from `poll()` when the broker is gone: it logs each refused
connection and returns an empty batch, exactly what an idle topic returns. So silence proves
nothing, and the worker asks for a round trip itself (`BrokerProbe`).
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.errors import KafkaError

from infra.embedded import ServicesFile
from infra.kafka import make_consumer, make_producer
from infra.settings import Settings

# Closing sends nothing that matters (offsets live in PostgreSQL, dead letters were
# acknowledged before their batch committed), so a close waits briefly: a dead broker must not
# hold a worker that was told to stop. Both together stay inside SIGTERM's 5 s grace.
CLOSE_TIMEOUT_S = 1.5
PROBE_EVERY_S = 2.0  # while polls come back empty and nothing failed
PROBE_TIMEOUT_S = 1.0

log = logging.getLogger(__name__)


@dataclass
class KafkaClients:
    """The consumer and producer of one worker, talking to `bootstrap`."""

    consumer: KafkaConsumer
    producer: KafkaProducer
    bootstrap: str

    @classmethod
    def connect(cls, settings: Settings, bootstrap: str) -> KafkaClients:
        consumer = make_consumer(settings, bootstrap)
        try:
            producer = make_producer(bootstrap)
        except BaseException:
            consumer.close(autocommit=False, timeout_ms=int(CLOSE_TIMEOUT_S * 1000))
            raise
        return cls(consumer, producer, bootstrap)

    def close(self) -> None:
        try:
            self.consumer.close(autocommit=False, timeout_ms=int(CLOSE_TIMEOUT_S * 1000))
        finally:
            close_producer(self.producer, CLOSE_TIMEOUT_S)


def close_producer(producer: KafkaProducer, timeout_s: float) -> None:
    """Close within about `timeout_s`, whatever is pending.

    Without a timeout, kafka-python's `close()` waits forever for records a dead broker will
    never acknowledge (the issue's worker hung on SIGTERM there). With one, it raises
    KafkaTimeoutError from its flush before it stops its sender thread, leaving it running. So
    on that error the sender is stopped by force, which fails what is pending, and the close
    is finished. Nothing pending matters: a dead letter whose send was not acknowledged belongs
    to a batch that did not commit and will be read again."""
    try:
        producer.close(timeout=timeout_s)
    except KafkaError as error:
        log.warning(
            "the producer did not flush within %.1f s; closing it by force: %s", timeout_s, error
        )
        producer._sender.force_close()  # private: kafka-python has no public way
        producer._sender.join(timeout_s)
        producer.close(timeout=0)


@dataclass
class BrokerProbe:
    """Asks the broker for the end offsets of the worker's partitions, a real round trip,
    whenever the last proof that the broker answers is older than `every_s`."""

    consumer: KafkaConsumer
    fallback: Callable[[], list[TopicPartition]]  # partitions to ask about when none assigned
    every_s: float = PROBE_EVERY_S
    clock: Callable[[], float] = field(default=time.monotonic, repr=False)
    _answered_at: float = field(default=float("-inf"), repr=False)

    def answered(self) -> None:
        """A fetch returned records: the broker answered."""
        self._answered_at = self.clock()

    def check(self, *, now: bool = False) -> bool:
        """Raise a KafkaError unless the broker answers; True if a round trip was made."""
        if not now and self.clock() - self._answered_at < self.every_s:
            return False
        partitions = list(self.consumer.assignment()) or self.fallback()
        # Raises KafkaTimeoutError when no answer came: the outage becomes a failure.
        self.consumer.end_offsets(partitions, timeout_ms=int(PROBE_TIMEOUT_S * 1000))
        self.answered()
        return True


class Connection:
    """The worker's current clients. Started on the embedded broker, it follows the broker to
    the address `.ledger/services.json` gives after a restart (`claims-ledger up` starts a
    dead one again on a free port); a configured address is the operator's to change."""

    def __init__(self, settings: Settings, bootstrap: str) -> None:
        self._settings = settings
        self.follows_embedded = not settings.kafka_bootstrap_servers
        self.clients = KafkaClients.connect(settings, bootstrap)

    def reconnect(self) -> tuple[KafkaConsumer, KafkaProducer] | None:
        """New clients if the embedded broker moved, else None."""
        address = self._embedded_address() if self.follows_embedded else None
        if address is None or address == self.clients.bootstrap:
            return None
        log.warning(
            "the embedded broker moved from %s to %s; reconnecting", self.clients.bootstrap, address
        )
        fresh = KafkaClients.connect(self._settings, address)
        try:
            fresh.consumer.bootstrap(timeout_ms=int(PROBE_TIMEOUT_S * 5000))
        except KafkaError:
            fresh.close()
            raise
        with contextlib.suppress(KafkaError):
            self.clients.close()
        self.clients = fresh
        return fresh.consumer, fresh.producer

    def close(self) -> None:
        self.clients.close()

    def _embedded_address(self) -> str | None:
        # A file half-written by hand or by an older version is read again at the next failure.
        with contextlib.suppress(OSError, ValueError, TypeError):
            port = ServicesFile.load(self._settings.home).broker_port
            return None if port is None else f"127.0.0.1:{port}"
        return None
