"""Setting up a store, in one place: the library's tables, schema.sql, the read models' tables,
then guarantees.sql (triggers and roles), all under one PostgreSQL advisory lock.

Only `claims-ledger up` and the long-running commands' start call `set_up`. Read-only commands
call `require_set_up` instead: they run no DDL, so parallel starts cannot race on a catalog row
("tuple concurrently updated"), and a store nobody set up is named as such, not a traceback.
"""

from __future__ import annotations

from importlib import resources

import psycopg

from infra.store import READER_ROLE, Ledger, ledger_env, may_set_up
from projections.runner import TRACKING_TABLES, set_up_read_models

# Held for the whole setup, also while the library creates its tables in transactions of its
# own, so two starts never run DDL or GRANT on the same catalog rows at once.
SETUP_LOCK = "claims-ledger setup"
# What a finished setup leaves behind; guarantees.sql runs last, so its function is checked.
SET_UP_OBJECTS = (
    "ledger_events",
    "ledger_tracking",
    "ledger_chain",
    "ledger_relay_progress",
    "rejected_replays",
    *TRACKING_TABLES,
)
SET_UP_FUNCTION = "ledger_lock_events_for_append()"


class NotSetUpError(Exception):
    """The store has not been set up: nothing to read yet."""

    def __init__(self, missing: str) -> None:
        super().__init__(
            f"the store is not set up ({missing}); run `claims-ledger up` first"
            " (or any long-running command: ingest, relay, project)"
        )


def _sql(name: str) -> bytes:
    return resources.files("infra").joinpath(name).read_text(encoding="utf-8").encode()


def set_up(database_url: str) -> None:
    """Create or complete the store's tables, triggers and roles (idempotent), under the setup
    lock. A login role that does not own the tables skips it: deployment set up as the owner."""
    if not may_set_up(database_url):
        return
    with psycopg.connect(database_url, autocommit=True) as lock:
        # A session lock: it spans the library's own transactions below, and is released
        # when this connection closes, whatever happens.
        lock.execute("SELECT pg_advisory_lock(hashtext(%s))", (SETUP_LOCK,))
        # CREATE_TABLE: the library creates `ledger_events` and `ledger_tracking` on opening.
        with Ledger(env=ledger_env(database_url, pool_size=1, create_tables=True)) as ledger:
            with ledger.datastore.transaction(commit=True) as curs:
                curs.execute(_sql("schema.sql"))
            set_up_read_models(ledger)
            # Last, so its grants cover every table created above.
            with ledger.datastore.transaction(commit=True) as curs:
                curs.execute(_sql("guarantees.sql"))
        lock.execute("SELECT pg_advisory_unlock(hashtext(%s))", (SETUP_LOCK,))


def require_set_up(database_url: str) -> None:
    """Raise `NotSetUpError` unless a setup completed on this database; runs no DDL."""
    try:
        with psycopg.connect(database_url, autocommit=True, connect_timeout=10) as conn:
            row = conn.execute(
                "SELECT array(SELECT t FROM unnest(%s::text[]) t WHERE to_regclass(t) IS NULL),"
                " to_regprocedure(%s) IS NOT NULL,"
                " EXISTS (SELECT 1 FROM pg_roles WHERE rolname = %s)",
                (list(SET_UP_OBJECTS), SET_UP_FUNCTION, READER_ROLE),
            ).fetchone()
    except psycopg.OperationalError as error:
        if "does not exist" in str(error):
            raise NotSetUpError("its database does not exist") from None
        raise
    missing_tables, guarded, reader = row if row is not None else ([], False, False)
    if missing_tables:
        raise NotSetUpError(f"no table {', '.join(missing_tables)}")
    if not guarded or not reader:
        raise NotSetUpError("its triggers and roles are missing")
