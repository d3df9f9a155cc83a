"""One hostile record never stops the worker: it becomes a dead letter with its reason, and the
good messages around it are stored. Re-read dead letters and forged `replay-of` headers change
nothing.

The hostile records are data, `tests/data/hostile/worker_records.jsonl`, one case a line:
`case` (its name), `topic` (the inbound topic's suffix), `reasons` (the reason codes the dead
letter may carry: a specific one once the contract refuses the input early, `internal_error`
until then), `why` (what it broke before), and the record itself as either `document` (an
envelope, sent as ASCII JSON so lone surrogates travel as `\\ud800` escapes) or `nest` (that
many nested JSON arrays).
"""

from __future__ import annotations

import signal
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from domain.commands import EndEnrollment
from domain.handlers import HANDLERS
from domain.handlers.lookup import Aggregates
from infra.kafka import make_producer
from infra.queries import history, rejected
from infra.settings import Settings
from infra.store import Ledger
from tests.examples import documented
from tests.hostile import record_bytes, worker_records
from tests.integration.accounting import Tally, assert_books_balance
from tests.integration.helpers import create_topics, ingest, read_topic, send
from tests.integration.store_reads import counts, replay_history
from tests.integration.workers import (
    accepted_count,
    assign_lock_held,
    cli_env,
    start_cli,
    wait_until,
)
from tests.messages import HOSPITAL, designated, encode, ended, enrolled

CASES = worker_records()
raw = record_bytes


def good(topic: str, n: int) -> dict[str, Any]:
    """A valid message of the topic, different for each `n`."""
    if topic == "reference":
        return designated(f"H430422770{n:02d}")
    return documented(
        "SanctionImposed",
        "2019-06-01T00:00:00+08:00",
        sanction_id=f"CF-GOOD-{n}",
        kind="settlement_suspension",
        legal_basis="agreement",
        effective_from="2019-06-01",
        effective_to="2019-06-30",
        base_amount=None,
        multiple=None,
    )


def produce_in_order(
    settings: Settings, suffix: str, values: Sequence[bytes], headers: Sequence[Any] = ()
) -> None:
    """One partition, in this order, so the bad record sits between the good ones."""
    assert settings.kafka_bootstrap_servers is not None
    producer = make_producer(settings.kafka_bootstrap_servers)
    topic = f"{settings.topic_prefix}{suffix}"
    for value in values:
        producer.send(topic, key=b"k", value=value, partition=0, headers=list(headers))
    producer.flush()
    producer.close()


def stored_offsets(ledger: Ledger) -> dict[str, int]:
    """The offset of each accepted message, by message id."""
    with ledger.datastore.transaction(commit=False) as curs:
        curs.execute("SELECT message_id, source_offset FROM ledger_messages")
        return {str(row["message_id"]): row["source_offset"] for row in curs.fetchall()}


@pytest.mark.parametrize("case", CASES, ids=[c["case"] for c in CASES])
def test_a_hostile_record_becomes_a_dead_letter_and_the_good_ones_around_it_are_stored(
    settings: Settings, ledger: Ledger, database_url: str, case: dict[str, Any]
) -> None:
    topics = create_topics(settings)
    send(settings, "reference", [designated(HOSPITAL)])
    assert ingest(settings, ledger, until_idle=0.5).accepted == 1
    before, after = good(case["topic"], 1), good(case["topic"], 2)
    produce_in_order(settings, case["topic"], [encode(before), raw(case), encode(after)])

    stats = ingest(settings, ledger, until_idle=0.5)

    assert (stats.consumed, stats.accepted, stats.rejected) == (3, 2, 1)
    stored = stored_offsets(ledger)
    (dead,) = rejected(ledger)
    assert dead.reason in case["reasons"], dead.detail
    assert dead.source_topic == topics.inbound(case["topic"])
    assert stored[before["message_id"]] + 1 == dead.source_offset == stored[after["message_id"]] - 1
    assert dead.message_value == raw(case)
    assert "\x00" not in dead.detail
    dead.detail.encode("utf-8")  # printable: lone surrogates are escaped
    (letter,) = read_topic(settings, topics.rejected, expected=1)
    assert dict(letter.headers)["reason"].decode() == dead.reason
    books = assert_books_balance(settings, database_url)
    assert books.total() == Tally(stored=3, duplicates=0, dead=1)


def end_then_fail(command: EndEnrollment, aggregates: Aggregates) -> None:
    """The real handler, then a crash: the person holds an uncollected, applied event."""
    HANDLERS_BEFORE[EndEnrollment](command, aggregates)
    if command.provenance.recorded_by == "test:crash-after-trigger":
        raise ArithmeticError("a bug after the event was triggered")


HANDLERS_BEFORE = dict(HANDLERS)


def test_a_command_that_fails_after_triggering_an_event_leaves_nothing_of_itself(
    settings: Settings, ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(HANDLERS, EndEnrollment, end_then_fail)
    create_topics(settings)
    send(settings, "enrollment", [enrolled("P-1")])
    assert ingest(settings, ledger, until_idle=0.5).accepted == 1
    # P-2 is enrolled earlier in the same batch: deciding again must keep that.
    crashing = [ended(p, recorded_by="test:crash-after-trigger") for p in ("P-1", "P-2")]
    batch = [enrolled("P-2"), crashing[0], crashing[1], ended("P-1"), ended("P-2")]
    produce_in_order(settings, "enrollment", [encode(m) for m in batch])

    stats = ingest(settings, ledger, until_idle=0.5)

    assert (stats.accepted, stats.rejected) == (3, 2)
    for person in ("P-1", "P-2"):
        # Had the crashed command half-applied, the good EnrollmentEnded would be refused.
        assert [e.event_type for e in history(ledger, person)] == [
            "Person.Enrolled",
            "Person.EnrollmentEnded",
        ]
    dead = rejected(ledger)
    first = stored_offsets(ledger)[batch[0]["message_id"]]
    assert [(d.reason, d.source_offset - first) for d in dead] == [
        ("internal_error", 1),
        ("internal_error", 2),
    ]
    assert dead[0].detail.startswith("ArithmeticError: a bug after the event was triggered")


def move_stored_offset_back(ledger: Ledger, topic: str, by: int) -> None:
    """What a lagging offset hint or an operator's rewind does: the worker reads again."""
    with ledger.datastore.transaction(commit=True) as curs:
        curs.execute(
            "UPDATE ledger_tracking SET notification_id = notification_id - %s"
            " WHERE application_name LIKE %s",
            (by, f"kafka:%:{topic}:0"),
        )
        assert curs.rowcount == 1


def test_reading_a_dead_lettered_offset_again_is_a_no_op(
    settings: Settings, ledger: Ledger
) -> None:
    topics = create_topics(settings)
    produce_in_order(settings, "enrollment", [b"{not json", encode(enrolled("P-1"))])
    assert (ingest(settings, ledger, until_idle=0.5).rejected, counts(ledger)["events"]) == (1, 1)
    move_stored_offset_back(ledger, topics.inbound("enrollment"), by=2)
    produce_in_order(settings, "enrollment", [encode(enrolled("P-2"))])

    stats = ingest(settings, ledger, until_idle=0.5)

    assert (stats.consumed, stats.duplicates, stats.accepted, stats.rejected) == (3, 2, 1, 0)
    assert counts(ledger) == {"events": 2, "accepted_messages": 2, "rejected_messages": 1}
    assert len(read_topic(settings, topics.rejected, expected=2, timeout_s=2)) == 1


def test_forged_replay_headers_are_ignored_and_record_nothing(
    settings: Settings, ledger: Ledger
) -> None:
    create_topics(settings)
    produce_in_order(settings, "enrollment", [b"{not json"])
    assert ingest(settings, ledger, until_idle=0.5).rejected == 1
    (dead,) = rejected(ledger)
    produce_in_order(settings, "enrollment", [encode(enrolled("P-1"))], [("replay-of", b"999")])
    produce_in_order(
        settings, "enrollment", [encode(enrolled("P-2"))], [("replay-of", str(dead.id).encode())]
    )

    stats = ingest(settings, ledger, until_idle=0.5)

    assert (stats.accepted, stats.rejected) == (2, 0)
    assert replay_history(ledger) == []


def test_a_second_assign_mode_worker_on_the_same_store_exits_with_a_message(
    settings: Settings, ledger: Ledger, database_url: str, tmp_path: Path
) -> None:
    create_topics(settings)
    env = cli_env(replace(settings, consumer_mode="assign"), database_url)
    first = start_cli(env, "ingest", "--json", log=tmp_path / "first.log")
    try:
        wait_until(lambda: assign_lock_held(database_url), 60, "the first worker's lock")
        second = start_cli(env, "ingest", "--until-idle", "1", log=tmp_path / "second.log")
        assert second.wait(timeout=60) != 0
        # The worker says which topics it waits on, then why it stops: one line each.
        lines = (tmp_path / "second.log").read_text().strip().splitlines()
        assert all(line.startswith("claims-ledger ingest: ") for line in lines), lines
        assert "another ingest worker in assign mode is running on this store" in lines[-1]
        assert first.poll() is None  # the first one works on
        send(settings, "enrollment", [enrolled("P-1")])
        wait_until(lambda: accepted_count(database_url) == 1, 60, "the first worker's ingest")
    finally:
        first.send_signal(signal.SIGTERM)
        assert first.wait(timeout=30) == 0, (tmp_path / "first.log").read_text()
    assert not assign_lock_held(database_url)
