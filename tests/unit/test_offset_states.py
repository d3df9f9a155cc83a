"""Where a stored next offset lies in the broker's log, and the message a worker stops with."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infra.application.rows import offset_tracking_name, parse_offset_tracking_name
from infra.offsets import (
    OffsetState,
    PartitionOffsets,
    StoredOffsetOutOfLogError,
    classify,
    message_id_of,
    read_here_before,
)
from tests.messages import encode, enrolled


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


RECORD = encode(enrolled("P0000001"))


def test_the_record_before_the_stored_offset_is_trusted_when_its_message_was_accepted() -> None:
    assert message_id_of(RECORD) is not None
    assert read_here_before(RECORD, None, dead_letter=False, accepted=True)


def test_a_record_the_ledger_never_accepted_means_the_log_was_replaced() -> None:
    assert not read_here_before(RECORD, None, dead_letter=False, accepted=False)


@pytest.mark.parametrize(
    ("value", "kept", "trusted"),
    [
        (b"{not json", b"{not json", True),
        (b"{not json", b"other bytes", False),
        (None, None, True),  # a tombstone kept as a dead letter
        (b"", None, False),
    ],
)
def test_at_a_dead_letter_the_bytes_must_be_those_kept(
    value: bytes | None, kept: bytes | None, trusted: bool
) -> None:
    digest = None if kept is None else hashlib.sha256(kept).digest()
    # Whether the message id is known does not matter at a dead letter: the bytes decide.
    assert read_here_before(value, digest, dead_letter=True, accepted=True) is trusted


@pytest.mark.parametrize(
    "value", [None, b"", b"[1]", b'{"message_id": 5}', b'{"message_id": "x"}', b"\xff"]
)
def test_a_record_without_a_readable_message_id_has_none(value: bytes | None) -> None:
    assert message_id_of(value) is None
