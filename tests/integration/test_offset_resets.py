"""An offset reset moves the stored offset back and is kept for good beside it, in one
transaction, through the writer role; nobody changes or removes it afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import psycopg
import pytest

from infra.application.rows import offset_tracking_name
from infra.offset_resets import OffsetReset, offset_resets, reset_offset, stored_next_offsets
from infra.setup import set_up
from infra.store import WRITER_ROLE, Ledger, open_ledger
from tests.integration.test_immutability import record_enrollments

AT = datetime(2026, 11, 30, 19, 0, tzinfo=UTC)
PARTITION = ("c", "ledger.enrollment", 0)


@pytest.fixture
def writer(database_url: str) -> Iterator[Ledger]:
    set_up(database_url)
    with open_ledger(database_url, role=WRITER_ROLE) as store:
        yield store


def back_to(
    to_next: int, reason: str = "broker restarted empty", by: str = "on-call"
) -> OffsetReset:
    return OffsetReset(*PARTITION, None, to_next, reason, by, AT)


def test_a_reset_moves_the_stored_offset_back_and_records_from_where(writer: Ledger) -> None:
    record_enrollments(writer, 0, 8)  # offsets 0..7 stored: the next is 8
    assert stored_next_offsets(writer) == {PARTITION: 8}

    done = reset_offset(writer, back_to(0))

    assert done.from_next == 8
    assert stored_next_offsets(writer) == {PARTITION: 0}
    name = offset_tracking_name(*PARTITION)
    assert writer.reads.stored_offset(name) == -1  # the worker seeks to -1 + 1
    assert offset_resets(writer) == [done]


def test_the_worker_moves_on_from_a_reset_offset(writer: Ledger) -> None:
    record_enrollments(writer, 0, 8)
    reset_offset(writer, back_to(3))
    record_enrollments(writer, 100, 2)  # the single-row tracking takes any offset ahead
    assert stored_next_offsets(writer) == {PARTITION: 102}


def test_a_partition_never_stored_can_be_reset_too(writer: Ledger) -> None:
    done = reset_offset(writer, back_to(5))
    assert done.from_next is None
    assert stored_next_offsets(writer) == {PARTITION: 5}


@pytest.mark.parametrize(
    ("reset", "problem"),
    [
        (back_to(0, reason="  "), "reason"),
        (back_to(0, by=""), "reason and who"),
        (back_to(-1), "never negative"),
    ],
)
def test_a_reset_without_reason_or_below_zero_is_refused_and_moves_nothing(
    writer: Ledger, reset: OffsetReset, problem: str
) -> None:
    record_enrollments(writer, 0, 4)
    with pytest.raises(ValueError, match=problem):
        reset_offset(writer, reset)
    assert stored_next_offsets(writer) == {PARTITION: 4}
    assert offset_resets(writer) == []


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE ledger_offset_resets SET reason = 'nothing happened'",
        "DELETE FROM ledger_offset_resets",
        "TRUNCATE ledger_offset_resets",
    ],
)
def test_a_recorded_reset_cannot_be_changed_even_by_the_owner(
    writer: Ledger, database_url: str, statement: str
) -> None:
    reset_offset(writer, back_to(0))
    with (
        psycopg.connect(database_url, autocommit=True) as owner,
        pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"),
    ):
        owner.execute(statement)
    assert len(offset_resets(writer)) == 1
