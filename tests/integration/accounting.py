"""The accounting identity every fault must leave intact (issue 12): for every inbound
partition, every offset from the log's start to its end is exactly one of a stored message, a
duplicate of a stored message or a dead letter; nothing is stored twice; the hash chain verifies
and the read models, brought up to date, match a rebuild.

The log's bounds and records are read from the broker with a real consumer, not taken from the
store: an offset the worker skipped is exactly what the store cannot tell. Only rows of the
cluster the broker reports count (offsets mean nothing across clusters), so a test that moves
to a broker with a new cluster id calls `account(..., cluster_id=...)` for each cluster it wants
balanced, while the rows of earlier clusters stay out of the way.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import psycopg
from kafka import KafkaConsumer, TopicPartition

from consumers.contract import decode
from consumers.topics import Topics
from infra.application.inbound import Coordinates, Decoded
from infra.application.rows import offset_tracking_name
from infra.kafka import all_partitions, cluster_id_of, make_reader
from infra.settings import Settings
from infra.store import open_ledger
from infra.verify import verify
from projections.check import check
from projections.runner import catch_up, open_projections

Where = tuple[str, int, int]  # topic, partition, offset
READ_TIMEOUT_S = 30.0  # a guard: a few thousand records take well under a second

# Each event names the message it came from and that message's coordinates (its provenance).
EVENT_SOURCES = (
    "SELECT p #>> '{message_id,_data_}' AS message_id, p ->> 'source_topic' AS topic,"
    " (p ->> 'source_partition')::int AS partition, (p ->> 'source_offset')::bigint AS offset,"
    " count(*) AS events FROM (SELECT convert_from(state, 'UTF8')::jsonb"
    " #> '{provenance,_data_}' AS p FROM ledger_events) AS e GROUP BY 1, 2, 3, 4"
)


@dataclass
class Tally:
    """What became of one partition's offsets."""

    stored: int = 0
    duplicates: int = 0
    dead: int = 0


@dataclass
class Books:
    """The identity's outcome: a tally per partition and every offset or row that breaks it."""

    cluster_id: str
    log: dict[tuple[str, int], tuple[int, int]] = field(default_factory=dict)  # [start, end)
    tallies: dict[tuple[str, int], Tally] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def total(self) -> Tally:
        """The tallies of all partitions summed."""
        tallies = self.tallies.values()
        return Tally(
            stored=sum(t.stored for t in tallies),
            duplicates=sum(t.duplicates for t in tallies),
            dead=sum(t.dead for t in tallies),
        )


@dataclass
class _Rows:
    """The store's side: accepted messages, dead letters and committed offsets of one cluster."""

    stored: dict[Where, tuple[UUID, bytes]]
    dead: dict[Where, bytes | None]
    digests: dict[UUID, tuple[bytes, Where]]  # every accepted message, of any cluster
    committed: dict[str, int]


@contextmanager
def _reader(settings: Settings) -> Iterator[KafkaConsumer]:
    assert settings.kafka_bootstrap_servers is not None
    consumer = make_reader(settings.kafka_bootstrap_servers)
    try:
        yield consumer
    finally:
        consumer.close()


def account(settings: Settings, database_url: str, cluster_id: str | None = None) -> Books:
    """Take the books of the store against the broker's inbound log (see the module's doc)."""
    with _reader(settings) as consumer:
        books = Books(cluster_id or cluster_id_of(consumer))
        books.log, records = _read_log(consumer, Topics(settings.topic_prefix))
    rows = _rows(database_url, books.cluster_id, sorted({t for t, _ in books.log}))
    for (topic, partition), (start, end) in books.log.items():
        tally = books.tallies.setdefault((topic, partition), Tally())
        for offset in range(start, end):
            where = (topic, partition, offset)
            problem = _fate(where, records.get(where), rows, tally, Topics(settings.topic_prefix))
            if problem:
                books.problems.append(f"{topic}/{partition}@{offset}: {problem}")
        name = offset_tracking_name(books.cluster_id, topic, partition)
        if end > start and rows.committed.get(name) != end - 1:
            books.problems.append(
                f"{topic}/{partition}: committed up to {rows.committed.get(name)}, log ends at"
                f" {end - 1}"
            )
    books.problems += _rows_outside_the_log(books, rows)
    books.problems += _stored_twice(database_url, rows)
    return books


def _read_log(
    consumer: KafkaConsumer, topics: Topics, timeout_s: float = READ_TIMEOUT_S
) -> tuple[dict[tuple[str, int], tuple[int, int]], dict[Where, bytes | None]]:
    """Each inbound partition's [start, end) and every record's value in it.

    The end is the fetch's high watermark where it exceeds the listed one: Tansu 0.6 (the
    test broker) lists a partition's end as its last record batch's base offset + 1, so a
    partition holding one produced batch of 500 records lists an end of 1."""
    partitions = all_partitions(consumer, topics.all_inbound)
    starts, listed = consumer.beginning_offsets(partitions), consumer.end_offsets(partitions)
    consumer.assign(partitions)
    consumer.seek_to_beginning(*partitions)
    values: dict[Where, bytes | None] = {}
    deadline = time.monotonic() + timeout_s
    while not all(_read_to_end(consumer, tp) for tp in partitions):
        if time.monotonic() > deadline:
            raise TimeoutError(f"the inbound log was not read to its end in {timeout_s} s")
        for batch in consumer.poll(timeout_ms=200).values():
            values.update({(m.topic, m.partition, m.offset): m.value for m in batch})
    bounds = {
        (tp.topic, tp.partition): (starts[tp], max(listed[tp], consumer.highwater(tp)))
        for tp in partitions
    }
    return bounds, values


def _read_to_end(consumer: KafkaConsumer, tp: TopicPartition) -> bool:
    highwater = consumer.highwater(tp)  # None until a fetch of the partition answered
    return highwater is not None and consumer.position(tp) >= highwater


def _fate(
    where: Where, value: bytes | None, rows: _Rows, tally: Tally, topics: Topics
) -> str | None:
    """Count the offset's one fate, or say why it has none or more than one."""
    stored, dead = where in rows.stored, where in rows.dead
    decoded = decode(value, Coordinates(*where), topics.suffix_of(where[0]), datetime.now(UTC))
    identity = (
        (decoded.message_id, decoded.content_sha256) if isinstance(decoded, Decoded) else None
    )
    if stored and dead:
        return "both stored and a dead letter"
    if stored:
        tally.stored += 1
        return None if identity == rows.stored[where] else "stored row is not the record there"
    if dead:
        tally.dead += 1
        return None if rows.dead[where] == value else "dead letter holds other bytes"
    if identity is not None:
        known = rows.digests.get(identity[0])
        if known is not None and known[0] == identity[1]:
            tally.duplicates += 1
            return None
    return "neither stored, nor a duplicate of a stored message, nor a dead letter"


def _rows(database_url: str, cluster_id: str, topics: list[str]) -> _Rows:
    with psycopg.connect(database_url, autocommit=True) as conn:
        messages = conn.execute(
            "SELECT message_id, content_sha256, source_cluster, source_topic, source_partition,"
            " source_offset FROM ledger_messages"
        ).fetchall()
        dead = conn.execute(
            "SELECT source_topic, source_partition, source_offset, message_value"
            " FROM rejected_messages WHERE source_cluster = %s AND source_topic = ANY(%s)",
            (cluster_id, topics),
        ).fetchall()
    ours = [m for m in messages if m[2] == cluster_id and m[3] in topics]
    return _Rows(
        stored={(t, p, o): (i, bytes(sha)) for i, sha, _, t, p, o in ours},
        dead={(t, p, o): None if v is None else bytes(v) for t, p, o, v in dead},
        digests={i: (bytes(sha), (t, p, o)) for i, sha, _, t, p, o in messages},
        committed=_committed(database_url),
    )


def records_committed(database_url: str) -> int:
    """How many records the committed offsets cover, all partitions together: the published
    count once the worker is through (offsets of one cluster, each partition from 0)."""
    return sum(offset + 1 for offset in _committed(database_url).values())


def _committed(database_url: str) -> dict[str, int]:
    with psycopg.connect(database_url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT application_name, max(notification_id) FROM ledger_tracking"
            " WHERE application_name LIKE 'kafka:%%' GROUP BY 1"
        ).fetchall()
    return {str(name): int(offset) for name, offset in rows}


def _rows_outside_the_log(books: Books, rows: _Rows) -> list[str]:
    """Rows of this cluster's inbound topics that name an offset the log does not hold."""
    wheres = [*rows.stored, *rows.dead]
    return [
        f"{t}/{p}@{o}: a row of the store, but the log holds [{start}, {end})"
        for t, p, o in wheres
        for start, end in [books.log.get((t, p), (0, 0))]
        if not start <= o < end
    ]


def _stored_twice(database_url: str, rows: _Rows) -> list[str]:
    """Events whose message was not accepted, or was accepted at other coordinates: a message
    decided twice (a re-read that was not recognised) leaves events of the second reading."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        sources: list[Any] = conn.execute(EVENT_SOURCES).fetchall()
    problems = []
    for message_id, topic, partition, offset, events in sources:
        if message_id is None:
            continue  # an event of no message (a command run from the CLI)
        known = rows.digests.get(UUID(message_id))
        if known is None or known[1] != (topic, partition, offset):
            problems.append(
                f"{events} event(s) of message {message_id} from {topic}/{partition}@{offset},"
                f" accepted at {None if known is None else known[1]}"
            )
    return problems


def assert_books_balance(
    settings: Settings, database_url: str, cluster_id: str | None = None
) -> Books:
    """The identity, then `verify` and `check`: the whole post-fault audit, for any fault test."""
    books = account(settings, database_url, cluster_id)
    assert books.problems == [], "\n".join(books.problems[:20])
    assert_store_sound(database_url)
    return books


def assert_store_sound(database_url: str) -> None:
    """The hash chain verifies over every event, and the read models brought up to date match a
    rebuild from the log with every posting balanced (what `verify`, `project`, `check` run)."""
    verdict = verify(database_url)
    assert verdict.ok, (verdict.bad_position, verdict.problem)
    with psycopg.connect(database_url, autocommit=True) as conn:
        row = conn.execute("SELECT count(*) FROM ledger_events").fetchone()
    assert row is not None
    assert verdict.checked == row[0]
    with open_ledger(database_url) as ledger:
        catch_up(ledger, open_projections(ledger))
        report = check(ledger)
    assert report.ok, report
