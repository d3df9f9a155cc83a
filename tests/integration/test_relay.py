"""Acceptance 4: a downstream reading `ledger.events` from the start sees every committed event
once, in global order, also when the relay crashed after sending and before recording."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

import psycopg
import pytest

from consumers.relay import Relay
from consumers.relay_broker import RelayBroker
from consumers.reporting import InOrder, LedgerEvent, consume_fund_statement
from infra.settings import Settings
from infra.setup import set_up
from infra.store import WRITER_ROLE, Ledger, open_ledger
from tests.integration.helpers import create_topics, read_topic
from tests.integration.test_immutability import record_enrollments
from tests.integration.workers import cli_env, start_cli, wait_until


@pytest.fixture
def writer(database_url: str) -> Iterator[Ledger]:
    set_up(database_url)
    with open_ledger(database_url, role=WRITER_ROLE) as store:
        yield store


class RelayOf(Protocol):
    def __call__(
        self, settings: Settings, ledger: Ledger, batch_size: int, recheck_s: float = 1.0
    ) -> Relay: ...


@pytest.fixture
def relay_of() -> Iterator[RelayOf]:
    """Builds relays on the settings' broker and topic; closes their clients afterwards."""
    with contextlib.ExitStack() as clients:

        def build(
            settings: Settings, ledger: Ledger, batch_size: int, recheck_s: float = 1.0
        ) -> Relay:
            assert settings.kafka_bootstrap_servers is not None
            broker = clients.enter_context(RelayBroker(settings.kafka_bootstrap_servers))
            topic = f"{settings.topic_prefix}events"
            return Relay(ledger, broker, topic, batch_size=batch_size, recheck_s=recheck_s)

        yield build


def committed_positions(database_url: str) -> list[int]:
    with psycopg.connect(database_url) as conn:
        rows = conn.execute("SELECT notification_id FROM ledger_events ORDER BY 1").fetchall()
    return [int(r[0]) for r in rows]


def test_a_downstream_sees_every_event_once_in_order_across_a_relay_crash(
    settings: Settings, writer: Ledger, database_url: str, relay_of: RelayOf
) -> None:
    topics = create_topics(settings)
    for first in range(0, 300, 50):  # six transactions
        record_enrollments(writer, first, 50)
    first_relay = relay_of(settings, writer, batch_size=40)
    for _ in range(3):
        first_relay.publish_next_batch()
    # A crash between the broker's acknowledgement and the recorded position: sent, not saved.
    with writer.datastore.transaction(commit=False) as curs:
        curs.execute(
            "SELECT e.notification_id AS position, c.previous_position, e.originator_id,"
            " e.originator_version, e.topic, e.state, c.hash FROM ledger_events e"
            " JOIN ledger_chain c ON c.position = e.notification_id"
            " WHERE e.notification_id > %s ORDER BY 1 LIMIT 40",
            (first_relay.position(),),
        )
        first_relay._send(curs.fetchall())
    record_enrollments(writer, 300, 60)  # committed while no relay runs

    restarted = relay_of(settings, writer, batch_size=40)
    stats = restarted.run(threading.Event(), until_idle=0.5)
    expected = committed_positions(database_url)
    assert restarted.position() == expected[-1]
    assert stats.published == len(expected) - 120

    raw = read_topic(settings, topics.events, expected=len(expected) + 40)
    assert len(raw) == len(expected) + 40  # the re-sent batch, and nothing else twice
    order = InOrder()
    seen = [e.position for r in raw for e in order.add(LedgerEvent.from_record(r))]
    assert seen == expected
    assert (order.duplicates, order.waiting) == (40, 0)
    assert {r.key for r in raw} == {dict(r.headers)["ledger-originator-id"] for r in raw}


def test_the_reporting_consumer_reads_the_stream_of_events_without_postings(
    settings: Settings, writer: Ledger, database_url: str, relay_of: RelayOf
) -> None:
    assert settings.kafka_bootstrap_servers is not None
    topics = create_topics(settings)
    record_enrollments(writer, 0, 25)
    relay_of(settings, writer, batch_size=10).run(threading.Event(), until_idle=0.3)
    statement, stats = consume_fund_statement(
        settings.kafka_bootstrap_servers, topics.events, threading.Event(), until_idle=1.0
    )
    assert (stats.applied, stats.position) == (25, committed_positions(database_url)[-1])
    assert (statement.events, statement.monetary_events, statement.as_dict()["funds"]) == (
        25,
        0,
        {},
    )


def relayed_position(database_url: str) -> int:
    with psycopg.connect(database_url) as conn:
        row = conn.execute("SELECT max(position) FROM ledger_relay_streams").fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def test_a_relay_killed_mid_stream_and_restarted_skips_nothing_and_resends_at_most_a_batch(
    settings: Settings, writer: Ledger, database_url: str, tmp_path: Path
) -> None:
    topics = create_topics(settings)
    for first in range(0, 6_000, 500):
        record_enrollments(writer, first, 500)
    expected = committed_positions(database_url)
    env, log_file = cli_env(settings, database_url), tmp_path / "relay.log"
    relay = start_cli(env, "relay", "--json", log=log_file)
    wait_until(lambda: relayed_position(database_url) > 0, 60, "relay progress")
    relay.send_signal(signal.SIGKILL)
    relay.wait(timeout=10)
    killed_at = relayed_position(database_url)
    assert 0 < killed_at < expected[-1], "the kill must land mid-stream"
    again = start_cli(env, "relay", "--until-idle", "1", "--json", log=log_file)
    assert again.wait(timeout=120) == 0, log_file.read_text()

    # Asks for more than can be there (a full re-sent batch beyond), so it reads until quiet.
    raw = read_topic(settings, topics.events, expected=len(expected) + 1_001, timeout_s=8)
    order = InOrder()
    seen = [e.position for r in raw for e in order.add(LedgerEvent.from_record(r))]
    assert seen == expected
    assert order.duplicates == len(raw) - len(expected) <= 1_000  # one relay batch at most
