"""The broker goes away under a running worker: the worker backs off and gives up after the
outage limit with one line, stops within seconds on SIGTERM, and, on the embedded broker,
follows the broker to the port it came back on.

Each test runs its own Tansu, since it kills it. kafka-python does not raise from `poll()` on
a dead broker, it returns nothing, so before these the worker took the outage for an idle topic:
no backoff, no give-up, a SIGTERM that could hang in `producer.close()`."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from consumers.broker import close_producer
from consumers.topics import Topics
from infra.embedded import BrokerProcess, ServicesFile, start_broker, stop_process
from infra.kafka import ensure_topics, make_producer
from infra.settings import Settings
from infra.store import Ledger
from tests.integration.workers import accepted_count, cli_env, produce, start_cli, wait_until
from tests.messages import enrolled

GIVE_UP_S = 4
SIGTERM_EXIT_S = 5.0  # SIGTERM's grace (scripts/cli/signals.py); a hang would exceed it


@pytest.fixture
def brokers(tmp_path: Path) -> Iterator[list[BrokerProcess]]:
    """Brokers the test starts; whichever still runs is stopped at the end."""
    started: list[BrokerProcess] = []
    yield started
    for broker in started:
        stop_process(broker.pid)


def own_broker(settings: Settings, brokers: list[BrokerProcess], log: Path) -> BrokerProcess:
    broker = start_broker(log)
    brokers.append(broker)
    topics = Topics(settings.topic_prefix)
    ensure_topics(broker.bootstrap, [*topics.all_inbound, topics.rejected], 1)
    return broker


@dataclass
class Running:
    """A worker on a broker of the test's own, that has stored one message; in each
    consumer mode, since a group's worker also loses its coordinator."""

    settings: Settings
    broker: BrokerProcess
    worker: subprocess.Popen[bytes]
    log: Path


@pytest.fixture(params=["assign", "group"])
def running(
    request: pytest.FixtureRequest,
    settings: Settings,
    ledger: Ledger,
    database_url: str,
    tmp_path: Path,
    brokers: list[BrokerProcess],
) -> Iterator[Running]:
    broker = own_broker(settings, brokers, tmp_path / "tansu.log")
    settings = replace(
        settings, kafka_bootstrap_servers=broker.bootstrap, consumer_mode=request.param
    )
    env = {**cli_env(settings, database_url), "LEDGER_OUTAGE_GIVE_UP_S": str(GIVE_UP_S)}
    log = tmp_path / "worker.log"
    worker = start_cli(env, "ingest", "--json", log=log)
    try:
        ingested(settings, database_url, "P-1", expected=1)
        yield Running(settings, broker, worker, log)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(timeout=30)


def ingested(settings: Settings, database_url: str, person: str, expected: int) -> None:
    produce(settings, f"{settings.topic_prefix}enrollment", [enrolled(person)])
    wait_until(lambda: accepted_count(database_url) == expected, 60, f"{person} stored")


def frozen(broker: BrokerProcess) -> None:
    """A broker that accepts connections and never answers, like one behind a partition."""
    os.kill(broker.pid, signal.SIGSTOP)


def killed(broker: BrokerProcess) -> None:
    stop_process(broker.pid)


@pytest.mark.parametrize("outage", [killed, frozen])
def test_a_broker_outage_longer_than_the_limit_exits_non_zero_with_one_line(
    running: Running, outage: Callable[[BrokerProcess], None]
) -> None:
    outage(running.broker)
    started = time.monotonic()
    try:
        code = running.worker.wait(timeout=60)
    finally:
        with contextlib.suppress(ProcessLookupError):  # a killed one is gone
            os.kill(running.broker.pid, signal.SIGCONT)  # so that the fixture can stop it
    took = time.monotonic() - started

    text = running.log.read_text()
    assert code == 4, text
    last = text.strip().splitlines()[-1]
    assert last.startswith("claims-ledger ingest: the Kafka broker: still failing after"), last
    assert "Traceback" not in text
    assert "recovered after" not in text  # an empty poll is not a recovery
    # The limit counts from the first failure the probe sees, a probe's second after the kill.
    assert GIVE_UP_S <= took < GIVE_UP_S + 15, took
    print(f"gave up {took:.1f} s after the broker was {outage.__name__}")  # noqa: T201


def test_sigterm_stops_a_worker_whose_broker_is_dead_within_seconds(running: Running) -> None:
    stop_process(running.broker.pid)
    wait_until(lambda: "the Kafka broker failed" in running.log.read_text(), 30, "a failure")
    running.worker.send_signal(signal.SIGTERM)
    sent = time.monotonic()
    code = running.worker.wait(timeout=30)
    took = time.monotonic() - sent

    assert code == 0, running.log.read_text()
    assert took < SIGTERM_EXIT_S, took
    print(f"exited {took:.1f} s after SIGTERM")  # noqa: T201


def test_a_worker_on_the_embedded_broker_follows_it_to_its_new_port(
    settings: Settings,
    ledger: Ledger,
    database_url: str,
    tmp_path: Path,
    brokers: list[BrokerProcess],
) -> None:
    home = tmp_path / ".ledger"
    first = own_broker(settings, brokers, tmp_path / "first.log")
    ServicesFile(broker_pid=first.pid, broker_port=first.port).save(home)
    settings = replace(settings, kafka_bootstrap_servers=first.bootstrap, home=home)
    env = cli_env(replace(settings, consumer_mode="assign"), database_url)
    del env["KAFKA_BOOTSTRAP_SERVERS"]  # the embedded broker: its address is in services.json
    log = tmp_path / "worker.log"
    worker = start_cli(env, "ingest", "--json", log=log)
    try:
        ingested(settings, database_url, "P-1", expected=1)
        stop_process(first.pid)
        # A services.json caught half-written is read again at the next failure.
        (home / "services.json").write_text('{"broker_port": ')
        wait_until(lambda: "(attempt 2," in log.read_text(), 30, "two broker failures")
        # What `claims-ledger up` does: a new, empty broker, its port in services.json, then
        # its topics; a worker that reconnects in between finds none and tries again.
        second = start_broker(tmp_path / "second.log")
        brokers.append(second)
        ServicesFile(broker_pid=second.pid, broker_port=second.port).save(home)
        wait_until(lambda: "no partitions known" in log.read_text(), 60, "a reconnect too early")
        settings = replace(settings, kafka_bootstrap_servers=second.bootstrap)
        topics = Topics(settings.topic_prefix)
        ensure_topics(second.bootstrap, [*topics.all_inbound, topics.rejected], 1)
        ingested(settings, database_url, "P-2", expected=2)
        assert worker.poll() is None, log.read_text()
    finally:
        worker.send_signal(signal.SIGTERM)
        code = worker.wait(timeout=30)
    text = log.read_text()
    assert code == 0, text
    assert f"moved from {first.bootstrap} to {second.bootstrap}" in text
    assert "recovered after" in text


def test_a_producer_with_a_record_the_dead_broker_never_acknowledged_closes_in_bounded_time(
    settings: Settings, tmp_path: Path, brokers: list[BrokerProcess]
) -> None:
    broker = own_broker(settings, brokers, tmp_path / "tansu.log")
    producer = make_producer(broker.bootstrap)
    topic = f"{settings.topic_prefix}rejected"
    producer.send(topic, value=b"acknowledged").get(timeout=30)
    stop_process(broker.pid)
    pending = producer.send(topic, value=b"never acknowledged")

    started = time.monotonic()
    close_producer(producer, timeout_s=1.0)
    took = time.monotonic() - started

    assert took < 3.0, took
    assert pending.is_done
    assert pending.failed()  # failed, not left waiting: the batch it belongs to is read again
    assert not producer._sender.is_alive()
