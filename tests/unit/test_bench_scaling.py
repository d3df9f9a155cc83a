"""Amdahl's law as the workers benchmark fits it: serial share, speedup and bounds."""

from __future__ import annotations

import math

import pytest

from scripts.bench.scaling import bound, cores_bound, serial_share, speedup


def test_the_serial_share_reproduces_the_measured_speedup() -> None:
    # 1 000 events/s with one worker, 1 600 with two: speedup 1.6, s = (2 / 1.6 - 1) / 1 = 0.25.
    share = serial_share(1000.0, 1600.0, 2)
    assert share == pytest.approx(0.25)
    assert speedup(share, 2) == pytest.approx(1.6)
    assert speedup(share, 4) == pytest.approx(1 / (0.25 + 0.75 / 4))
    assert bound(share) == pytest.approx(4.0)


def test_perfect_scaling_has_no_serial_share_and_no_bound() -> None:
    assert serial_share(1000.0, 2000.0, 2) == 0.0
    assert bound(0.0) == math.inf


def test_noise_past_the_ideal_or_below_one_worker_is_clamped() -> None:
    assert serial_share(1000.0, 2300.0, 2) == 0.0  # faster than ideal: nothing serial seen
    assert serial_share(1000.0, 800.0, 2) == 1.0  # slower with two: all of it serial
    assert serial_share(1000.0, 2500.0, 4) == pytest.approx(0.2)  # 4 / 2.5 = 1.6; 0.6 / 3


def test_a_serial_share_needs_two_workers_and_real_throughputs() -> None:
    with pytest.raises(ValueError, match="two or more workers"):
        serial_share(1000.0, 1600.0, 1)
    with pytest.raises(ValueError, match="two or more workers"):
        serial_share(0.0, 1600.0, 2)


def test_two_cores_at_500_us_per_event_take_4000_events_per_second() -> None:
    assert cores_bound(2, 500.0) == 4000.0
    assert cores_bound(2, 0.0) == math.inf
