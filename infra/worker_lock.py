"""One assign-mode worker per store. With no consumer group, nothing in Kafka keeps two workers
from taking the same partitions, so the store keeps them apart: the worker holds a PostgreSQL
advisory lock on a connection of its own for its whole life, and a second one is refused.

A PostgreSQL restart ends that session and frees the lock, so the worker checks it before each
commit and takes it again; if another worker took it first, this one stops."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from eventsourcing.persistence import OperationalError

from infra.store import Ledger

# Advisory locks are per database, so one key serves every store; the bytes spell "ledger-a".
ASSIGN_MODE_LOCK = int.from_bytes(b"ledger-a", "big")


class AnotherWorkerError(Exception):
    """Another assign-mode worker holds this store."""


class AssignModeLock:
    """The store's assign-mode lock, held on a connection of its own."""

    def __init__(self, ledger: Ledger) -> None:
        kwargs = ledger.datastore.pool.kwargs
        params: dict[str, Any] = dict((kwargs() if callable(kwargs) else kwargs) or {})
        params.pop("row_factory", None)
        self._params = params
        self._conn: psycopg.Connection[Any] | None = None

    def take(self) -> None:
        """Take the lock, or raise `AnotherWorkerError` naming the server process holding it."""
        try:
            self._conn = psycopg.connect(autocommit=True, connect_timeout=10, **self._params)
            row = self._conn.execute(
                "SELECT pg_try_advisory_lock(%s)", (ASSIGN_MODE_LOCK,)
            ).fetchone()
            refusal = None if row and row[0] else self._refusal(self._conn)
        except psycopg.OperationalError as error:
            # The store is down: the worker's backoff retries, as for any batch.
            self.release()
            raise OperationalError(str(error)) from error
        if refusal is not None:
            self.release()
            raise AnotherWorkerError(refusal)

    def ensure_held(self) -> None:
        """Before a commit: still held, or taken again after the session ended."""
        if self._conn is not None and not self._conn.closed and self._answers(self._conn):
            return
        self.release()  # the session ended, and its lock with it
        self.take()

    @staticmethod
    def _answers(conn: psycopg.Connection[Any]) -> bool:
        try:
            conn.execute("SELECT 1")
        except psycopg.OperationalError:
            return False
        return True

    def release(self) -> None:
        """Closing the connection (or the process ending) releases the lock."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    @staticmethod
    def _refusal(conn: psycopg.Connection[Any]) -> str:
        holder = lock_holder(conn)
        who = f" (server process {holder})" if holder is not None else ""
        return (
            f"another ingest worker in assign mode is running on this store{who};"
            " stop it first, or run workers in a consumer group (LEDGER_CONSUMER_MODE=group)"
        )


def lock_holder(conn: psycopg.Connection[Any]) -> int | None:
    """The server process holding the store's assign-mode lock, if any."""
    row = conn.execute(
        "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
        " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        " AND classid = %s::oid AND objid = %s::oid AND objsubid = 1",
        (ASSIGN_MODE_LOCK >> 32, ASSIGN_MODE_LOCK & 0xFFFFFFFF),
    ).fetchone()
    return None if row is None else int(row[0])


@contextmanager
def assign_mode_lock(ledger: Ledger) -> Iterator[AssignModeLock]:
    """Hold the store's assign-mode lock until the block ends, or raise `AnotherWorkerError`."""
    lock = AssignModeLock(ledger)
    lock.take()
    try:
        yield lock
    finally:
        lock.release()
