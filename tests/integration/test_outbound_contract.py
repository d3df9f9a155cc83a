"""Acceptance 5 of issue 14: a consumer written against docs/schemas/outbound alone
(tests/contract_reader.py imports nothing of the project) reads `ledger.events` after the tiny
county year was recorded and relayed; every record validates against its type's schema, and its
fund totals equal the example reporting consumer's and the store's own."""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from eventsourcing.persistence import StoredEvent

from consumers.ingest import inbound_records
from consumers.relay import Relay
from consumers.relay_broker import RelayBroker
from consumers.reporting import consume_fund_statement
from consumers.topics import Topics
from infra.settings import Settings
from infra.setup import set_up
from infra.store import Ledger, open_ledger
from scripts.simulation.config import config_for
from scripts.simulation.county import county_year
from tests.contract_reader import read_events
from tests.integration.helpers import create_topics

RECORDED_AT = datetime(2020, 6, 1, tzinfo=UTC)
BATCH = 250


@pytest.fixture
def county(database_url: str, settings: Settings) -> Iterator[Ledger]:
    """The tiny county year decided and committed in poll-sized batches, as the worker would."""
    set_up(database_url)
    topics = Topics(settings.topic_prefix)
    offsets: Counter[str] = Counter()
    consumed = []
    for message in county_year(config_for("tiny", None, seed=11)):
        topic = f"{settings.topic_prefix}{message.topic_suffix}"
        consumed.append(SimpleNamespace(topic=topic, partition=0, offset=offsets[topic]))
        consumed[-1].key, consumed[-1].value = message.key.encode(), message.value()
        offsets[topic] += 1
    with open_ledger(database_url) as store:
        for start in range(0, len(consumed), BATCH):
            records = inbound_records(consumed[start : start + BATCH], topics, RECORDED_AT)
            store.commit(store.decide(records, RECORDED_AT, cluster_id="c"))
        yield store


def fund_totals_in_the_store(ledger: Ledger) -> tuple[dict[str, Decimal], dict[str, Decimal]]:
    """Income and spending per fund account, from the stored events decoded the library's way."""
    income: dict[str, Decimal] = defaultdict(Decimal)
    spending: dict[str, Decimal] = defaultdict(Decimal)
    with ledger.datastore.transaction(commit=False) as curs:
        curs.execute("SELECT originator_id, originator_version, topic, state FROM ledger_events")
        rows = curs.fetchall()
    for row in rows:
        stored = StoredEvent(
            row["originator_id"], row["originator_version"], row["topic"], row["state"]
        )
        for posting in getattr(ledger.mapper.to_domain_event(stored), "postings", ()):
            if posting.account.startswith("fund:"):
                side = income if posting.amount > 0 else spending
                side[posting.account] += abs(posting.amount)
    return income, spending


# kafka-python, and librdkafka through confluent-kafka: both read the embedded broker.
@pytest.mark.parametrize("client", ["kafka-python", "librdkafka"])
def test_a_consumer_written_against_the_schemas_alone_reads_the_relayed_county_year(
    county: Ledger, settings: Settings, client: str
) -> None:
    assert settings.kafka_bootstrap_servers is not None
    topic = create_topics(settings).events
    with RelayBroker(settings.kafka_bootstrap_servers) as broker:
        relay = Relay(county, broker, topic, batch_size=500)
        relayed = relay.run(threading.Event(), until_idle=0.3)

    reading = read_events(settings.kafka_bootstrap_servers, topic, client)

    assert reading.invalid == []
    assert [r["position"] for r in reading.applied][-1] == relayed.position
    assert len(reading.applied) == relayed.published > 1000
    assert len({r["type"] for r in reading.applied}) >= 37
    income, spending = fund_totals_in_the_store(county)
    assert (reading.income, reading.spending) == (income, spending)
    assert sum(income.values()) > 0
    statement, _ = consume_fund_statement(
        settings.kafka_bootstrap_servers, topic, threading.Event(), until_idle=1.0
    )
    assert (statement.income, statement.spending) == (income, spending)
