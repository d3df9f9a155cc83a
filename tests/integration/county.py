"""Feeding a county year through the real broker and worker, as the scenario tests do."""

from __future__ import annotations

from collections.abc import Iterable

from infra.kafka import make_producer
from infra.settings import Settings
from infra.store import Ledger
from scripts.simulation.feed import Feeder, FeedReport
from scripts.simulation.feed_mode import FeedOptions
from scripts.simulation.plan import Planned
from tests.integration.helpers import create_topics


def feed_county(
    settings: Settings,
    ledger: Ledger,
    watch: Ledger,
    planned: Iterable[Planned],
    options: FeedOptions | None = None,
) -> FeedReport:
    """Send the planned messages as the demo does (the default feed of
    scripts/simulation/feed_mode.py, or `options`), ingested by `ledger`."""
    create_topics(settings)
    assert settings.kafka_bootstrap_servers is not None
    producer = make_producer(settings.kafka_bootstrap_servers)
    try:
        bootstrap = settings.kafka_bootstrap_servers
        with Feeder(settings, bootstrap, ledger, watch, producer, options=options) as feeder:
            return feeder.feed(planned)
    finally:
        producer.close()
