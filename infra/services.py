"""Resolve where PostgreSQL and Kafka are: from the environment, or embedded under `.ledger/`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from consumers.topics import Topics
from infra.embedded import (
    ServicesFile,
    ensure_database,
    pid_alive,
    start_broker,
    start_postgres,
    stop_postgres,
    stop_process,
)
from infra.kafka import ensure_topics
from infra.settings import Settings
from infra.store import open_ledger

EMBEDDED_DATABASE = "ledger"


@dataclass(frozen=True)
class Endpoints:
    """Addresses of the services a command talks to."""

    database_url: str
    bootstrap: str
    embedded_database: bool
    embedded_broker: bool


def store_url(settings: Settings) -> str:
    """The store's URL, starting the embedded PostgreSQL if none is configured; tables created.

    Commands that only read the store (queries, history, digest, verify) use this, so they work
    without a broker, e.g. for an auditor given only database access.
    """
    if settings.database_url:
        database_url = settings.database_url
    else:
        home = settings.home
        state = ServicesFile.load(home)
        pgdata = (home / "pg").resolve()
        database_url = ensure_database(start_postgres(pgdata), EMBEDDED_DATABASE)
        state.database_url, state.pgdata = database_url, str(pgdata)
        state.save(home)
    open_ledger(database_url).close()
    return database_url


def up(settings: Settings) -> Endpoints:
    """Start whatever embedded service is needed and not running; create topics and tables.

    Idempotent: every command that talks to Kafka calls it, so `claims-ledger up` is optional.
    """
    database_url = store_url(settings)
    home = settings.home
    if settings.kafka_bootstrap_servers:
        bootstrap = settings.kafka_bootstrap_servers
    else:
        state = ServicesFile.load(home)
        if not pid_alive(state.broker_pid) or state.broker_port is None:
            home.mkdir(parents=True, exist_ok=True)
            broker = start_broker(home / "tansu.log")
            state.broker_pid, state.broker_port = broker.pid, broker.port
            state.save(home)
        bootstrap = f"127.0.0.1:{state.broker_port}"
    topics = Topics(settings.topic_prefix)
    ensure_topics(
        bootstrap, [*topics.all_inbound, topics.rejected, topics.events], settings.topic_partitions
    )
    return Endpoints(
        database_url,
        bootstrap,
        embedded_database=not settings.database_url,
        embedded_broker=not settings.kafka_bootstrap_servers,
    )


def down(settings: Settings) -> list[str]:
    """Stop the embedded services; PostgreSQL's data stays in `.ledger/pg`."""
    home = settings.home
    state = ServicesFile.load(home)
    stopped = []
    if state.broker_pid and pid_alive(state.broker_pid):
        stop_process(state.broker_pid)
        stopped.append(f"broker (pid {state.broker_pid}); its topics are gone, it kept no data")
    if stop_postgres((home / "pg").resolve()):
        stopped.append(f"PostgreSQL (data kept in {home / 'pg'})")
    state.broker_pid = state.broker_port = None
    if home.exists():
        state.save(home)
    return stopped


def status(settings: Settings) -> dict[str, Any]:
    """What runs where, without starting anything."""
    state = ServicesFile.load(settings.home)
    pg_running = (settings.home / "pg" / "postmaster.pid").exists()
    return {
        "database": settings.database_url
        or (state.database_url if pg_running else "embedded, not running"),
        "kafka": settings.kafka_bootstrap_servers
        or (
            f"127.0.0.1:{state.broker_port} (tansu pid {state.broker_pid})"
            if pid_alive(state.broker_pid)
            else "embedded, not running"
        ),
        "topic_prefix": settings.topic_prefix,
        "home": str(settings.home.resolve()),
    }
