"""Writes of any size the contract allows commit, on the embedded server's unix socket too.

psycopg 3.3 in pipeline mode stops flushing once its queue is empty and then only waits to
read, so a statement larger than the socket's buffers (about 208 kB on a unix socket) was never
fully sent and the library's pipelined insert hung forever (docs/operations.md). The recorder
writes without the pipeline; these tests would hang, and fail at the guard, if it did not.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from eventsourcing.domain import Aggregate

from infra.setup import set_up
from infra.store import WRITER_ROLE, open_ledger
from infra.verify import verify
from tests.conftest import fresh_database

# A guard against a hang, far above what these writes take: never a speed assertion.
HANG_GUARD_S = 120


class Bulky(Aggregate):
    """An aggregate whose one event carries a large text, as a 1 000-line clawback does."""

    def __init__(self, text: str) -> None:
        self.text = text


@pytest.fixture
def socket_database(embedded_server_url: str) -> Iterator[str]:
    assert "host=/" in embedded_server_url or "%2F" in embedded_server_url  # a unix socket
    yield from fresh_database(embedded_server_url)


def _saved_within_guard(database_url: str, megabytes: int) -> int | None:
    saved: list[int] = []

    def save() -> None:
        with open_ledger(database_url, role=WRITER_ROLE) as ledger:
            ledger.save(Bulky("医" * (megabytes * 1024 * 1024 // 3)))  # 3 bytes each in UTF-8
            saved.append(ledger.recorder.max_notification_id() or 0)

    # A daemon thread: if the write hangs, the test fails at the guard and the run goes on.
    writer = threading.Thread(target=save, daemon=True)
    writer.start()
    writer.join(HANG_GUARD_S)
    return saved[0] if saved else None


@pytest.mark.parametrize("megabytes", [1, 4, 16])
def test_a_large_event_commits_over_the_unix_socket(socket_database: str, megabytes: int) -> None:
    set_up(socket_database)
    position = _saved_within_guard(socket_database, megabytes)
    assert position == 1, f"a {megabytes} MB write did not commit within {HANG_GUARD_S} s"
    verdict = verify(socket_database)
    assert verdict.ok, verdict.problem
    assert verdict.checked == 1
