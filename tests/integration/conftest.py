"""Fixtures of the integration tests that need a PostgreSQL server of a particular kind."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from infra.embedded import start_postgres, stop_postgres
from tests.conftest import fresh_database


@pytest.fixture
def socket_database(embedded_server_url: str) -> Iterator[str]:
    """A fresh database on the embedded server, reached over its unix socket: the transport
    whose small buffers once made large writes hang (docs/operations.md)."""
    assert "host=/" in embedded_server_url or "%2F" in embedded_server_url  # a unix socket
    yield from fresh_database(embedded_server_url)


@pytest.fixture
def own_postgres() -> Iterator[Path]:
    """An embedded PostgreSQL of this test alone, for a test that stops it. Outside pytest's
    temporary root: a concurrent pytest session resets that root to mode 0700, which locks
    out the server's own system user."""
    home = Path(tempfile.mkdtemp(prefix="ledger-pg-restart-"))
    pgdata = home / "pg"
    start_postgres(pgdata)
    try:
        yield pgdata
    finally:
        stop_postgres(pgdata)
        shutil.rmtree(home, ignore_errors=True)
