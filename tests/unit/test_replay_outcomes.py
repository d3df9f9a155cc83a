"""The worker turns `replay-of` headers into outcomes; a header it cannot read is no reason to
stop, and never names a dead letter it did not mean, nor one whose bytes are not the record's."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any
from uuid import uuid4

from consumers.replay import REPLAY_HEADER, replay_outcomes
from infra.application.batch import BatchOutcome
from infra.application.rows import AcceptedMessage, DeadLetter, HeldRow

AT = datetime(2020, 1, 15, tzinfo=UTC)


VALUE = b'{"the": "original bytes"}'


def record(offset: int, replay_of: bytes | None, value: bytes | None = VALUE) -> Any:
    headers = [] if replay_of is None else [(REPLAY_HEADER, replay_of)]
    return SimpleNamespace(topic="t", partition=0, offset=offset, headers=headers, value=value)


def kept(ids: Sequence[int]) -> Mapping[int, bytes | None]:
    """Dead letters 7, 8 and 9 exist and kept VALUE; no other does."""
    return {i: hashlib.sha256(VALUE).digest() for i in ids if i in (7, 8, 9)}


def test_each_replayed_record_gets_its_outcome_and_unreadable_headers_are_ignored() -> None:
    outcome = BatchOutcome()
    outcome.record.accepted.append(
        AcceptedMessage(uuid4(), b"", "PersonEnrolled", "c", "t", 0, 1, AT)
    )
    outcome.record.rejected.append(
        DeadLetter("c", "t", 0, 2, None, b"{}", None, "unknown_reference", "no such code", AT)
    )
    polled: dict[Any, list[Any]] = {
        "tp": [
            record(0, None),  # an ordinary message
            record(1, b"7"),
            record(2, b"8"),
            record(3, b"9"),  # neither accepted nor rejected: a duplicate
            record(4, b"seven"),
            record(5, b"9" * 40),  # would overflow bigint
            record(6, b""),
            record(7, b"1"),  # forged: no such dead letter
            record(8, b"7", value=b'{"other": "bytes"}'),  # forged: not dead letter 7's bytes
            record(9, b"7", value=None),  # forged: a tombstone
        ]
    }
    outcomes = replay_outcomes(polled, outcome, AT, kept)
    found = [(o.rejected_id, o.kind, o.reason) for o in outcomes]
    assert found == [
        (7, "accepted", None),
        (8, "rejected", "unknown_reference"),
        (9, "duplicate", None),
    ]


def test_a_replay_held_again_for_its_reference_has_no_outcome_yet() -> None:
    outcome = BatchOutcome()
    outcome.record.holds.append(
        HeldRow(
            "c",
            "t",
            0,
            1,
            None,
            VALUE,
            uuid4(),
            b"",
            "ClaimSettled",
            ["claim:JS-1", "person:P-1"],
            "person:P-1",
            "unknown_reference",
            "person P-1 was never enrolled",
            1,
            AT,
            AT,
        )
    )
    polled: dict[Any, list[Any]] = {"tp": [record(1, b"7"), record(2, b"8")]}
    found = [(o.rejected_id, o.kind) for o in replay_outcomes(polled, outcome, AT, kept)]
    assert found == [(8, "duplicate")]
