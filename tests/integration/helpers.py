"""Run the real worker against the test's broker and database."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from kafka import TopicPartition

from consumers.ingest import IngestStats, run_worker
from consumers.topics import Topics
from infra.kafka import ensure_topics, make_producer, make_reader
from infra.settings import CONSUMER_MODES, Settings
from infra.store import Ledger
from tests.messages import encode


@pytest.fixture(name="settings", params=CONSUMER_MODES)
def settings_in_both_consumer_modes(settings: Settings, request: pytest.FixtureRequest) -> Settings:
    """The test's settings, once with a consumer group and once with assigned partitions:
    import it into a test module to run its tests in both modes."""
    return replace(settings, consumer_mode=request.param)


def create_topics(settings: Settings) -> Topics:
    topics = Topics(settings.topic_prefix)
    assert settings.kafka_bootstrap_servers is not None
    ensure_topics(
        settings.kafka_bootstrap_servers,
        [*topics.all_inbound, topics.rejected, topics.events],
        settings.topic_partitions,
    )
    return topics


def send(settings: Settings, suffix: str, documents: Sequence[dict[str, Any] | bytes]) -> None:
    """Produce to an inbound topic, keyed by the payload's entity when there is one."""
    assert settings.kafka_bootstrap_servers is not None
    producer = make_producer(settings.kafka_bootstrap_servers)
    topic = Topics(settings.topic_prefix).inbound(suffix)
    for d in documents:
        if isinstance(d, bytes):
            producer.send(topic, key=b"raw", value=d)
        else:
            entity = d["payload"].get("person_id") or d["payload"].get("code")
            producer.send(topic, key=str(entity).encode(), value=encode(d))
    producer.flush()
    producer.close()


def ingest(settings: Settings, ledger: Ledger, until_idle: float = 1.5) -> IngestStats:
    """One worker run until nothing arrives for `until_idle` seconds."""
    assert settings.kafka_bootstrap_servers is not None
    return run_worker(
        settings,
        settings.kafka_bootstrap_servers,
        ledger,
        threading.Event(),
        lambda: datetime.now(UTC),
        until_idle=until_idle,
    )


def read_topic(settings: Settings, topic: str, expected: int, timeout_s: float = 15.0) -> list[Any]:
    """Every record of a topic from the start, once at least `expected` have arrived."""
    assert settings.kafka_bootstrap_servers is not None
    consumer = make_reader(settings.kafka_bootstrap_servers)
    try:
        partitions = [TopicPartition(topic, p) for p in range(settings.topic_partitions)]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        records: list[Any] = []
        deadline = datetime.now(UTC).timestamp() + timeout_s
        while len(records) < expected and datetime.now(UTC).timestamp() < deadline:
            for batch in consumer.poll(timeout_ms=300).values():
                records.extend(batch)
        return records
    finally:
        consumer.close()
