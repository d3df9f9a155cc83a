"""Relay progress per stream (relay name, cluster id, topic): another topic prefix, a broker
replaced by a new cluster, or a broker reset that kept its cluster id each get the whole log from
position 1, and the reporting consumer reads each to the end."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import psycopg
import pytest

from consumers.relay import Relay
from consumers.reporting import consume_fund_statement
from infra.embedded import BrokerProcess, start_broker, stop_process
from infra.kafka import cluster_id_from
from infra.relay_log import events_after
from infra.settings import Settings
from infra.setup import set_up
from infra.store import Ledger
from tests.e2e.test_cli import run_json
from tests.integration.helpers import create_topics
from tests.integration.test_immutability import record_enrollments
from tests.integration.test_relay import RelayOf, committed_positions, relay_of, writer
from tests.integration.workers import cli_env

__all__ = ["relay_of", "writer"]  # the fixtures


class Brokers:
    """A Tansu of the test's own, which the test may replace on the same port."""

    def __init__(self, log: Path) -> None:
        self.log = log
        self.current: BrokerProcess = start_broker(log)

    def replace(self, cluster_id: str) -> None:
        """Stop the broker (its memory goes with it) and start another on the same port."""
        stop_process(self.current.pid)
        self.current = start_broker(self.log, port=self.current.port, cluster_id=cluster_id)


@pytest.fixture
def brokers(tmp_path: Path) -> Iterator[Brokers]:
    own = Brokers(tmp_path / "tansu.log")
    yield own
    stop_process(own.current.pid)


def reads_to_the_end(settings: Settings, topic: str, expected: list[int]) -> None:
    """The reporting consumer, reading `topic` from the start, applies every position."""
    assert settings.kafka_bootstrap_servers is not None
    _, stats = consume_fund_statement(
        settings.kafka_bootstrap_servers, topic, threading.Event(), until_idle=1.0
    )
    assert (stats.applied, stats.position) == (len(expected), expected[-1])


def stream_rows(database_url: str) -> list[tuple[str, str, int]]:
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT cluster_id, topic, position FROM ledger_relay_streams ORDER BY updated_at"
        ).fetchall()
    return [(str(c), str(t), int(p)) for c, t, p in rows]


def test_another_topic_prefix_gets_the_whole_log_from_position_1(
    settings: Settings, writer: Ledger, database_url: str
) -> None:
    record_enrollments(writer, 0, 30)
    first = cli_env(settings, database_url)
    assert run_json(first, "relay", "--until-idle", "0.5")["published"] == 30
    again = replace(settings, topic_prefix=f"other-{settings.topic_prefix}")
    second = cli_env(again, database_url)

    relayed = run_json(second, "relay", "--until-idle", "0.5")
    report = run_json(second, "report-consumer", "--until-idle", "1")

    expected = committed_positions(database_url)
    assert (relayed["published"], relayed["position"]) == (30, expected[-1])
    assert (report["events"], report["position"], report["held_back"]) == (30, expected[-1], 0)
    assert run_json(first, "relay", "--until-idle", "0.5")["published"] == 0
    assert [topic for _, topic, _ in stream_rows(database_url)] == [
        f"{settings.topic_prefix}events",
        f"{again.topic_prefix}events",
    ]


def relay_on(
    settings: Settings, writer: Ledger, brokers: Brokers, relay_of: RelayOf, recheck_s: float
) -> tuple[Settings, Relay]:
    """Settings pointing at the test's own broker, and a relay on it."""
    own = replace(settings, kafka_bootstrap_servers=brokers.current.bootstrap)
    return own, relay_of(own, writer, batch_size=20, recheck_s=recheck_s)


def test_a_running_relay_whose_broker_is_a_new_cluster_publishes_the_whole_log_again(
    settings: Settings, writer: Ledger, database_url: str, brokers: Brokers, relay_of: RelayOf
) -> None:
    # No periodic look in this test: the batch the new cluster refuses makes the relay look.
    own, relay = relay_on(settings, writer, brokers, relay_of, recheck_s=3_600)
    topic = create_topics(own).events
    record_enrollments(writer, 0, 50)
    relay.run(threading.Event(), until_idle=0.3)
    reads_to_the_end(own, topic, committed_positions(database_url))
    first_cluster = cluster_id_from(brokers.current.bootstrap)

    brokers.replace(cluster_id="ledger-replacement")
    create_topics(own)
    record_enrollments(writer, 50, 30)
    relay.run(threading.Event(), until_idle=0.5)

    expected = committed_positions(database_url)
    reads_to_the_end(own, topic, expected)
    assert stream_rows(database_url) == [
        (first_cluster, topic, expected[49]),
        ("ledger-replacement", topic, expected[-1]),
    ]


def test_a_broker_reset_that_keeps_its_cluster_id_gets_the_whole_log_again(
    settings: Settings,
    writer: Ledger,
    database_url: str,
    brokers: Brokers,
    relay_of: RelayOf,
    caplog: pytest.LogCaptureFixture,
) -> None:
    own, relay = relay_on(settings, writer, brokers, relay_of, recheck_s=0)  # every batch
    topic = create_topics(own).events
    record_enrollments(writer, 0, 50)
    relay.run(threading.Event(), until_idle=0.3)
    same_id = cluster_id_from(brokers.current.bootstrap)

    brokers.replace(cluster_id=same_id)  # an empty cluster, indistinguishable by its id
    create_topics(own)
    record_enrollments(writer, 50, 30)
    with caplog.at_level(logging.WARNING, logger="consumers.relay"):
        relay.run(threading.Event(), until_idle=0.5)

    expected = committed_positions(database_url)
    reads_to_the_end(own, topic, expected)
    assert stream_rows(database_url) == [(same_id, topic, expected[-1])]
    assert f"{topic} on cluster {same_id} is empty, yet position" in caplog.text


def as_before_streams(database_url: str) -> None:
    """The store as an earlier version left it: one position per relay name, in the old table,
    and a setup on record without the streams table."""
    with psycopg.connect(database_url, autocommit=True) as admin:
        admin.execute(
            "INSERT INTO ledger_relay_progress SELECT relay_name, position, updated_at"
            " FROM ledger_relay_streams"
        )
        admin.execute("DROP TABLE ledger_relay_streams")
        admin.execute("UPDATE ledger_setup SET fingerprint = 'before streams'")
    set_up(database_url)  # what the next start after the upgrade does


def test_a_store_upgraded_from_one_position_per_name_continues_where_its_records_are(
    settings: Settings, writer: Ledger, database_url: str, relay_of: RelayOf
) -> None:
    topic = create_topics(settings).events
    record_enrollments(writer, 0, 30)
    relay_of(settings, writer, batch_size=20).run(threading.Event(), until_idle=0.3)
    as_before_streams(database_url)
    record_enrollments(writer, 30, 20)

    stats = relay_of(settings, writer, batch_size=20).run(threading.Event(), until_idle=0.3)

    expected = committed_positions(database_url)
    assert stats.published == 20  # the 30 before the upgrade are on the topic already
    reads_to_the_end(settings, topic, expected)
    assert [position for _, _, position in stream_rows(database_url)] == [expected[-1]]


def test_a_store_upgraded_from_one_position_per_name_publishes_an_empty_topic_from_1(
    settings: Settings, writer: Ledger, database_url: str, relay_of: RelayOf
) -> None:
    create_topics(settings)
    record_enrollments(writer, 0, 30)
    relay_of(settings, writer, batch_size=20).run(threading.Event(), until_idle=0.3)
    as_before_streams(database_url)
    elsewhere = replace(settings, topic_prefix=f"other-{settings.topic_prefix}")
    topic = create_topics(elsewhere).events

    stats = relay_of(elsewhere, writer, batch_size=20).run(threading.Event(), until_idle=0.3)

    expected = committed_positions(database_url)
    assert stats.published == 30
    reads_to_the_end(elsewhere, topic, expected)


def test_the_reporting_consumer_counts_records_held_back_when_the_topic_starts_mid_stream(
    settings: Settings, writer: Ledger, database_url: str, relay_of: RelayOf
) -> None:
    assert settings.kafka_bootstrap_servers is not None
    topic = create_topics(settings).events
    record_enrollments(writer, 0, 30)
    relay = relay_of(settings, writer, batch_size=20)
    relay._send(events_after(writer, committed_positions(database_url)[9], 100))  # as before

    _, stats = consume_fund_statement(
        settings.kafka_bootstrap_servers, topic, threading.Event(), until_idle=1.0
    )

    assert (stats.received, stats.applied, stats.position, stats.held_back) == (20, 0, 0, 20)
