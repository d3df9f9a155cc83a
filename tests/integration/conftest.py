"""Fixtures of the integration tests that need a PostgreSQL server of a particular kind."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import embedded_postgres, fresh_database


@pytest.fixture
def socket_database(embedded_server_url: str) -> Iterator[str]:
    """A fresh database on the embedded server, reached over its unix socket: the transport
    whose small buffers once made large writes hang (docs/operations.md)."""
    assert "host=/" in embedded_server_url or "%2F" in embedded_server_url  # a unix socket
    yield from fresh_database(embedded_server_url)


@pytest.fixture
def own_postgres() -> Iterator[Path]:
    """An embedded PostgreSQL of this test alone, for a test that stops it."""
    with embedded_postgres("ledger-pg-restart-") as (pgdata, _):
        yield pgdata
