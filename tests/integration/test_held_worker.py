"""Held messages through the real broker and worker: kept across a killed worker, listed by
`claims-ledger held`, and sent to the rejected topic once past the hold limit."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from infra.held_reads import held_messages
from infra.queries import history, rejected
from infra.settings import Settings
from infra.store import Ledger
from tests.examples import documented
from tests.integration.helpers import create_topics, ingest, read_topic, send
from tests.integration.test_held import CLAIM, PERSON, enrolled, settled
from tests.integration.workers import ROOT, accepted_count, cli_env, start_cli, waits_showing
from tests.messages import designated


def held_count(database_url: str) -> int:
    with psycopg.connect(database_url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM ledger_held h WHERE NOT EXISTS"
            " (SELECT 1 FROM ledger_held_releases r WHERE r.held_id = h.id)"
        ).fetchone()
    return int(row[0]) if row else 0


@contextmanager
def worker_running(env: dict[str, str], log: Path) -> Iterator[None]:
    """`claims-ledger ingest` in its own process, killed (SIGKILL) when the block ends."""
    worker = start_cli(env, "ingest", log=log)
    try:
        yield
    finally:
        worker.kill()
        worker.wait(timeout=30)


def cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "scripts.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=120,
        check=True,
    )
    return done.stdout.decode()


def test_a_killed_worker_neither_loses_nor_twice_decides_a_held_settlement(
    settings: Settings, ledger: Ledger, database_url: str, tmp_path: Path
) -> None:
    create_topics(settings)
    env = cli_env(settings, database_url)
    log = tmp_path / "worker.log"
    wait = waits_showing(log)
    send(
        settings,
        "reference",
        [documented("PolicyPublished"), designated(occurred_at="2019-01-01T00:00:00+08:00")],
    )
    send(settings, "claims", [settled()])
    # Killed between batches: the held row and the offsets past it are committed.
    with worker_running(env, log):
        wait(lambda: held_count(database_url) == 1, 60, "the settlement held")
        wait(lambda: accepted_count(database_url) == 2, 60, "the reference accepted")

    table = cli(env, "held")
    assert "waits for" in table.splitlines()[0]
    assert f"person {PERSON}" in table
    [listed] = json.loads(cli(env, "held", "--json"))
    assert (listed["message_type"], listed["awaits"], listed["reason"]) == (
        "ClaimSettled",
        f"person:{PERSON}",
        "unknown_reference",
    )

    send(settings, "enrollment", [enrolled()])
    with worker_running(env, log):
        wait(lambda: accepted_count(database_url) == 4, 60, "the enrollment and settlement")
        wait(lambda: held_count(database_url) == 0, 60, "the settlement released")
    assert [e.event_type for e in history(ledger, f"claim:{CLAIM}")] == ["Claim.Settled"]
    assert rejected(ledger) == []
    assert cli(env, "held").strip() == "no held messages"


def test_past_the_count_limit_the_oldest_held_message_goes_to_the_rejected_topic(
    settings: Settings, ledger: Ledger
) -> None:
    topics = create_topics(settings)
    send(settings, "reference", [documented("PolicyPublished"), designated()])
    send(settings, "claims", [settled("JS-1", person_id="P-A"), settled("JS-2", person_id="P-B")])
    stats = ingest(dataclasses.replace(settings, hold_max_messages=1), ledger)
    assert (stats.accepted, stats.rejected) == (2, 1)
    [dead] = rejected(ledger)
    assert dead.reason == "unknown_reference"
    [letter] = read_topic(settings, topics.rejected, expected=1)
    assert dict(letter.headers)["reason"] == b"unknown_reference"
    # The two are keyed to different partitions, whose fetch order decides which is older.
    [still] = [h.awaits for h in held_messages(ledger)]
    expired = "P-B" if still == "person:P-A" else "P-A"
    assert still in ("person:P-A", "person:P-B")
    assert f"waiting for person {expired}" in dead.detail
