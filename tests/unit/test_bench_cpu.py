"""The benchmark's CPU reading of a process agrees with the kernel's own accounting."""

from __future__ import annotations

import os

from scripts.bench.cpu import cpu_seconds
from scripts.bench.server_cpu import spent


def test_cpu_seconds_of_this_process_matches_os_times() -> None:
    sum(i * i for i in range(300_000))  # some CPU of our own to read
    before = os.times()
    measured = cpu_seconds(os.getpid())
    after = os.times()
    # Clock ticks are coarser than os.times' reading, so allow one tick either side.
    tick = 1 / os.sysconf("SC_CLK_TCK")
    assert before.user + before.system - tick <= measured <= after.user + after.system + tick
    assert measured > 0


def test_cpu_spent_counts_new_processes_from_zero_and_gone_ones_no_further() -> None:
    before = {10: 1.5, 11: 2.0}
    after = {10: 2.0, 12: 0.25}  # 11 ended between the readings, 12 started
    assert spent(before, after) == 0.75
    assert spent({}, {}) == 0.0
