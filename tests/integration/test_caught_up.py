"""How kafka-python tells that a partition is caught up, against the test's broker (Tansu, or
Apache Kafka with --apache-kafka): the merge (consumers/merge.py) relies on a fetch's high
watermark, `consumer.highwater(tp)`, compared with `consumer.position(tp)`."""

from __future__ import annotations

import pytest
from kafka import TopicPartition

from infra.kafka import make_producer, make_reader
from infra.settings import Settings
from tests.integration.helpers import create_topics
from tests.integration.workers import wait_until

BATCHES = 4
PER_BATCH = 16


@pytest.mark.apache_kafka  # also in `make test-apache-kafka`: the same calls against Apache Kafka
def test_a_fetch_s_high_watermark_tells_when_a_partition_is_caught_up(
    settings: Settings,
) -> None:
    topics = create_topics(settings)
    assert settings.kafka_bootstrap_servers is not None
    bootstrap = settings.kafka_bootstrap_servers
    full = TopicPartition(topics.inbound("reference"), 0)
    empty = TopicPartition(topics.inbound("enrollment"), 0)
    producer = make_producer(bootstrap)
    try:
        for batch in range(BATCHES):  # several records per produce batch, as sources send them
            for n in range(PER_BATCH):
                producer.send(full.topic, value=b"%d-%d" % (batch, n), partition=0)
            producer.flush()
    finally:
        producer.close()
    total = BATCHES * PER_BATCH

    reader = make_reader(bootstrap)
    try:
        reader.assign([full, empty])
        reader.seek_to_beginning(full, empty)
        assert (reader.highwater(full), reader.highwater(empty)) == (None, None)  # no fetch yet
        read = 0

        def fetched_all() -> bool:
            nonlocal read
            read += sum(len(r) for r in reader.poll(timeout_ms=200).values())
            return read == total and reader.highwater(empty) is not None

        wait_until(fetched_all, 30, "every record fetched")
        # Caught up: the position reached the high watermark, also of the empty partition.
        assert (reader.position(full), reader.highwater(full)) == (total, total)
        assert (reader.position(empty), reader.highwater(empty)) == (0, 0)
        # end_offsets() is a ListOffsets request: Apache Kafka answers the log's end; Tansu
        # answers the last batch's first offset + 1 (docs/operations.md "Lag and caught up"),
        # never more than the end, so it can only make a partition look behind, never ahead.
        ends = reader.end_offsets([full, empty])
        assert 0 < ends[full] <= total
        assert ends[empty] == 0
    finally:
        reader.close()
