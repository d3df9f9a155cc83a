"""The worker's aggregate cache changes how fast a store is written, never what it holds."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import psycopg
import pytest

from domain import identity
from domain.commands import Command
from infra.kafka import make_producer
from infra.settings import Settings
from infra.setup import set_up
from infra.store import WRITER_ROLE, Ledger, open_ledger
from scripts.simulation.config import config_for
from scripts.simulation.county import county_year
from scripts.simulation.feed import Feeder
from tests.conftest import fresh_database
from tests.domain_builders import LEVEL_2, LEVEL_3, PHARMACY, designate
from tests.integration.helpers import create_topics
from tests.memory import InMemoryAggregates

# Parts of a stored event that differ between two runs of the same stream: wall clocks, and
# the topic names and offsets of the run.
RUN_SPECIFIC = {
    "timestamp",
    "recorded_at",
    "committed_at",
    "source_topic",
    "source_partition",
    "source_offset",
}


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in RUN_SPECIFIC}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def store_contents(database_url: str) -> dict[str, list[Any]]:
    """What a store holds, up to the run-specific parts, in an order independent of batching."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        events = conn.execute(
            "SELECT originator_id, originator_version, topic, state FROM ledger_events"
            " ORDER BY originator_id, originator_version"
        ).fetchall()
        accepted = conn.execute(
            "SELECT message_id, content_sha256 FROM ledger_messages ORDER BY message_id"
        ).fetchall()
        # The detail may name the run's topics.
        rejected = conn.execute(
            "SELECT message_id, reason FROM rejected_messages ORDER BY message_id, reason"
        ).fetchall()
    return {
        "events": [(i, v, t, _strip(json.loads(bytes(s)))) for i, v, t, s in events],
        "accepted": accepted,
        "rejected": rejected,
    }


@pytest.fixture
def second_database(postgres_server_url: str) -> Iterator[str]:
    yield from fresh_database(postgres_server_url)


def feed_tiny_county(settings: Settings, database_url: str) -> dict[str, list[Any]]:
    """A tiny county year (every message type, bad messages too) through its own topics."""
    settings = replace(settings, topic_prefix=f"t{uuid.uuid4().hex[:10]}.")
    create_topics(settings)
    assert settings.kafka_bootstrap_servers is not None
    set_up(database_url)
    producer = make_producer(settings.kafka_bootstrap_servers)
    try:
        with (
            open_ledger(database_url, role=WRITER_ROLE) as worker_ledger,
            open_ledger(database_url) as watch,
            Feeder(
                settings, settings.kafka_bootstrap_servers, worker_ledger, watch, producer
            ) as feeder,
        ):
            feeder.feed(county_year(config_for("tiny", None, 2019)))
    finally:
        producer.close()
    return store_contents(database_url)


def test_a_stream_ingested_with_and_without_the_cache_gives_the_same_store(
    settings: Settings, database_url: str, second_database: str
) -> None:
    # A cache much smaller than the county evicts all the time, so both paths are exercised.
    cached = feed_tiny_county(replace(settings, aggregate_cache_size=25), database_url)
    uncached = feed_tiny_county(replace(settings, aggregate_cache_size=0), second_database)
    assert len(cached["events"]) > 500
    assert cached["rejected"], "the tiny county has bad messages"
    assert cached == uncached


FAIL_ONCE = """
CREATE SEQUENCE test_fail_once;
CREATE FUNCTION test_fail_once() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
    -- A sequence is not rolled back with the failed transaction, so this fails exactly once.
    IF nextval('test_fail_once') = {at} THEN
        RAISE EXCEPTION 'injected failure' USING ERRCODE = 'unique_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER test_fail_once BEFORE INSERT ON ledger_events
    FOR EACH ROW EXECUTE FUNCTION test_fail_once();
"""


def test_a_batch_whose_commit_failed_leaves_nothing_of_itself_in_the_cache(
    settings: Settings, database_url: str, second_database: str
) -> None:
    # The failing insert comes well into the stream, when the cache holds aggregates that the
    # failed batch had changed in memory; the retried batch must decide from the store.
    set_up(database_url)
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(FAIL_ONCE.format(at=400).encode())
    failed_once = feed_tiny_county(settings, database_url)
    with psycopg.connect(database_url, autocommit=True) as conn:
        row = conn.execute("SELECT last_value FROM test_fail_once").fetchone()
    assert row is not None
    assert row[0] > 400, "the injected failure happened"
    clean = feed_tiny_county(settings, second_database)
    assert failed_once == clean


def test_writes_of_another_writer_are_found_by_position_and_our_own_are_skipped(
    ledger: Ledger,
) -> None:
    def save(*commands: Command) -> list[int]:
        events = [e for c in commands for e in InMemoryAggregates().decide(c)]
        return [r.notification.id for r in ledger.save(*events)]

    assert ledger.reads.foreign_writes(None, None) == ([], 0)
    first = save(designate(LEVEL_3))
    head = ledger.reads.foreign_writes(None, None)[1]
    assert head == max(first)
    ours = save(designate(LEVEL_2, "2"))
    theirs = save(designate(PHARMACY, "none", "pharmacy"))
    changed, position = ledger.reads.foreign_writes(head, (min(ours), max(ours)))
    assert changed == [identity.institution_aggregate_id(PHARMACY)]
    assert position == max(theirs)
    assert ledger.reads.foreign_writes(position, None) == ([], position)
