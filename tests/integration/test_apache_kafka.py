"""The same path against Apache Kafka from infra/docker-compose.yml (`make test-apache-kafka`).

Without `--apache-kafka` the other integration tests use Tansu; with it, the `bootstrap` fixture
starts the compose file through pytest-docker, or skips saying that no Docker engine answers.
"""

from __future__ import annotations

import pytest

from infra.queries import history
from infra.settings import Settings
from infra.store import Ledger
from tests.integration.helpers import create_topics, ingest, send
from tests.messages import designated, enrolled


@pytest.mark.apache_kafka
def test_apache_kafka_carries_messages_into_the_store(
    request: pytest.FixtureRequest, settings: Settings, ledger: Ledger
) -> None:
    if not request.config.getoption("--apache-kafka"):
        pytest.skip("Apache Kafka runs only with --apache-kafka (make test-apache-kafka)")
    create_topics(settings)
    send(settings, "reference", [designated()])
    send(settings, "enrollment", [enrolled("AK-1")])
    stats = ingest(settings, ledger, until_idle=3.0)
    assert stats.accepted == 2
    assert [e.event_type for e in history(ledger, "AK-1")] == ["Person.Enrolled"]
