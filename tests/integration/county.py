"""Feeding a county year through the real broker and worker, as the scenario tests do."""

from __future__ import annotations

from collections.abc import Iterable

from infra.kafka import make_producer
from infra.settings import Settings
from infra.store import Ledger
from scripts.simulation.feed import Feeder, FeedReport
from scripts.simulation.plan import Planned
from tests.integration.helpers import create_topics


def feed_county(
    settings: Settings, ledger: Ledger, watch: Ledger, planned: Iterable[Planned]
) -> FeedReport:
    """Send the planned messages wave by wave, each wave ingested by `ledger` before the next."""
    create_topics(settings)
    assert settings.kafka_bootstrap_servers is not None
    producer = make_producer(settings.kafka_bootstrap_servers)
    try:
        with Feeder(settings, settings.kafka_bootstrap_servers, ledger, watch, producer) as feeder:
            return feeder.feed(planned)
    finally:
        producer.close()
