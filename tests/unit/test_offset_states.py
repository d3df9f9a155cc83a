"""Where a stored next offset lies in the broker's log, and the message a worker stops with."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infra.application.rows import offset_tracking_name, parse_offset_tracking_name
from infra.offsets import (
    OffsetState,
    PartitionOffsets,
    StoredOffsetOutOfLogError,
    classify,
)


@pytest.mark.parametrize(
    ("stored_next", "start", "end", "state"),
    [
        (None, 0, 0, OffsetState.NO_STORED_OFFSET),
        (None, 40, 90, OffsetState.NO_STORED_OFFSET),
        (0, 0, 0, OffsetState.OK),  # an empty log, nothing read yet
        (90, 40, 90, OffsetState.OK),  # everything read, waiting for the next message
        (40, 40, 90, OffsetState.OK),
        (91, 40, 90, OffsetState.BEYOND_END),
        (8_000, 0, 3_000, OffsetState.BEYOND_END),  # the broker came back with a shorter log
        (39, 40, 90, OffsetState.BELOW_START),  # retention deleted 39 unread
        (0, 1, 1, OffsetState.BELOW_START),
    ],
)
def test_a_stored_offset_is_classified_against_the_log(
    stored_next: int | None, start: int, end: int, state: OffsetState
) -> None:
    assert classify(stored_next, start, end) is state


@given(
    stored_next=st.integers(min_value=0, max_value=10_000),
    start=st.integers(min_value=0, max_value=5_000),
    length=st.integers(min_value=0, max_value=5_000),
)
def test_only_an_offset_inside_the_log_is_readable(
    stored_next: int, start: int, length: int
) -> None:
    p = PartitionOffsets("c", "t", 0, stored_next, start, start + length)
    assert p.unreadable is not (start <= stored_next <= start + length)


def test_the_stop_message_names_the_partition_the_offsets_and_the_command() -> None:
    p = PartitionOffsets("ledger-abc", "ledger.claims", 2, 8_000, 0, 3_000)
    message = str(StoredOffsetOutOfLogError(p))
    assert "\n" not in message
    for part in ("ledger.claims/2", "8000", "[0, 3000]", "beyond end", "ledger-abc"):
        assert part in message
    assert "claims-ledger offsets reset --topic ledger.claims --partition 2 --to start" in message


def test_a_tracking_name_reads_back_even_with_colons_in_the_cluster_id() -> None:
    name = offset_tracking_name("a:b:c", "ledger.claims", 12)
    assert parse_offset_tracking_name(name) == ("a:b:c", "ledger.claims", 12)
