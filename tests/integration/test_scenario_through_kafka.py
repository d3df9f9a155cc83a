"""The county year at a tiny scale through the real broker, worker and store."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from kafka import KafkaProducer

from infra.settings import Settings
from infra.store import Ledger, open_ledger
from scripts.scenario.config import config_for
from scripts.scenario.county import county_year
from scripts.scenario.feed import Sent, WaveFeeder
from scripts.scenario.outcomes import check_outcomes
from scripts.scenario.plan import ACCEPTED
from scripts.scenario.summary import summarize
from tests.integration.helpers import create_topics


@pytest.fixture
def watch(database_url: str) -> Iterator[Ledger]:
    store = open_ledger(database_url)
    yield store
    store.close()


def test_the_tiny_county_year_meets_every_planned_fate_and_conserves_money(
    settings: Settings, ledger: Ledger, watch: Ledger
) -> None:
    create_topics(settings)
    assert settings.kafka_bootstrap_servers is not None
    producer = KafkaProducer(bootstrap_servers=settings.kafka_bootstrap_servers)
    planned = list(county_year(config_for("tiny", None, seed=11)))
    sent: list[Sent] = []
    try:
        with WaveFeeder(
            settings, settings.kafka_bootstrap_servers, ledger, watch, producer
        ) as feeder:
            report = feeder.feed(planned, on_sent=sent.append)
    finally:
        producer.close()
    check = check_outcomes(watch, sent)
    assert report.published == len(planned)
    assert check.surprises == []
    assert set(check.as_planned) == {p.expect for p in planned}
    assert len({p.expect for p in planned if not p.intended_good}) >= 25
    assert check.as_planned[ACCEPTED] == sum(1 for p in planned if p.expect == ACCEPTED)
    summary = summarize(watch)
    assert summary.postings_total == 0
    assert summary.balances["treasury:430422:fines"] > 0
    assert summary.balances["fund:430422:resident:pooled"] != 0
    assert summary.events_by_type["Doctor.Terminated"] == 1
