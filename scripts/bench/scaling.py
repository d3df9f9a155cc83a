"""Amdahl's law fitted to measured throughputs: the serial share of a run, and the speedup it
allows. Pure arithmetic, kept apart from the runs that measure (scripts/bench/workers.py).

With a serial share s of the work per event (what one worker cannot do beside another: here
the committing under the events table's lock, PostgreSQL's shared work), n workers on n free
cores go at most 1 / (s + (1 - s) / n) times as fast as one, and never past 1 / s.
"""

from __future__ import annotations

import math


def serial_share(one: float, many: float, workers: int) -> float:
    """The s for which Amdahl's law gives the measured speedup `many / one` at `workers`:
    s = (n / S - 1) / (n - 1). Clamped to [0, 1]: a speedup above n (noise, a warmer cache)
    means no serial share was seen, one below 1 that all of it was serial."""
    if workers < 2 or one <= 0 or many <= 0:
        raise ValueError("a serial share needs two or more workers and two throughputs")
    share = (workers * one / many - 1) / (workers - 1)
    return min(1.0, max(0.0, share))


def speedup(share: float, workers: int) -> float:
    """Amdahl's speedup of `workers` over one, with serial share `share`, cores not counted."""
    return 1 / (share + (1 - share) / workers)


def bound(share: float) -> float:
    """The speedup no number of workers passes: 1 / s (infinite when nothing is serial)."""
    return 1 / share if share > 0 else math.inf


def cores_bound(cores: int, cpu_us_per_event: float) -> float:
    """Events per second `cores` fully busy cores can do at `cpu_us_per_event` (every process's
    CPU per event, workers and PostgreSQL): the ceiling of this machine whatever the workers."""
    return cores * 1e6 / cpu_us_per_event if cpu_us_per_event > 0 else math.inf


def ratio(measured: float, baseline: float) -> float:
    """`measured` over `baseline`; 0 when the baseline measured nothing."""
    return measured / baseline if baseline else 0.0
