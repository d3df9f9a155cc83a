"""Setting up a store, in one place: the library's tables, schema.sql, the read models' tables,
then guarantees.sql (triggers and roles), all under one PostgreSQL advisory lock.

Only `claims-ledger up` and the long-running commands' start call `set_up`; once a setup with
the same fingerprint is on record (`ledger_setup`), it takes no lock and runs no DDL, so a start
never waits behind a rebuild's or a batch's table locks. Read-only commands call
`require_set_up` instead: they run no DDL, so parallel starts cannot race on a catalog row
("tuple concurrently updated"), and a store nobody set up is named as such, not a traceback.
"""

from __future__ import annotations

import hashlib
from importlib import resources
from importlib.metadata import version

import psycopg

from infra.store import READER_ROLE, WRITER_ROLE, Ledger, ledger_env, may_set_up
from projections.runner import set_up_read_models

# Held for the whole setup, also while the library creates its tables in transactions of its
# own, so two starts never run DDL or GRANT on the same catalog rows at once.
SETUP_LOCK = "claims-ledger setup"


class NotSetUpError(Exception):
    """The store has not been set up: nothing to read yet."""

    def __init__(self, missing: str) -> None:
        super().__init__(
            f"the store is not set up ({missing}); run `claims-ledger up` first"
            " (or any long-running command: ingest, relay, project)"
        )


def _sql(name: str) -> bytes:
    return resources.files("infra").joinpath(name).read_text(encoding="utf-8").encode()


def fingerprint() -> str:
    """Of everything a setup applies: its SQL files, the read models' definitions and the
    library's version (its own tables). Any change there makes the next start set up again."""
    digest = hashlib.sha256(version("eventsourcing").encode())
    infra = resources.files("infra")
    sources = [infra.joinpath(n) for n in ("schema.sql", "guarantees.sql", "setup.py")]
    models = (f for f in resources.files("projections").iterdir() if f.name.endswith(".py"))
    for source in [*sources, *sorted(models, key=lambda f: f.name)]:
        digest.update(source.name.encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()


def _is_current(conn: psycopg.Connection[tuple[object, ...]], wanted: str) -> bool:
    """Whether the last setup of this database applied `wanted`, and the roles exist."""
    row = conn.execute(
        "SELECT to_regclass('ledger_setup') IS NOT NULL"
        " AND (SELECT count(*) FROM pg_roles WHERE rolname IN (%s, %s)) = 2",
        (WRITER_ROLE, READER_ROLE),
    ).fetchone()
    if not (row and row[0]):
        return False
    last = conn.execute(
        "SELECT fingerprint FROM ledger_setup ORDER BY applied_at DESC LIMIT 1"
    ).fetchone()
    return last is not None and last[0] == wanted


def set_up(database_url: str) -> None:
    """Create or complete the store's tables, triggers and roles, under the setup lock; nothing
    when the last setup applied the same fingerprint (no lock, no DDL). A login role that does
    not own the tables skips it: deployment set up as the owner."""
    if not may_set_up(database_url):
        return
    wanted = fingerprint()
    with psycopg.connect(database_url, autocommit=True) as conn:
        if _is_current(conn, wanted):
            return
        # A session lock: it spans the library's own transactions below, and is released
        # when this connection closes, whatever happens.
        conn.execute("SELECT pg_advisory_lock(hashtext(%s))", (SETUP_LOCK,))
        if _is_current(conn, wanted):
            return  # another start set up while this one waited
        # CREATE_TABLE: the library creates `ledger_events` and `ledger_tracking` on opening.
        with Ledger(env=ledger_env(database_url, pool_size=1, create_tables=True)) as ledger:
            with ledger.datastore.transaction(commit=True) as curs:
                curs.execute(_sql("schema.sql"))
            set_up_read_models(ledger)
            # Last, so its grants cover every table created above.
            with ledger.datastore.transaction(commit=True) as curs:
                curs.execute(_sql("guarantees.sql"))
                curs.execute(
                    "INSERT INTO ledger_setup (fingerprint, applied_at) VALUES (%s, now())"
                    " ON CONFLICT (fingerprint) DO UPDATE SET applied_at = excluded.applied_at",
                    (wanted,),
                )
        conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", (SETUP_LOCK,))


def require_set_up(database_url: str) -> None:
    """Raise `NotSetUpError` unless a setup completed on this database; runs no DDL."""
    try:
        with psycopg.connect(database_url, autocommit=True, connect_timeout=10) as conn:
            row = conn.execute(
                "SELECT to_regclass('ledger_setup') IS NOT NULL,"
                " EXISTS (SELECT 1 FROM pg_roles WHERE rolname = %s)",
                (READER_ROLE,),
            ).fetchone()
            done = bool(row and row[0]) and bool(
                conn.execute("SELECT EXISTS (SELECT 1 FROM ledger_setup)").fetchone() == (True,)
            )
    except psycopg.OperationalError as error:
        if "does not exist" in str(error):
            raise NotSetUpError("its database does not exist") from None
        raise
    if not done:
        raise NotSetUpError("no setup on record in this database")
    if not (row and row[1]):
        raise NotSetUpError(f"no role {READER_ROLE}")
