"""The outbound relay: committed events, in global order, to `ledger.events`.

Each record is the event's stored JSON state, byte for byte, keyed by its aggregate id, with
headers that let a downstream put the stream back in global order and re-check the hash chain
(docs/operations.md, "The relay"). The relay moves its position in PostgreSQL forward only after
the broker acknowledged every record up to it, so a crash re-sends at most one batch.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from kafka import KafkaProducer

from consumers.backoff import TRANSIENT, Backoff
from infra.relay_log import events_after, relay_position, save_relay_position
from infra.store import Ledger

log = logging.getLogger(__name__)

SEND_TIMEOUT_S = 30.0


@dataclass
class RelayStats:
    """Running totals of one relay run."""

    published: int = 0
    batches: int = 0
    position: int = 0
    started: float = 0.0

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started


class Relay:
    """Publishes the notification log after the position stored under `name`."""

    def __init__(
        self,
        ledger: Ledger,
        producer: KafkaProducer,
        topic: str,
        name: str = "ledger.events",
        batch_size: int = 1_000,
    ) -> None:
        self._ledger = ledger
        self._producer = producer
        self._topic = topic
        self._name = name
        self._batch_size = batch_size
        self.stats = RelayStats()
        self.backoff = Backoff()

    def position(self) -> int:
        """The last position the broker acknowledged (0: nothing yet)."""
        return relay_position(self._ledger, self._name)

    def run(self, stop: threading.Event, until_idle: float | None = None) -> RelayStats:
        """Publish until `stop` is set, or until nothing new came for `until_idle` seconds."""
        self.stats.started = last_activity = time.monotonic()
        while not stop.is_set():
            try:
                published = self.publish_next_batch()
                self.backoff.succeeded()
            except TRANSIENT as error:
                self.backoff.failed(error, "relay batch", stop)
                continue
            now = time.monotonic()
            if published:
                last_activity = now
            elif until_idle is not None and now - last_activity >= until_idle:
                break
            else:
                stop.wait(0.2)
        return self.stats

    def publish_next_batch(self) -> int:
        """Send the next batch, wait for the broker's acknowledgements, then move forward."""
        after = self.position()
        rows = events_after(self._ledger, after, self._batch_size)
        if not rows:
            return 0
        self._send(rows)
        last = int(rows[-1]["position"])
        save_relay_position(self._ledger, self._name, last, datetime.now(UTC))
        self.stats.published += len(rows)
        self.stats.batches += 1
        self.stats.position = last
        return len(rows)

    def _send(self, rows: Sequence[Any]) -> None:
        futures = [
            self._producer.send(
                self._topic,
                key=str(row["originator_id"]).encode(),
                value=bytes(row["state"]),
                headers=headers_of(row),
            )
            for row in rows
        ]
        self._producer.flush(timeout=SEND_TIMEOUT_S)
        for future in futures:
            future.get(timeout=SEND_TIMEOUT_S)  # raises if the broker refused or timed out


def headers_of(row: Any) -> list[tuple[str, bytes]]:
    """What a downstream needs beside the state: order, identity, and the chain hash."""
    return [
        ("ledger-position", str(row["position"]).encode()),
        ("ledger-previous-position", str(row["previous_position"]).encode()),
        ("ledger-originator-id", str(row["originator_id"]).encode()),
        ("ledger-originator-version", str(row["originator_version"]).encode()),
        ("ledger-topic", str(row["topic"]).encode()),
        ("ledger-chain-hash", bytes(row["hash"]).hex().encode()),
    ]
