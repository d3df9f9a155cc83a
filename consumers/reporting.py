"""An example reporting consumer of `ledger.events`: back into global order, once each, chain
re-checked, and a running fund statement (income and spending per fund account).

It reads only the public contract (docs/operations.md, "The outbound contract"): the JSON
envelope, and the documented chain layout (infra/chain.py, standard library only). It imports
neither the domain nor the event store's transcoder, as a consumer in another language could not.

Kafka orders each partition, and the relay keys by entity, so records of different partitions
arrive interleaved. Every record names its predecessor's position (`previous_position`), so the
consumer holds a record back until its predecessor was applied: global order without relying on
positions being consecutive (a rolled-back transaction leaves gaps).
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from uuid import UUID

from kafka import TopicPartition

from infra.chain import GENESIS, link
from infra.kafka import make_reader

# Spelt out, not imported from consumers/outbound_types.py: that module imports the domain,
# which a consumer of the contract has no business reading.
CONTRACT = "claims-ledger.events/1"


class UnknownContractError(ValueError):
    """A record of a contract version this consumer was not written for."""


class BrokenChainError(ValueError):
    """A record whose chain hash does not follow from its predecessor and its bytes."""


@dataclass(frozen=True)
class LedgerEvent:
    """One record of `ledger.events`: what the chain covers, and the event's public `data`."""

    position: int
    previous_position: int
    originator_id: UUID
    originator_version: int
    topic: str  # `stored.topic`: the stored class name, only as input to the chain hash
    state: bytes  # `stored.state`, decoded from base64
    chain_hash: bytes
    type: str = ""
    data: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_record(cls, record: Any) -> LedgerEvent:
        """Read the envelope (JSON), not the Kafka headers: the value alone is the contract."""
        doc = json.loads(record.value)
        if doc.get("contract") != CONTRACT:
            raise UnknownContractError(f"expected {CONTRACT}, not {doc.get('contract')!r}")
        return cls(
            int(doc["position"]),
            int(doc["previous_position"]),
            UUID(doc["aggregate"]["id"]),
            int(doc["aggregate"]["version"]),
            str(doc["stored"]["topic"]),
            base64.b64decode(doc["stored"]["state"]),
            bytes.fromhex(doc["hash"]),
            str(doc["type"]),
            doc["data"],
        )


@dataclass
class InOrder:
    """Reassembles the global order, drops re-sent records, and re-checks the chain."""

    last_position: int = 0
    last_hash: bytes = GENESIS
    duplicates: int = 0
    _waiting: dict[int, LedgerEvent] = field(default_factory=dict)

    def add(self, event: LedgerEvent) -> Iterator[LedgerEvent]:
        """Take one record; yield every event that is now next in global order."""
        if event.position <= self.last_position or event.previous_position in self._waiting:
            self.duplicates += 1  # a relay restart re-sends at most one batch
            return
        self._waiting[event.previous_position] = event
        while self.last_position in self._waiting:
            ready = self._waiting.pop(self.last_position)
            expected = link(
                self.last_hash,
                ready.position,
                ready.originator_id,
                ready.originator_version,
                ready.topic,
                ready.state,
            )
            if expected != ready.chain_hash:
                raise BrokenChainError(f"chain hash does not check out at {ready.position}")
            self.last_position, self.last_hash = ready.position, ready.chain_hash
            yield ready

    @property
    def waiting(self) -> int:
        return len(self._waiting)


@dataclass
class FundStatement:
    """Income and spending per fund account (`fund:...`), from the events' `data.postings`."""

    income: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    spending: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    events: int = 0
    monetary_events: int = 0

    def apply(self, event: LedgerEvent) -> None:
        self.events += 1
        postings = event.data.get("postings")
        if not postings:
            return  # enrollments, designations, sanctions without money: nothing to post
        self.monetary_events += 1
        for account, amount in map(_posting, postings):
            if not account.startswith("fund:"):
                continue
            if amount > 0:
                self.income[account] += amount
            else:
                self.spending[account] -= amount

    def as_dict(self) -> dict[str, Any]:
        accounts = sorted(set(self.income) | set(self.spending))
        return {
            "events": self.events,
            "monetary_events": self.monetary_events,
            "funds": {
                a: {
                    "income": str(self.income.get(a, Decimal("0.00"))),
                    "spending": str(self.spending.get(a, Decimal("0.00"))),
                }
                for a in accounts
            },
        }


def _posting(entry: dict[str, Any]) -> tuple[str, Decimal]:
    return str(entry["account"]), Decimal(entry["amount"])  # a decimal string, exact


@dataclass
class ReportStats:
    """What one run of the reporting consumer saw."""

    received: int = 0
    applied: int = 0
    duplicates: int = 0
    position: int = 0
    held_back: int = 0
    """Records whose predecessor never came: the topic lacks part of the log (a relay that
    started mid-stream), so nothing after `position` could be applied."""


def consume_fund_statement(
    bootstrap: str,
    topic: str,
    stop: threading.Event,
    until_idle: float | None = None,
) -> tuple[FundStatement, ReportStats]:
    """Read `topic` from the start (all partitions, no group), applying events in order."""
    consumer = make_reader(bootstrap)
    statement, order, stats = FundStatement(), InOrder(), ReportStats()
    try:
        partitions = [
            TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or [])
        ]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        last_activity = time.monotonic()
        while not stop.is_set():
            polled = consumer.poll(timeout_ms=200)
            for records in polled.values():
                for record in records:
                    stats.received += 1
                    for event in order.add(LedgerEvent.from_record(record)):
                        statement.apply(event)
                        stats.applied += 1
            if polled:
                last_activity = time.monotonic()
            elif until_idle is not None and time.monotonic() - last_activity >= until_idle:
                break
    finally:
        consumer.close()
    stats.duplicates, stats.position = order.duplicates, order.last_position
    stats.held_back = order.waiting
    return statement, stats
