"""A dead letter on `ledger.rejected` fits one produce request whatever the record's size, and
says when it was cut and where the whole record is kept."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from consumers.dead_letters import HEADROOM_BYTES, KEY_BYTES, letter_of
from infra.application.rows import DeadLetter
from infra.kafka import MAX_REQUEST_BYTES


def dead(value: bytes | None, key: bytes | None = b"P-1", detail: str = "bad") -> DeadLetter:
    return DeadLetter(
        source_cluster="ledger-abc",
        source_topic="ledger.claims",
        source_partition=2,
        source_offset=41,
        message_key=key,
        message_value=value,
        message_id=None,
        reason="malformed_json",
        detail=detail,
        rejected_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


def wire_size(key: bytes | None, value: bytes | None, headers: list[tuple[str, bytes]]) -> int:
    return len(key or b"") + len(value or b"") + sum(len(n) + len(v) for n, v in headers)


def test_a_small_record_goes_out_whole_with_its_coordinates() -> None:
    letter = letter_of(dead(b"{not json"))
    headers = dict(letter.headers)
    assert (letter.key, letter.value) == (b"P-1", b"{not json")
    assert headers["source"] == b"ledger.claims/2@41"
    assert headers["source-cluster"] == b"ledger-abc"
    assert "truncated" not in headers


@pytest.mark.parametrize("size", [MAX_REQUEST_BYTES - HEADROOM_BYTES, 1_048_577, 4_000_000])
def test_a_large_record_is_cut_to_fit_and_says_its_original_size(
    size: int, rng: random.Random
) -> None:
    value = rng.randbytes(size)
    letter = letter_of(dead(value, key=b"k" * 5_000, detail="é" * 5_000))
    headers = dict(letter.headers)

    assert wire_size(letter.key, letter.value, letter.headers) <= MAX_REQUEST_BYTES - HEADROOM_BYTES
    assert letter.value is not None
    assert value.startswith(letter.value)
    assert headers["truncated"] == str(size).encode()
    assert letter.key == b"k" * KEY_BYTES
    assert headers["key-truncated"] == b"5000"
    headers["detail"].decode("utf-8")  # cut between characters, never inside one


def test_a_tombstone_stays_a_tombstone() -> None:
    letter = letter_of(dead(None, key=None))
    assert (letter.key, letter.value) == (None, None)
    assert "truncated" not in dict(letter.headers)
