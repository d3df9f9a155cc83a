"""The known time of a message: the source's stated time, never later than the commit; lifted to
the log's latest known time (the recorder does that under its lock, tests/integration)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from consumers.contract import decode
from consumers.envelope import envelope
from domain.provenance import known_time, not_before
from infra.application.inbound import Decoded, Undecodable
from tests.messages import coordinates, designated, encode, provenance

COMMIT = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
STATED = datetime.fromisoformat("2020-01-14T15:30:00+08:00")


def test_a_stated_time_before_the_commit_is_the_known_time() -> None:
    assert known_time(STATED, COMMIT) == STATED


def test_a_stated_time_after_the_commit_is_known_from_the_commit() -> None:
    assert known_time(COMMIT + timedelta(microseconds=1), COMMIT) == COMMIT


def test_no_stated_time_is_known_from_the_commit() -> None:
    assert known_time(None, COMMIT) == COMMIT


def test_a_known_time_before_the_logs_latest_is_lifted_to_it() -> None:
    assert not_before(STATED, STATED + timedelta(seconds=1)) == STATED + timedelta(seconds=1)
    assert not_before(STATED, STATED - timedelta(seconds=1)) == STATED
    assert not_before(STATED, None) == STATED


def test_provenance_without_a_commit_time_was_known_from_its_commit() -> None:
    p = provenance(STATED)
    assert p.committed_at == p.recorded_at
    assert replace(p, committed_at=COMMIT).committed_at == COMMIT
    with pytest.raises(ValueError, match="timezone-aware"):
        replace(p, committed_at=COMMIT.replace(tzinfo=None))


def decoded(**envelope: Any) -> Decoded | Undecodable:
    return decode(encode(designated(**envelope)), coordinates("reference"), "reference", COMMIT)


def test_the_envelope_recorded_at_becomes_the_known_time_and_the_batch_clock_the_commit() -> None:
    outcome = decoded(recorded_at="2020-01-14T15:30:00+08:00")
    assert isinstance(outcome, Decoded)
    p = outcome.command.provenance
    assert (p.recorded_at, p.committed_at) == (STATED, COMMIT)
    without = decoded()
    assert isinstance(without, Decoded)
    assert (without.command.provenance.recorded_at, without.command.provenance.committed_at) == (
        COMMIT,
        COMMIT,
    )


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("2020-01-14T15:30:00", "must state its UTC offset"),
        ("\uff12\uff10\uff12\uff10-01-14T15:30:00+08:00", "ASCII digits"),
        ("0001-01-01T00:00:00+14:00", "not between 1900-01-01 and 2199-12-31"),
        (None, "may not be null"),
    ],
)
def test_a_bad_recorded_at_is_refused_naming_the_field_and_why(value: object, says: str) -> None:
    outcome = decoded(recorded_at=value)
    assert isinstance(outcome, Undecodable)
    assert outcome.reason.value == "schema_invalid"
    assert "recorded_at" in outcome.detail
    assert says in outcome.detail


def test_the_envelope_builder_states_recorded_at_only_when_given() -> None:
    stated = envelope("X", STATED, "430422", "fund:audit", {}, recorded_at=STATED)
    assert stated["recorded_at"] == "2020-01-14T15:30:00+08:00"
    assert "recorded_at" not in envelope("X", STATED, "430422", "fund:audit", {})
