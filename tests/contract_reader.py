"""A downstream of `ledger.events` written against docs/schemas/outbound and docs/operations.md
alone: it imports kafka-python, jsonschema and the standard library, nothing of the project,
as a consumer in another language would be written.

It validates every record against the schema its `type` names, puts records back in global
order by `previous_position`, drops re-sends by `position`, re-checks the chain hash from
`stored` with the documented layout, and sums income and spending of every `fund:` account.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import confluent_kafka as rd
from confluent_kafka import Consumer
from jsonschema import Draft202012Validator
from kafka import KafkaConsumer, TopicPartition

SCHEMAS = Path(__file__).resolve().parent.parent / "docs" / "schemas" / "outbound"
CHAIN_TAG = b"claims-ledger/chain/v1\x00"


def validators() -> dict[str, Draft202012Validator]:
    """One validator per type, from the schema files (the envelope's too, as `envelope`)."""
    found = {}
    for path in SCHEMAS.glob("*.schema.json"):
        schema = json.loads(path.read_text())
        Draft202012Validator.check_schema(schema)
        found[path.name.removesuffix(".schema.json")] = Draft202012Validator(
            schema, format_checker=Draft202012Validator.FORMAT_CHECKER
        )
    return found


def chain_hash(previous: bytes, record: dict[str, Any]) -> bytes:
    """The layout docs/operations.md gives: sha256 over the tag, the predecessor's hash, the
    position, the aggregate id and version, and the length-prefixed stored topic and state."""
    topic, state = record["stored"]["topic"].encode(), base64.b64decode(record["stored"]["state"])
    h = hashlib.sha256(CHAIN_TAG)
    h.update(previous)
    h.update(record["position"].to_bytes(8, "big", signed=True))
    h.update(uuid.UUID(record["aggregate"]["id"]).bytes)
    h.update(record["aggregate"]["version"].to_bytes(8, "big", signed=True))
    h.update(len(topic).to_bytes(4, "big") + topic)
    h.update(len(state).to_bytes(8, "big") + state)
    return h.digest()


@dataclass
class Reading:
    """What the reader made of the topic."""

    applied: list[dict[str, Any]] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)
    duplicates: int = 0
    income: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    spending: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    _waiting: dict[int, dict[str, Any]] = field(default_factory=dict)
    _last: tuple[int, bytes] = (0, bytes(32))

    def take(self, record: dict[str, Any], schemas: dict[str, Draft202012Validator]) -> None:
        schema = schemas.get(record.get("type", ""), schemas["envelope"])
        self.invalid += [
            f"{record.get('position')}: {e.message}" for e in schema.iter_errors(record)
        ]
        if record["position"] <= self._last[0] or record["previous_position"] in self._waiting:
            self.duplicates += 1
            return
        self._waiting[record["previous_position"]] = record
        while self._last[0] in self._waiting:
            ready = self._waiting.pop(self._last[0])
            if chain_hash(self._last[1], ready) != bytes.fromhex(ready["hash"]):
                raise ValueError(f"chain broken at position {ready['position']}")
            self._last = (ready["position"], bytes.fromhex(ready["hash"]))
            self.applied.append(ready)
            for posting in ready["data"].get("postings", []):
                amount = Decimal(posting["amount"])
                if posting["account"].startswith("fund:"):
                    if amount > 0:
                        self.income[posting["account"]] += amount
                    else:
                        self.spending[posting["account"]] -= amount


def read_events(bootstrap: str, topic: str, client: str, until_idle: float = 1.5) -> Reading:
    """Read `topic` from the start, every partition, until nothing came for `until_idle`,
    with kafka-python or with librdkafka (confluent-kafka)."""
    schemas, reading = validators(), Reading()
    values = _librdkafka_values if client == "librdkafka" else _kafka_python_values
    for value in values(bootstrap, topic, until_idle):
        reading.take(json.loads(value), schemas)
    return reading


def _kafka_python_values(bootstrap: str, topic: str, until_idle: float) -> Iterator[bytes]:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or []]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        idle_since = time.monotonic()
        while time.monotonic() - idle_since < until_idle:
            polled = consumer.poll(timeout_ms=200)
            yield from (record.value for records in polled.values() for record in records)
            if polled:
                idle_since = time.monotonic()
    finally:
        consumer.close()


def _librdkafka_values(bootstrap: str, topic: str, until_idle: float) -> Iterator[bytes]:
    # librdkafka wants a group id even for assigned partitions; nothing is committed.
    consumer = Consumer(
        {"bootstrap.servers": bootstrap, "group.id": "contract-reader", "enable.auto.commit": False}
    )
    try:
        metadata = consumer.list_topics(topic, timeout=10)
        consumer.assign(
            [
                rd.TopicPartition(topic, p, rd.OFFSET_BEGINNING)
                for p in metadata.topics[topic].partitions
            ]
        )
        idle_since = time.monotonic()
        while time.monotonic() - idle_since < until_idle:
            message = consumer.poll(0.2)
            if message is None:
                continue
            value = message.value()
            if message.error() is not None or value is None:
                raise RuntimeError(f"librdkafka: {message.error() or 'a record without value'}")
            yield value
            idle_since = time.monotonic()
    finally:
        consumer.close()
