"""Pure arithmetic of cumulative step functions over valid time (no database here).

A key's current rows tile valid time from its first fact on: row i covers
[valid_from_i, valid_from_{i+1}) and holds the totals of every fact with valid time <= any point
of that range. Adding facts re-computes the steps from the first affected row on.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

Amounts = tuple[Decimal, ...]


@dataclass(frozen=True)
class Step:
    """Totals in force over valid time [valid_from, valid_to); `None` means open-ended."""

    valid_from: datetime
    valid_to: datetime | None
    amounts: Amounts


def add(left: Sequence[Decimal], right: Sequence[Decimal]) -> Amounts:
    """Element-wise sum of two equally long vectors."""
    # map() rather than a generator: this runs for every step a catch-up rewrites.
    if len(left) != len(right):
        raise ValueError(f"cannot add {len(left)} amounts to {len(right)}")
    return tuple(map(operator.add, left, right))


def restep(old: Sequence[Step], deltas: Mapping[datetime, Amounts], width: int) -> list[Step]:
    """The steps that replace `old` (the current rows reaching past the earliest delta, sorted)
    once `deltas` (totals per valid instant) are added; they run from the first old step that
    reaches the earliest delta (or from that delta) to open end."""
    zero: Amounts = (Decimal(0),) * width
    earliest = min(deltas)
    start = old[0].valid_from if old and old[0].valid_from <= earliest else earliest
    breakpoints = sorted({s.valid_from for s in old if s.valid_from >= start} | set(deltas))
    steps: list[Step] = []
    running = zero
    pending = sorted(deltas.items())
    old_index = -1
    for i, point in enumerate(breakpoints):
        while old_index + 1 < len(old) and old[old_index + 1].valid_from <= point:
            old_index += 1
        while pending and pending[0][0] <= point:
            running = add(running, pending.pop(0)[1])
        before = old[old_index].amounts if old_index >= 0 else zero
        end = breakpoints[i + 1] if i + 1 < len(breakpoints) else None
        steps.append(Step(point, end, add(before, running)))
    return steps
