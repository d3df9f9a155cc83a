"""The store's setup: one place, one lock, idempotent, skipped when current; opening the store
runs no DDL."""

from __future__ import annotations

import threading

import psycopg
import pytest

from infra.setup import NotSetUpError, require_set_up, set_up
from infra.store import READER_ROLE, open_ledger
from tests.e2e.test_parallel_starts import REFUSE_DDL


def test_a_store_never_set_up_is_named_as_such_and_checking_creates_nothing(
    database_url: str,
) -> None:
    with pytest.raises(NotSetUpError, match="run `claims-ledger up`"):
        require_set_up(database_url)
    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace"
        ).fetchone()
    assert row == (0,)


def test_setups_started_together_on_a_fresh_database_all_succeed(database_url: str) -> None:
    errors: list[BaseException] = []

    def start() -> None:
        try:
            set_up(database_url)
        except Exception as error:  # noqa: BLE001 - collected, asserted below
            errors.append(error)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    require_set_up(database_url)
    set_up(database_url)  # again: idempotent


def test_every_table_is_readable_by_the_reader_role_once_set_up(database_url: str) -> None:
    set_up(database_url)
    with psycopg.connect(database_url) as conn:
        tables = [
            r[0]
            for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        ]
    assert {"ledger_events", "ledger_chain", "projection_penalties_tracking"} <= set(tables)
    with (
        open_ledger(database_url, role=READER_ROLE) as ledger,
        ledger.datastore.transaction(commit=False) as curs,
    ):
        for table in tables:
            curs.execute(f"SELECT count(*) FROM {table}".encode())
            assert curs.fetchone() is not None
    # The context manager closed the pool.
    assert ledger.datastore.pool.closed


def test_a_start_on_a_current_store_runs_no_ddl(database_url: str) -> None:
    set_up(database_url)
    with psycopg.connect(database_url, autocommit=True) as admin:
        admin.execute(REFUSE_DDL.encode())
    set_up(database_url)  # the fingerprint is on record: nothing to do, no lock taken
