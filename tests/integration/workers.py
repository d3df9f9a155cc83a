"""The worker as operations run it: `python -m scripts.cli ingest` in its own process."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import psycopg

from infra.settings import Settings
from infra.worker_lock import lock_holder
from tests.messages import designated, encode, enrolled

ROOT = Path(__file__).resolve().parents[2]


def cli_env(settings: Settings, database_url: str) -> dict[str, str]:
    """The environment that points the CLI at the test's database, broker, topics and group."""
    assert settings.kafka_bootstrap_servers is not None
    return {
        **os.environ,
        "LEDGER_DATABASE_URL": database_url,
        "KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
        "LEDGER_TOPIC_PREFIX": settings.topic_prefix,
        "LEDGER_CONSUMER_GROUP": settings.consumer_group,
        "LEDGER_CONSUMER_MODE": settings.consumer_mode,
        "LEDGER_MAX_POLL_INTERVAL_MS": str(settings.max_poll_interval_ms),
        "LEDGER_HOME": str(settings.home),
        "LEDGER_LOG_LEVEL": "WARNING",
    }


def start_cli(env: dict[str, str], *args: str, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "scripts.cli", *args],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def accepted_count(database_url: str) -> int:
    with psycopg.connect(database_url, autocommit=True) as conn:
        row = conn.execute("SELECT count(*) FROM ledger_messages").fetchone()
    return int(row[0]) if row else 0


def wait_until(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} did not happen within {timeout_s}s")
        time.sleep(0.05)


def waits_showing(log_file: Path) -> Callable[[Callable[[], bool], float, str], None]:
    """`wait_until` that shows the worker's log when the wait times out."""

    def wait(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
        try:
            wait_until(condition, timeout_s, what)
        except TimeoutError as error:
            raise AssertionError(f"{error}; the worker logged:\n{log_file.read_text()}") from error

    return wait


def produce(settings: Settings, topic: str, documents: Sequence[dict[str, Any]]) -> None:
    """Publish fast: keyed by entity, batched by the producer."""
    from kafka import KafkaProducer  # noqa: PLC0415

    producer = KafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap_servers, acks="all", linger_ms=20
    )
    for d in documents:
        entity = d["payload"].get("person_id") or d["payload"].get("code")
        producer.send(topic, key=str(entity).encode(), value=encode(d))
    producer.flush()
    producer.close()


def hospitals(count: int) -> list[dict[str, Any]]:
    return [designated(f"H430422{i:05d}") for i in range(count)]


def enrollments(count: int, institutions: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Enrollments; every third one cites one of the institutions as primary institution."""
    return [
        enrolled(
            f"P{i:07d}",
            primary_institution=(
                institutions[i % len(institutions)]["payload"]["code"] if i % 3 == 0 else None
            ),
        )
        for i in range(count)
    ]


def assign_lock_held(database_url: str) -> bool:
    """Whether an assign-mode worker holds the store's lock."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        return lock_holder(conn) is not None
