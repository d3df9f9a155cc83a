"""Vectors of amounts, one per metric of a read-model table (no database here)."""

from __future__ import annotations

import operator
from collections.abc import Sequence
from decimal import Decimal

Amounts = tuple[Decimal, ...]


def add(left: Sequence[Decimal], right: Sequence[Decimal]) -> Amounts:
    """Element-wise sum of two equally long vectors."""
    # map() rather than a generator: this runs for every delta a catch-up writes.
    if len(left) != len(right):
        raise ValueError(f"cannot add {len(left)} amounts to {len(right)}")
    return tuple(map(operator.add, left, right))
