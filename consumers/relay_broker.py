"""The relay's side of Kafka: an idempotent producer for the records, and a reader that asks
which cluster answers and whether the topic holds any record (consumers/relay.py decides)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType

from kafka import KafkaProducer
from kafka.errors import KafkaError

from infra.kafka import (
    Outgoing,
    TopicState,
    make_producer,
    make_reader,
    send_acknowledged,
    topic_state,
)


@dataclass(frozen=True)
class OutboundRecord:
    """One record of the events topic: key, value and headers as the relay builds them."""

    key: bytes
    value: bytes
    headers: list[tuple[str, bytes]]


class RelayBroker:
    """The Kafka clients of one relay, built for one bootstrap address."""

    def __init__(self, bootstrap: str) -> None:
        self._bootstrap = bootstrap
        self._reader = make_reader(bootstrap)
        self._producer: KafkaProducer | None = None

    def state_of(self, topic: str) -> TopicState:
        """The cluster answering now, and whether `topic` holds no record there."""
        return topic_state(self._reader, topic)

    def send(self, topic: str, records: Sequence[OutboundRecord]) -> None:
        """Send the records and wait for the broker's acknowledgement of each; raise KafkaError
        if any was refused or timed out."""
        producer = self._producer or make_producer(self._bootstrap, idempotent=True)
        self._producer = producer
        try:
            send_acknowledged(
                producer, (Outgoing(topic, r.key, r.value, r.headers) for r in records)
            )
        except KafkaError:
            # An idempotent producer whose broker was replaced or reset fails for good (the new
            # broker knows none of its producer ids): the next batch gets a new one.
            self._producer = None
            producer.close(timeout=0)
            raise

    def close(self) -> None:
        if self._producer is not None:
            self._producer.close()
        self._reader.close()

    def __enter__(self) -> RelayBroker:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
