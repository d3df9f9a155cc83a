"""Writes of any size the contract allows commit, on the embedded server's unix socket too.

psycopg 3.3 in pipeline mode stops flushing once its queue is empty and then only waits to
read, so a statement larger than the socket's buffers (about 208 kB on a unix socket) was never
fully sent and the library's pipelined insert hung forever (docs/operations.md). The recorder
writes without the pipeline; these tests would hang, and fail at the guard, if it did not.
"""

from __future__ import annotations

import threading

import psycopg
import pytest
from eventsourcing.domain import Aggregate

from domain.reasons import Reason
from infra.application.inbound import Coordinates, InboundRecord, Undecodable
from infra.clock import utc_now
from infra.setup import set_up
from infra.store import WRITER_ROLE, open_ledger
from infra.verify import verify

# A guard against a hang, far above what these writes take: never a speed assertion.
HANG_GUARD_S = 120


class Bulky(Aggregate):
    """An aggregate whose one event carries a large text, as a 1 000-line clawback does."""

    def __init__(self, text: str) -> None:
        self.text = text


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


def _dead_letter_committed_within_guard(database_url: str, value: bytes) -> bool:
    committed: list[bool] = []

    def commit() -> None:
        with open_ledger(database_url, role=WRITER_ROLE) as ledger:
            where = Coordinates("claims.settlements", 0, 7)
            refused = Undecodable(Reason.MALFORMED_JSON, "not JSON")
            records = [InboundRecord(where, b"key", value, refused)]
            ledger.commit(ledger.decide(records, utc_now(), cluster_id="large-writes"))
            committed.append(True)

    writer = threading.Thread(target=commit, daemon=True)
    writer.start()
    writer.join(HANG_GUARD_S)
    return bool(committed)


def test_a_large_dead_letter_commits_whole_over_the_unix_socket(socket_database: str) -> None:
    # A megabyte record that fails the contract is kept whole in the dead-letter table; its
    # insert was an executemany, which psycopg runs in pipeline mode, and hung like the events.
    set_up(socket_database)
    value = b"{" * (4 * 1024 * 1024)
    assert _dead_letter_committed_within_guard(socket_database, value), (
        f"a 4 MB dead letter did not commit within {HANG_GUARD_S} s"
    )
    with psycopg.connect(socket_database) as conn:
        row = conn.execute("SELECT message_value, reason FROM rejected_messages").fetchone()
    assert row is not None
    assert bytes(row[0]) == value
    assert row[1] == Reason.MALFORMED_JSON.value
