"""Resolve where PostgreSQL and Kafka are: from the environment, or embedded under `.ledger/`."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
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
    with_database,
)
from infra.kafka import ensure_topics
from infra.settings import Settings
from infra.setup import NotSetUpError, require_set_up, set_up

EMBEDDED_DATABASE = "ledger"


@dataclass(frozen=True)
class Endpoints:
    """Addresses of the services a command talks to."""

    database_url: str
    bootstrap: str
    embedded_database: bool
    embedded_broker: bool


@contextmanager
def _embedded_lock(home: Path) -> Iterator[None]:
    """Held while embedded services start: commands started together on one home start each
    service once and never lose each other's `services.json` updates."""
    home.mkdir(parents=True, exist_ok=True)
    with (home / "services.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        yield


def _database_url(settings: Settings, *, create: bool) -> str:
    """The store's URL, starting the embedded PostgreSQL if none is configured (and creating
    its database if `create`)."""
    if settings.database_url:
        return settings.database_url
    home = settings.home
    pgdata = (home / "pg").resolve()
    if not create and not pgdata.exists():
        raise NotSetUpError(f"no embedded PostgreSQL under {home}")
    with _embedded_lock(home):
        server_url = start_postgres(pgdata)
        if not create:
            return with_database(server_url, EMBEDDED_DATABASE)
        database_url = ensure_database(server_url, EMBEDDED_DATABASE)
        state = ServicesFile.load(home)
        state.database_url, state.pgdata = database_url, str(pgdata)
        state.save(home)
    return database_url


def store_url(settings: Settings) -> str:
    """The store's URL, its tables, triggers and roles set up (under the setup lock).

    `up`, the long-running commands and read-model maintenance use this; it needs no broker.
    """
    database_url = _database_url(settings, create=True)
    set_up(database_url)
    return database_url


def reader_url(settings: Settings) -> str:
    """The URL of a store set up before, for the read-only commands (queries, history,
    rejected, digest, verify): no DDL, so they start in parallel with anything. Raises
    `NotSetUpError` when nothing was set up; works without a broker, e.g. for an auditor."""
    database_url = _database_url(settings, create=False)
    require_set_up(database_url)
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
        with _embedded_lock(home):
            state = ServicesFile.load(home)
            if not pid_alive(state.broker_pid) or state.broker_port is None:
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
