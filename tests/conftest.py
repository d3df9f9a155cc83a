"""Shared fixtures: a real PostgreSQL database and a real Kafka-protocol broker per test run.

PostgreSQL: `LEDGER_TEST_DATABASE_URL` names a server to use; without it the embedded server
starts in a temporary folder. Each test gets a fresh database with a random name.
Kafka: Tansu on a free loopback port for the session; each test gets random topic and group
names. With `--apache-kafka`, Apache Kafka from infra/docker-compose.yml (pytest-docker).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from infra.embedded import (
    BrokerProcess,
    start_broker,
    start_postgres,
    stop_postgres,
    stop_process,
    with_database,
)
from infra.settings import Settings
from infra.setup import set_up
from infra.store import Ledger, open_ledger
from tests.seeds import repeat_hint, rng  # noqa: F401 - the fixture `rng`, seeded and logged

ROOT = Path(__file__).resolve().parent.parent


def pytest_report_header() -> str:
    return f"tests draw from {repeat_hint()}"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--apache-kafka",
        action="store_true",
        help="run against Apache Kafka from infra/docker-compose.yml (needs a Docker engine)",
    )


@contextmanager
def embedded_postgres(prefix: str) -> Iterator[tuple[Path, str]]:
    """An embedded PostgreSQL in a folder of its own (its data folder and server URL), stopped
    and removed afterwards. Outside pytest's temporary root: a concurrent pytest session resets
    that root to mode 0700, which locks out the server's own system user, and the server then
    fails under the test."""
    home = Path(tempfile.mkdtemp(prefix=prefix))
    pgdata = home / "pg"
    try:
        yield pgdata, start_postgres(pgdata)
    finally:
        stop_postgres(pgdata)
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    configured = os.environ.get("LEDGER_TEST_DATABASE_URL")
    if configured:
        yield configured
        return
    with embedded_postgres("ledger-pg-") as (_, url):
        yield url


@pytest.fixture(scope="session")
def embedded_server_url(postgres_server_url: str) -> Iterator[str]:
    """The embedded PostgreSQL, which listens on a unix socket only, whatever
    `LEDGER_TEST_DATABASE_URL` says: what `make demo` and a user without a server run on."""
    if not os.environ.get("LEDGER_TEST_DATABASE_URL"):
        yield postgres_server_url  # already the embedded server
        return
    with embedded_postgres("ledger-pg-socket-") as (_, url):
        yield url


def fresh_database(server_url: str) -> Iterator[str]:
    """A new database with a random name on the server, dropped afterwards."""
    name = f"ledger_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield with_database(server_url, name)
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def database_url(postgres_server_url: str) -> Iterator[str]:
    yield from fresh_database(postgres_server_url)


def _docker_engine_answers() -> bool:
    """pytest-docker drives the `docker` CLI; the client exists here, an engine may not."""
    try:
        probe = subprocess.run(["docker", "info"], capture_output=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0


@pytest.fixture(scope="session")
def docker_compose_file() -> str:
    return str(ROOT / "infra" / "docker-compose.yml")


@pytest.fixture(scope="session")
def bootstrap(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    if request.config.getoption("--apache-kafka"):
        if not _docker_engine_answers():
            pytest.skip(
                "no Docker engine answers, so Apache Kafka from the compose file cannot run"
            )
        services = request.getfixturevalue("docker_services")
        services.wait_until_responsive(timeout=120.0, pause=1.0, check=_kafka_answers)
        yield "127.0.0.1:9092"
        return
    broker: BrokerProcess = start_broker(tmp_path_factory.mktemp("tansu") / "tansu.log")
    yield broker.bootstrap
    stop_process(broker.pid)


def _kafka_answers() -> bool:
    from kafka import KafkaAdminClient  # noqa: PLC0415

    try:
        KafkaAdminClient(bootstrap_servers="127.0.0.1:9092").close()
    except Exception:  # noqa: BLE001 - not up yet
        return False
    return True


@pytest.fixture
def settings(database_url: str, bootstrap: str, tmp_path: Path) -> Settings:
    """Settings of one test: its own database, topics and consumer group."""
    return settings_of(database_url, bootstrap, tmp_path)


def settings_of(database_url: str, bootstrap: str, home: Path) -> Settings:
    """Settings with their own topics and consumer group, for a database and a broker."""
    run = uuid.uuid4().hex[:10]
    return Settings(
        database_url=database_url,
        kafka_bootstrap_servers=bootstrap,
        topic_prefix=f"t{run}.",
        home=home / ".ledger",
        consumer_group=f"g{run}",
        topic_partitions=3,
        max_poll_interval_ms=3_000,
    )


@pytest.fixture
def ledger(database_url: str) -> Iterator[Ledger]:
    set_up(database_url)
    with open_ledger(database_url) as store:
        yield store
