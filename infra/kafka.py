"""Kafka clients, built from settings in `main()` and fixtures, never at import time."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from kafka.coordinator.assignors.range import RangePartitionAssignor
from kafka.errors import KafkaError, TopicAlreadyExistsError

from infra.settings import Settings

# The largest produce request our producers send (kafka-python's default, stated here because
# the dead letters' truncation is computed from it: consumers/dead_letters.py).
MAX_REQUEST_BYTES = 1_048_576
SEND_TIMEOUT_S = 30.0  # how long a send waits for the broker's acknowledgement


@dataclass(frozen=True)
class Outgoing:
    """One record to produce."""

    topic: str
    key: bytes | None
    value: bytes | None
    headers: list[tuple[str, bytes]]


def send_acknowledged(producer: KafkaProducer, records: Iterable[Outgoing]) -> None:
    """Send the records and wait for the broker's acknowledgement of each; raise KafkaError if
    any was refused or timed out. A record counts as sent only once acknowledged."""
    futures = [producer.send(r.topic, key=r.key, value=r.value, headers=r.headers) for r in records]
    if futures:
        producer.flush(timeout=SEND_TIMEOUT_S)
        for future in futures:
            future.get(timeout=SEND_TIMEOUT_S)


def make_producer(bootstrap: str, *, idempotent: bool = False) -> KafkaProducer:
    """A producer that waits for every replica, so a sent message is a kept message. With
    `idempotent` (the relay) the broker also drops a retried duplicate."""
    # One request in flight per connection: retries must not reorder an entity's events.
    if idempotent:
        return KafkaProducer(
            bootstrap_servers=bootstrap,
            acks="all",
            enable_idempotence=True,
            max_in_flight_requests_per_connection=1,
            linger_ms=5,
            max_request_size=MAX_REQUEST_BYTES,
        )
    return KafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all",
        linger_ms=5,
        retries=5,
        max_in_flight_requests_per_connection=1,
        max_request_size=MAX_REQUEST_BYTES,
    )


def poll(consumer: KafkaConsumer, timeout_ms: int) -> dict[TopicPartition, list[Any]]:
    """`consumer.poll`, after working around a kafka-python bug that wedges a resumed partition.

    kafka-python 3.0.12 (`Fetcher.fetched_records`) parks the records of a partition paused
    part-way through a fetch, and gives them back on resume only while its in-line slot
    `_next_partition_records` is None. Once any fetch has been read to its end, that slot holds
    an exhausted PartitionRecords (falsy, but not None) and is never reset; and
    `_fetchable_partitions` skips parked partitions, so a resumed partition is neither handed
    back nor fetched again. Emptying the exhausted slot first lets the restore run. A
    kafka-python without these attributes is polled as it is.
    """
    fetcher = getattr(consumer, "_fetcher", None)
    slot = getattr(fetcher, "_next_partition_records", None)
    if slot is not None and not slot:  # exhausted: nothing in it is lost by dropping it
        fetcher._next_partition_records = None  # type: ignore[union-attr]
    polled: dict[TopicPartition, list[Any]] = consumer.poll(timeout_ms=timeout_ms)
    return polled


def make_reader(bootstrap: str) -> KafkaConsumer:
    """A consumer of no group that commits nothing: it reads the partitions it is assigned."""
    return KafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, allow_auto_create_topics=False
    )


def make_consumer(settings: Settings, bootstrap: str) -> KafkaConsumer:
    """A consumer of the ledger's group, or of no group in assign mode. Offsets live in
    PostgreSQL, so auto-commit is off."""
    return KafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=settings.consumer_group if settings.consumer_mode == "group" else None,
        # The range assignor gives each worker the same partition numbers of every topic it
        # subscribes (they have equal partition counts), so one worker holds all of a region's
        # records and merges them in one order (docs/operations.md "How to run N workers").
        partition_assignment_strategy=(RangePartitionAssignor,),
        enable_auto_commit=False,
        # A reader must not create what it reads: on a broker that came back empty, a topic
        # made by a metadata request gets the broker's default partition count, not ours.
        allow_auto_create_topics=False,
        auto_offset_reset="earliest",
        max_poll_records=settings.max_poll_records,
        fetch_max_wait_ms=settings.fetch_max_wait_ms,
        max_poll_interval_ms=settings.max_poll_interval_ms,
        session_timeout_ms=min(10_000, settings.max_poll_interval_ms),
        heartbeat_interval_ms=min(3_000, settings.max_poll_interval_ms // 3),
    )


def all_partitions(
    consumer: KafkaConsumer, topics: Iterable[str], timeout_s: float = 10.0
) -> list[TopicPartition]:
    """Every partition of the topics, waiting for metadata that names them all."""
    deadline = time.monotonic() + timeout_s
    while True:
        found = {t: consumer.partitions_for_topic(t) for t in topics}
        if all(found.values()):
            return [TopicPartition(t, p) for t, ps in found.items() for p in sorted(ps or ())]
        if time.monotonic() > deadline:
            missing = sorted(t for t, ps in found.items() if not ps)
            raise KafkaError(f"no partitions known for topics: {missing}")
        consumer.topics()  # forces a metadata request
        time.sleep(0.1)


# Every command that talks to Kafka starts with `ensure_topics`, so this bounds how long a
# command waits on a broker that is not there (the library's default is 30 s); a broker that
# answers at all answers within a fraction of it.
BOOTSTRAP_TIMEOUT_MS = 5_000


@contextlib.contextmanager
def _quiet_bootstrap() -> Iterator[None]:
    """The library logs each failed connection attempt at WARNING and ERROR; the timeout it ends
    in is raised and reported once, so at the default log level those lines are only noise.
    LEDGER_LOG_LEVEL=INFO or DEBUG keeps them."""
    library = logging.getLogger("kafka")
    if library.getEffectiveLevel() < logging.WARNING:
        yield
        return
    previous = library.level
    library.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        library.setLevel(previous)


def ensure_topics(bootstrap: str, names: Iterable[str], partitions: int) -> None:
    """Create missing topics; existing ones are left as they are. Raises KafkaTimeoutError
    when no broker answers within BOOTSTRAP_TIMEOUT_MS."""
    with _quiet_bootstrap():
        admin = KafkaAdminClient(
            bootstrap_servers=bootstrap, bootstrap_timeout_ms=BOOTSTRAP_TIMEOUT_MS
        )
    try:
        existing = set(admin.list_topics())
        missing = [NewTopic(n, partitions, 1) for n in names if n not in existing]
        if missing:
            # Another process may create them between our list and create.
            with contextlib.suppress(TopicAlreadyExistsError):
                admin.create_topics(missing)
    finally:
        admin.close()


def cluster_id_of(consumer: KafkaConsumer, timeout_s: float = 10.0) -> str:
    """The cluster id the consumer talks to, fetched with metadata if not known yet."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        cluster_id = consumer._client.cluster.cluster_id
        if cluster_id:
            return str(cluster_id)
        consumer.topics()  # forces a metadata request
    raise KafkaError("the broker did not report a cluster id")


def cluster_id_from(bootstrap: str) -> str:
    """The cluster id the broker reports, asked once with a short-lived reader."""
    consumer = make_reader(bootstrap)
    try:
        return cluster_id_of(consumer)
    finally:
        consumer.close()


class TopicState(NamedTuple):
    """A topic as one fresh metadata request saw it: the cluster's id, and whether the topic
    holds no record at all (missing, or every partition's end offset 0)."""

    cluster_id: str
    empty: bool


def topic_state(consumer: KafkaConsumer, topic: str, timeout_s: float = 10.0) -> TopicState:
    """The state of `topic` now, so a broker replaced behind the same address is seen as the
    cluster it is. Raises KafkaError while no broker answers."""
    known = consumer.topics()  # a metadata request of all topics: asks no auto-creation
    cluster_id = cluster_id_of(consumer)
    if topic not in known:
        return TopicState(cluster_id, empty=True)
    partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic))]
    ends = consumer.end_offsets(partitions, timeout_ms=int(timeout_s * 1000))
    # Only emptiness is read from end offsets: Tansu's count batches, not records (one batch of
    # 13 records ends at 1), so their sum is no record count there.
    return TopicState(cluster_id, empty=not any(ends.values()))
