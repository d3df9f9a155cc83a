"""A message produced by a Kafka client that is not ours (librdkafka, via confluent-kafka)."""

from __future__ import annotations

from confluent_kafka import Producer

from infra.queries import history
from infra.settings import Settings
from infra.store import Ledger
from tests.integration.helpers import create_topics, ingest
from tests.messages import encode, enrolled


def test_an_enrollment_from_a_librdkafka_producer_is_ingested(
    settings: Settings, ledger: Ledger
) -> None:
    topics = create_topics(settings)
    message = enrolled("FOREIGN-1")
    producer = Producer({"bootstrap.servers": settings.kafka_bootstrap_servers, "acks": "all"})
    delivered: list[object] = []
    producer.produce(
        topics.inbound("enrollment"),
        key=b"FOREIGN-1",
        value=encode(message),
        on_delivery=lambda err, _msg: delivered.append(err),
    )
    assert producer.flush(15) == 0
    assert delivered == [None]
    stats = ingest(settings, ledger)
    assert stats.accepted == 1
    [entry] = history(ledger, "FOREIGN-1")
    assert str(entry.provenance.message_id) == message["message_id"]
