"""History cannot be changed through the ledger's role, nor by anyone while the trigger is on;
whoever switches the trigger off and edits anyway is named by `verify`."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import psycopg
import pytest
from eventsourcing.persistence import PersistenceError

from consumers.ingest import inbound_records
from consumers.topics import Topics
from infra.chain import GENESIS, link
from infra.setup import set_up
from infra.store import READER_ROLE, WRITER_ROLE, Ledger, open_ledger
from infra.verify import digest, verify
from tests.messages import encode, enrolled

NOW = datetime(2020, 1, 15, tzinfo=UTC)


def record_enrollments(ledger: Ledger, first: int, count: int, partition: int = 0) -> None:
    """Decide and commit `count` enrollments in one batch, as the worker would."""
    consumed = [
        SimpleNamespace(
            topic="ledger.enrollment",
            partition=partition,
            offset=offset,
            key=b"k",
            value=encode(enrolled(f"P{partition}-{offset}")),
        )
        for offset in range(first, first + count)
    ]
    records = inbound_records(consumed, Topics("ledger."), NOW)
    ledger.commit(ledger.decide(records, NOW, cluster_id="c"))


@pytest.fixture
def writer(database_url: str) -> Iterator[Ledger]:
    set_up(database_url)
    with open_ledger(database_url, role=WRITER_ROLE) as store:
        yield store


@pytest.fixture
def superuser(database_url: str) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    with psycopg.connect(database_url, autocommit=True) as conn:
        yield conn


def positions(conn: psycopg.Connection[tuple[object, ...]]) -> list[int]:
    rows = conn.execute("SELECT notification_id FROM ledger_events ORDER BY 1").fetchall()
    return [int(str(r[0])) for r in rows]


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE ledger_events SET state = state",
        "DELETE FROM ledger_events",
        "TRUNCATE ledger_events",
        "UPDATE ledger_chain SET hash = hash",
        "DELETE FROM ledger_chain",
        "DELETE FROM ledger_messages",
        "TRUNCATE ledger_messages",
    ],
)
def test_the_ledger_role_can_append_but_not_change_history(
    database_url: str, writer: Ledger, statement: str
) -> None:
    record_enrollments(writer, 0, 3)
    with pytest.raises(PersistenceError, match="permission denied"):  # noqa: SIM117
        with writer.datastore.transaction(commit=True) as curs:
            curs.execute(statement.encode())
    assert verify(database_url).checked == 3


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE ledger_events SET state = state",
        "DELETE FROM ledger_events",
        "TRUNCATE ledger_events",
        "TRUNCATE ledger_chain",
        "TRUNCATE rejected_messages CASCADE",
    ],
)
def test_even_a_superuser_is_refused_while_the_trigger_is_on(
    ledger: Ledger, superuser: psycopg.Connection[tuple[object, ...]], statement: str
) -> None:
    record_enrollments(ledger, 0, 2)
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
        superuser.execute(statement.encode())


def test_the_reader_role_can_read_but_not_write(database_url: str, ledger: Ledger) -> None:
    record_enrollments(ledger, 0, 2)
    options = f"-c role={READER_ROLE}"
    with psycopg.connect(database_url, autocommit=True, options=options) as reader:
        assert reader.execute("SELECT count(*) FROM ledger_events").fetchone() == (2,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            reader.execute("INSERT INTO ledger_chain VALUES (99, 98, %s)", (bytes(32),))
    assert verify(database_url, role=READER_ROLE).ok


def tamper(conn: psycopg.Connection[tuple[object, ...]], *statements: str) -> None:
    """What an administrator can still do: switch the triggers off, edit, switch them on."""
    with conn.transaction():
        conn.execute("ALTER TABLE ledger_events DISABLE TRIGGER USER")
        conn.execute("ALTER TABLE ledger_chain DISABLE TRIGGER USER")
        for statement in statements:
            conn.execute(statement.encode())
        conn.execute("ALTER TABLE ledger_events ENABLE TRIGGER USER")
        conn.execute("ALTER TABLE ledger_chain ENABLE TRIGGER USER")


Tampering = Callable[[list[int]], tuple[list[str], int]]

TAMPERINGS: dict[str, Tampering] = {
    "edited state": lambda p: (
        [
            "UPDATE ledger_events SET state = convert_to(replace(convert_from(state, 'UTF8'),"
            " 'adult', 'elderly'), 'UTF8')"
            f" WHERE notification_id = {p[4]}"
        ],
        p[4],
    ),
    "edited version": lambda p: (
        [f"UPDATE ledger_events SET originator_version = 7 WHERE notification_id = {p[6]}"],
        p[6],
    ),
    "deleted event": lambda p: (
        [f"DELETE FROM ledger_events WHERE notification_id = {p[3]}"],
        p[3],
    ),
    "deleted event and chain entry": lambda p: (
        [
            f"DELETE FROM ledger_events WHERE notification_id = {p[3]}",
            f"DELETE FROM ledger_chain WHERE position = {p[3]}",
        ],
        p[3],
    ),
    "reordered": lambda p: (
        [
            f"UPDATE ledger_events SET notification_id = -1 WHERE notification_id = {p[2]}",
            f"UPDATE ledger_events SET notification_id = {p[2]} WHERE notification_id = {p[5]}",
            f"UPDATE ledger_events SET notification_id = {p[5]} WHERE notification_id = -1",
        ],
        p[2],
    ),
    "inserted at the end": lambda p: (
        [
            "INSERT INTO ledger_events (notification_id, originator_id, originator_version,"
            f" topic, state) SELECT {p[-1] + 1}, originator_id, 99, topic, state"
            f" FROM ledger_events WHERE notification_id = {p[1]}"
        ],
        p[-1] + 1,
    ),
    "removed from the tail": lambda p: (
        [
            f"DELETE FROM ledger_events WHERE notification_id = {p[-1]}",
            f"DELETE FROM ledger_chain WHERE position = {p[-1]}",
        ],
        p[-1],  # found only against a digest taken before (the test passes one)
    ),
}


@pytest.mark.parametrize("how", list(TAMPERINGS))
def test_verify_names_the_first_position_an_administrator_tampered_with(
    database_url: str,
    ledger: Ledger,
    superuser: psycopg.Connection[tuple[object, ...]],
    how: str,
) -> None:
    record_enrollments(ledger, 0, 5)
    record_enrollments(ledger, 5, 5)
    before = digest(database_url)
    assert verify(database_url, since=before).ok
    statements, first_bad = TAMPERINGS[how](positions(superuser))
    tamper(superuser, *statements)
    verdict = verify(database_url, since=before)
    assert (verdict.ok, verdict.bad_position) == (False, first_bad), verdict.problem


def test_a_log_rewritten_with_a_consistent_chain_fails_only_against_an_earlier_digest(
    database_url: str, ledger: Ledger, superuser: psycopg.Connection[tuple[object, ...]]
) -> None:
    record_enrollments(ledger, 0, 4)
    kept_by_the_auditor = digest(database_url)
    p = positions(superuser)
    tamper(
        superuser,
        "UPDATE ledger_events SET state = convert_to(replace(convert_from(state, 'UTF8'),"
        " 'adult', 'elderly'), 'UTF8')"
        f" WHERE notification_id = {p[1]}",
        "DELETE FROM ledger_chain",
    )
    rechain(superuser)
    assert verify(database_url).ok  # the chain alone cannot tell
    verdict = verify(database_url, since=kept_by_the_auditor)
    assert (verdict.ok, verdict.bad_position) == (False, p[-1])


def rechain(conn: psycopg.Connection[tuple[object, ...]]) -> None:
    """A thorough forger recomputes every hash after the edit."""
    rows: list[Any] = conn.execute(
        "SELECT notification_id, originator_id, originator_version, topic, state"
        " FROM ledger_events ORDER BY notification_id"
    ).fetchall()
    previous, previous_position = GENESIS, 0
    with conn.transaction():
        conn.execute("ALTER TABLE ledger_chain DISABLE TRIGGER USER")
        for position, originator, version, topic, state in rows:
            entry = link(previous, position, originator, version, topic, bytes(state))
            conn.execute(
                "INSERT INTO ledger_chain VALUES (%s, %s, %s)", (position, previous_position, entry)
            )
            previous, previous_position = entry, position
        conn.execute("ALTER TABLE ledger_chain ENABLE TRIGGER USER")


def test_a_digest_taken_before_new_events_still_verifies_as_a_prefix(
    database_url: str, writer: Ledger
) -> None:
    record_enrollments(writer, 0, 3)
    earlier = digest(database_url)
    record_enrollments(writer, 3, 4)
    later = digest(database_url)
    verdict = verify(database_url, since=earlier)
    assert verdict.ok, verdict.problem
    assert (verdict.checked, verdict.head) == (7, later)
    assert later.position > earlier.position


def test_a_login_role_that_is_only_a_writer_appends_but_cannot_change_history(
    database_url: str, ledger: Ledger
) -> None:
    with psycopg.connect(database_url, autocommit=True) as admin:
        admin.execute(
            "DO $$ BEGIN CREATE ROLE claims_ledger_test_login LOGIN IN ROLE claims_ledger_writer;"
            " EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
        )
    params = psycopg.conninfo.conninfo_to_dict(database_url)
    params["user"] = "claims_ledger_test_login"
    login_url = psycopg.conninfo.make_conninfo(**{k: str(v) for k, v in params.items()})
    with open_ledger(login_url, role=WRITER_ROLE) as as_login:
        record_enrollments(as_login, 0, 2)
        with pytest.raises(PersistenceError, match="permission denied"):  # noqa: SIM117
            with as_login.datastore.transaction(commit=True) as curs:
                curs.execute(b"DELETE FROM ledger_events")
    assert verify(database_url).checked == 2


def test_concurrent_writers_of_different_partitions_still_build_one_sound_chain(
    database_url: str,
) -> None:
    set_up(database_url)

    def write(partition: int) -> None:
        with open_ledger(database_url, role=WRITER_ROLE) as writer:
            for first in range(0, 200, 20):
                record_enrollments(writer, first, 20, partition=partition)

    threads = [threading.Thread(target=write, args=(p,)) for p in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    verdict = verify(database_url)
    assert (verdict.ok, verdict.checked) == (True, 600), verdict.problem
