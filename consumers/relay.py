"""The outbound relay: committed events, in global order, to `ledger.events`.

Each record is the event's public envelope (consumers/outbound_contract.py), keyed by its
aggregate id, with headers that let a downstream put the stream back in global order and
re-check the hash chain (docs/operations.md, "The relay"). The relay moves its position in
PostgreSQL forward only after the broker acknowledged every record up to it, so a crash
re-sends at most one batch. Positions are kept per stream (relay name, cluster id, topic), so a
new cluster or topic gets the whole log.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from eventsourcing.persistence import Mapper, StoredEvent
from kafka.errors import KafkaError

from consumers.backoff import TRANSIENT, Backoff
from consumers.outbound_contract import ChainLink, encode, envelope
from consumers.outbound_types import CONTRACT, outbound_type
from consumers.relay_broker import OutboundRecord, RelayBroker
from infra.kafka import TopicState
from infra.relay_log import (
    RelayStream,
    advance,
    events_after,
    legacy_position,
    position_of,
    restart,
)
from infra.store import Ledger

log = logging.getLogger(__name__)


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
    """Publishes the notification log to `topic`, after the position stored for the stream
    (`name`, the answering cluster's id, `topic`): a new cluster or topic gets it from 1."""

    def __init__(
        self,
        ledger: Ledger,
        broker: RelayBroker,
        topic: str,
        name: str = "ledger.events",
        batch_size: int = 1_000,
        recheck_s: float = 1.0,
    ) -> None:
        self._ledger = ledger
        self._broker = broker
        self._topic = topic
        self._name = name
        self._batch_size = batch_size
        self._recheck_s = recheck_s
        self._stream: RelayStream | None = None
        self._checked_at = 0.0
        self.stats = RelayStats()
        self.backoff = Backoff()

    def position(self) -> int:
        """The last position the broker acknowledged on the stream (0: nothing yet)."""
        # The stream as last checked: a summary after SIGTERM needs no broker.
        return position_of(self._ledger, self._stream or self.stream()) or 0

    def stream(self) -> RelayStream:
        """Where the relay publishes, checked again once `recheck_s` passed (0: every batch) or
        a batch failed: a broker replaced behind the same address is another stream, or a reset
        topic."""
        now = time.monotonic()
        if self._stream is None or now - self._checked_at >= self._recheck_s:
            self._stream, self._checked_at = self._check(), now
        return self._stream

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
        stream = self.stream()
        rows = events_after(self._ledger, position_of(self._ledger, stream) or 0, self._batch_size)
        if not rows:
            return 0
        try:
            self._send(rows)
        except KafkaError:
            # The usual sign of a broker replaced or reset: look again before the next batch,
            # so the retry goes to the stream that is there.
            self._checked_at = -math.inf
            raise
        last = int(rows[-1]["position"])
        advance(self._ledger, stream, last, datetime.now(UTC))
        self.stats.published += len(rows)
        self.stats.batches += 1
        self.stats.position = last
        return len(rows)

    def _send(self, rows: Sequence[Any]) -> None:
        self._broker.send(self._topic, [record_of(row, self._ledger.mapper) for row in rows])

    def _check(self) -> RelayStream:
        seen = self._broker.state_of(self._topic)
        stream = RelayStream(self._name, seen.cluster_id, self._topic)
        if self._stream is not None and stream != self._stream:
            log.warning(
                "relay %s: the broker answers as cluster %s now (was %s); %s gets the log"
                " from its position there, from position 1 if new",
                *(self._name, seen.cluster_id, self._stream.cluster_id, self._topic),
            )
        position = position_of(self._ledger, stream)
        if position is None:
            self._take_over_legacy(stream, seen)
        elif position > 0 and seen.empty:
            # A broker reset that kept its cluster id (Tansu's default), or the topic deleted
            # and created again: the id cannot tell, the empty topic can.
            log.warning(
                "relay %s: %s on cluster %s is empty, yet position %d was acknowledged there:"
                " publishing the log again from position 1",
                *(self._name, self._topic, seen.cluster_id, position),
            )
            restart(self._ledger, stream, datetime.now(UTC))
        return stream

    def _take_over_legacy(self, stream: RelayStream, seen: TopicState) -> None:
        """A position saved before progress was kept per stream names no cluster nor topic;
        the relay name's first stream takes it over unless its topic is empty."""
        legacy = legacy_position(self._ledger, self._name)
        if legacy == 0:
            return
        if seen.empty:
            log.warning(
                "relay %s: %s is empty; the position %d saved before progress was kept per"
                " cluster and topic is not there: publishing from position 1",
                *(self._name, self._topic, legacy),
            )
            return
        advance(self._ledger, stream, legacy, datetime.now(UTC))
        log.info("relay %s: %s continues after position %d", self._name, stream, legacy)


def record_of(row: Any, mapper: Mapper[Any]) -> OutboundRecord:
    """An event of the log as a record of the events topic, keyed by its aggregate: decoded
    with the store's own mapper, then written in the public contract."""
    link = ChainLink(
        int(row["position"]),
        int(row["previous_position"]),
        bytes(row["hash"]),
        str(row["topic"]),
        bytes(row["state"]),
    )
    stored = StoredEvent(row["originator_id"], row["originator_version"], link.topic, link.state)
    value = encode(envelope(mapper.to_domain_event(stored), link))
    return OutboundRecord(str(row["originator_id"]).encode(), value, headers_of(row))


def headers_of(row: Any) -> list[tuple[str, bytes]]:
    """The envelope's order, identity and chain hash again, for tools that read headers only."""
    return [
        ("ledger-contract", CONTRACT.encode()),
        ("ledger-type", outbound_type(str(row["topic"])).name.encode()),
        ("ledger-position", str(row["position"]).encode()),
        ("ledger-previous-position", str(row["previous_position"]).encode()),
        ("ledger-originator-id", str(row["originator_id"]).encode()),
        ("ledger-originator-version", str(row["originator_version"]).encode()),
        ("ledger-topic", str(row["topic"]).encode()),
        ("ledger-chain-hash", bytes(row["hash"]).hex().encode()),
    ]
