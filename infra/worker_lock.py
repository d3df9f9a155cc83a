"""One assign-mode worker per store. With no consumer group, nothing in Kafka keeps two workers
from taking the same partitions, so the store keeps them apart: the worker holds a PostgreSQL
advisory lock on a connection of its own for its whole life, and a second one is refused."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg

from infra.store import Ledger

# Advisory locks are per database, so one key serves every store; the bytes spell "ledger-a".
ASSIGN_MODE_LOCK = int.from_bytes(b"ledger-a", "big")


class AnotherWorkerError(Exception):
    """Another assign-mode worker holds this store."""


@contextmanager
def assign_mode_lock(ledger: Ledger) -> Iterator[None]:
    """Hold the store's assign-mode lock until the block ends, or raise `AnotherWorkerError`."""
    kwargs = ledger.datastore.pool.kwargs
    params: dict[str, Any] = dict((kwargs() if callable(kwargs) else kwargs) or {})
    params.pop("row_factory", None)
    # Closing the connection (or the process ending) releases the lock.
    with psycopg.connect(autocommit=True, connect_timeout=10, **params) as conn:
        row = conn.execute("SELECT pg_try_advisory_lock(%s)", (ASSIGN_MODE_LOCK,)).fetchone()
        if not (row and row[0]):
            holder = conn.execute(
                "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
                " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                " AND classid = %s::oid AND objid = %s::oid AND objsubid = 1",
                (ASSIGN_MODE_LOCK >> 32, ASSIGN_MODE_LOCK & 0xFFFFFFFF),
            ).fetchone()
            who = f" (server process {holder[0]})" if holder else ""
            msg = (
                f"another ingest worker in assign mode is running on this store{who};"
                " stop it first, or run workers in a consumer group (LEDGER_CONSUMER_MODE=group)"
            )
            raise AnotherWorkerError(msg)
        yield
