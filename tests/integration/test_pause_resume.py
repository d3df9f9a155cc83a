"""A partition paused part-way through a fetch and resumed delivers every record, in order.

kafka-python 3.0.12 parks such a partition's fetched records and never hands them back once
another partition's fetch has been read to its end (infra/kafka.py `poll` names the bug); the
worker's merge pauses full partitions (LEDGER_MERGE_BUFFER_RECORDS), so it relies on the
workaround. The scenario runs against the real broker once with plain `consumer.poll`, to
show it still meets the bug (when a kafka-python release fixes it, that test fails and the
workaround can go), and once through `poll`, which must deliver everything.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable
from typing import Any

from kafka import KafkaConsumer, TopicPartition

from infra.kafka import ensure_topics, make_producer, poll

RECORDS = 60  # per partition: one fetch returns them all, many polls of POLL_RECORDS take them
POLL_RECORDS = 5
POLLS_AFTER_RESUME = 40  # with the bug, none of them hands the paused partition back

Poll = Callable[[KafkaConsumer, int], dict[TopicPartition, list[Any]]]


def _plain(consumer: KafkaConsumer, timeout_ms: int) -> dict[TopicPartition, list[Any]]:
    polled: dict[TopicPartition, list[Any]] = consumer.poll(timeout_ms=timeout_ms)
    return polled


def _published(bootstrap: str) -> tuple[str, dict[int, list[bytes]]]:
    """A fresh topic of two partitions, RECORDS values in each, acknowledged."""
    topic = f"pause-{uuid.uuid4().hex[:10]}"
    ensure_topics(bootstrap, [topic], 2)
    values = {p: [f"{p}:{n:03d}".encode() for n in range(RECORDS)] for p in (0, 1)}
    producer = make_producer(bootstrap)
    try:
        futures = [producer.send(topic, value=v, partition=p) for p in (0, 1) for v in values[p]]
        producer.flush(timeout=30)
        for future in futures:
            future.get(timeout=30)
    finally:
        producer.close()
    return topic, values


def _pause_mid_fetch_then_resume(
    bootstrap: str, polling: Poll
) -> tuple[dict[int, list[bytes]], dict[int, list[bytes]]]:
    """Read both partitions; pause the first one seen after its first poll's worth, read the
    other to its end, resume, and poll POLLS_AFTER_RESUME more times. Returns what each
    partition delivered, and what was published."""
    topic, published = _published(bootstrap)
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap,
        enable_auto_commit=False,
        max_poll_records=POLL_RECORDS,
        fetch_max_wait_ms=50,
    )
    got: dict[int, list[bytes]] = {0: [], 1: []}

    def take_until(done: Callable[[], bool], polls: int, what: str) -> None:
        for _ in range(polls):
            if done():
                return
            for tp, records in polling(consumer, 100).items():
                got[tp.partition].extend(r.value for r in records)
        assert done(), f"{what} did not happen within {polls} polls"

    try:
        partitions = [TopicPartition(topic, p) for p in (0, 1)]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        take_until(lambda: any(got.values()), 300, "a first poll with records")
        first = 0 if got[0] else 1
        # Only part of its fetch was handed over: the rest stays with the client while paused.
        assert 0 < len(got[first]) < RECORDS
        paused = TopicPartition(topic, first)
        consumer.pause(paused)
        other = 1 - first
        take_until(lambda: len(got[other]) == RECORDS, 300, "the other partition read to its end")
        before_resume = len(got[first])
        assert before_resume < RECORDS, "a paused partition must hand nothing over"
        consumer.resume(paused)
        with contextlib.suppress(AssertionError):  # the callers judge what was delivered
            take_until(lambda: len(got[first]) == RECORDS, POLLS_AFTER_RESUME, "")
    finally:
        consumer.close()
    return got, published


def test_a_partition_resumed_after_a_pause_mid_fetch_delivers_every_record_in_order(
    bootstrap: str,
) -> None:
    got, published = _pause_mid_fetch_then_resume(bootstrap, poll)
    assert got == published


def test_plain_kafka_python_still_loses_a_partition_paused_mid_fetch(bootstrap: str) -> None:
    """Why `poll` exists: without it the same steps leave the paused partition's records with
    the client for good. If this fails, kafka-python fixed the bug: drop the workaround."""
    got, published = _pause_mid_fetch_then_resume(bootstrap, _plain)
    short = [p for p in (0, 1) if got[p] != published[p]]
    assert len(short) == 1, f"kafka-python no longer loses a resumed partition: {got}"
    (p,) = short
    assert got[p] == published[p][: len(got[p])], "what it did deliver came in order"
