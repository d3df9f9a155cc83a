"""A fresh database and a fresh broker for one benchmark run, removed afterwards.

The database lives on the configured server (LEDGER_DATABASE_URL) or on the embedded one; the
broker is always a new embedded Tansu, so no earlier topic or consumer group is in the way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from consumers.topics import Topics
from infra.embedded import (
    drop_database,
    ensure_database,
    start_broker,
    start_postgres,
    stop_process,
)
from infra.kafka import ensure_topics
from infra.settings import Settings
from infra.setup import set_up

TOPIC_PREFIX = "bench."
PARTITIONS = 3


@dataclass(frozen=True)
class BenchServices:
    """Where this run's store and broker are."""

    server_url: str
    database_name: str
    database_url: str
    bootstrap: str
    broker_pid: int


def start(settings: Settings, partitions: int = PARTITIONS) -> BenchServices:
    """Create the run's database (with the ledger's tables and guarantees) and start a broker
    whose topics have `partitions` partitions each."""
    server_url = settings.database_url or start_postgres((settings.home / "pg").resolve())
    name = f"ledger_bench_{datetime.now(UTC):%Y%m%d_%H%M%S}"
    database_url = ensure_database(server_url, name)
    set_up(database_url)
    settings.home.mkdir(parents=True, exist_ok=True)
    broker = start_broker(settings.home / "bench-tansu.log")
    bootstrap = f"127.0.0.1:{broker.port}"
    topics = Topics(TOPIC_PREFIX)
    ensure_topics(bootstrap, [*topics.all_inbound, topics.rejected, topics.events], partitions)
    return BenchServices(server_url, name, database_url, bootstrap, broker.pid)


def stop(services: BenchServices, *, keep_database: bool) -> None:
    """Stop the broker (it keeps nothing) and drop the database unless asked to keep it."""
    stop_process(services.broker_pid)
    if keep_database:
        return
    drop_database(services.server_url, services.database_name)
