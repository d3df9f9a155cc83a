"""Backoff waits longer after each failure, up to a ceiling, and gives the error up in the end."""

from __future__ import annotations

import threading

import pytest
from eventsourcing.persistence import OperationalError

from consumers.backoff import Backoff, OutageTooLong


class RecordingStop(threading.Event):
    """A stop event that records the waits asked of it instead of sleeping."""

    def __init__(self) -> None:
        super().__init__()
        self.waits: list[float] = []

    def wait(self, timeout: float | None = None) -> bool:
        self.waits.append(timeout or 0.0)
        return False


def test_waits_double_up_to_the_ceiling_and_reset_after_a_success() -> None:
    backoff, stop = Backoff(first=0.5, longest=3.0), RecordingStop()
    for _ in range(5):
        backoff.failed(OperationalError("server closed the connection"), "batch", stop)
    backoff.succeeded()
    backoff.failed(OperationalError("again"), "batch", stop)
    assert stop.waits == [0.5, 1.0, 2.0, 3.0, 3.0, 0.5]


class ManualClock:
    """A monotonic clock that moves only when the test says so."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def test_an_outage_longer_than_the_limit_raises_the_error() -> None:
    clock = ManualClock()
    backoff, stop = Backoff(give_up_after=60.0, clock=clock), RecordingStop()
    error = OperationalError("connection refused")
    backoff.failed(error, "batch", stop)
    clock.now += 59.9
    backoff.failed(error, "batch", stop)
    clock.now += 0.1
    with pytest.raises(OutageTooLong, match="batch: still failing after 60 s") as gave_up:
        backoff.failed(error, "batch", stop)
    assert gave_up.value.__cause__ is error
    assert "\n" not in str(gave_up.value)


def test_a_success_starts_the_outage_clock_afresh() -> None:
    clock = ManualClock()
    backoff, stop = Backoff(give_up_after=60.0, clock=clock), RecordingStop()
    backoff.failed(OperationalError("refused"), "batch", stop)
    clock.now += 50.0
    backoff.succeeded()
    backoff.failed(OperationalError("refused"), "batch", stop)
    clock.now += 50.0
    backoff.failed(OperationalError("refused"), "batch", stop)
    assert backoff.attempts == 2
