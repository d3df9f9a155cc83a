"""The same path against Apache Kafka from infra/docker-compose.yml (`make test-apache-kafka`).

Without `--apache-kafka` the other integration tests use Tansu; with it, the `bootstrap` fixture
starts the compose file through pytest-docker, or skips saying that no Docker engine answers.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from infra.queries import history
from infra.settings import Settings
from infra.store import Ledger, open_ledger
from tests.integration.helpers import create_topics, ingest, send
from tests.integration.ordering import (
    Run,
    facts_of,
    fresh_run,  # noqa: F401 - the fixture
    in_threads,
    interleaved,
    planned,
    publish,
    worker_until_idle,
)
from tests.integration.store_reads import decisions
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


@pytest.mark.apache_kafka
def test_apache_kafka_two_workers_of_a_group_decide_as_one_does(
    request: pytest.FixtureRequest,
    fresh_run: Callable[[str], Run],  # noqa: F811 - the fixture
    rng: random.Random,
) -> None:
    """Issue 13 on Apache Kafka: the tiny county year, topics interleaved, decided by one
    worker and by two of one group (range assignor, co-partitioned topics) gives one ledger."""
    if not request.config.getoption("--apache-kafka"):
        pytest.skip("Apache Kafka runs only with --apache-kafka (make test-apache-kafka)")
    shuffled = interleaved(facts_of(planned()), rng)
    settings, ledger = fresh_run("one-worker")
    publish(settings, shuffled)
    ingest(settings, ledger, until_idle=3.0)
    expected = decisions(ledger)
    settings, ledger = fresh_run("two-workers")
    publish(settings, shuffled)
    with open_ledger(settings.database_url or "") as second:
        in_threads(
            [worker_until_idle(settings, ledger, 8.0), worker_until_idle(settings, second, 8.0)]
        )
    assert decisions(ledger) == expected
