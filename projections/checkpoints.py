"""Plan, in memory, the monthly checkpoint versions a page of deltas adds (no database here).

A busy key's checkpoint for month M, known from t, holds the sum of the key's deltas valid
before M and known by t. A busy key has a checkpoint for every month in which it has a delta,
first known when its first delta of that month was; every later known time that brings deltas
valid before M adds a version of M. The versions are therefore a function of the delta rows
alone, whatever the paging: a page that splits the events of one known time recomputes that
known time's versions in full, and the table writes them over (tests/integration/
test_cumulative.py checks incremental against rebuilt row for row).

Since every month holding a delta has a checkpoint, the deltas before a new month M, beyond the
latest checkpoint month M' below it, all lie in M' itself: M's first version is M''s latest one
plus the sum of M''s deltas, read once per page for the stored months that can be such a base.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal

from projections.amounts import Amounts, add
from projections.asof import start_of_month

# Per known time (in log order), the key's deltas summed per valid day.
Recording = tuple[datetime, Mapping[str, Mapping[datetime, Amounts]]]
# (key, month, known_from) -> totals before the month, as known then.
Versions = dict[tuple[str, datetime, datetime], Amounts]


def earliest_days(recordings: Sequence[Recording]) -> dict[str, datetime]:
    """Each key's earliest valid day in the page: its checkpoints from the month holding it on
    (and the latest one before) are all the page can read or change."""
    earliest: dict[str, datetime] = {}
    for _, per_key in recordings:
        for key, days in per_key.items():
            first = min(days)
            if key not in earliest or first < earliest[key]:
                earliest[key] = first
    return earliest


def needed_month_sums(
    stored: Mapping[str, Mapping[datetime, Amounts]], recordings: Sequence[Recording]
) -> list[tuple[str, datetime]]:
    """The stored months whose deltas' sum a new month of the page may start from: for each new
    month, the latest stored month before it."""
    page_months: dict[str, set[datetime]] = {}
    for _, per_key in recordings:
        for key, days in per_key.items():
            page_months.setdefault(key, set()).update(start_of_month(d) for d in days)
    needed: set[tuple[str, datetime]] = set()
    for key, months in page_months.items():
        known = stored.get(key, {})
        for month in months - set(known):
            below = [m for m in known if m < month]
            if below:
                needed.add((key, max(below)))
    return sorted(needed)


def plan_versions(
    width: int,
    stored: Mapping[str, Mapping[datetime, Amounts]],
    stored_sums: Mapping[tuple[str, datetime], Amounts],
    recordings: Sequence[Recording],
) -> Versions:
    """The checkpoint versions the page's recordings add, each with its full totals.

    `stored` holds the busy keys' stored checkpoint months (from the latest one on or before
    the key's earliest day in the page) with their latest totals; `stored_sums` the sums of
    the stored deltas of the months `needed_month_sums` named."""
    zero: Amounts = (Decimal(0),) * width
    latest = {key: dict(months) for key, months in stored.items()}
    sums = dict(stored_sums)  # (key, month) -> deltas of the month applied so far
    versions: Versions = {}
    for known, per_key in recordings:
        for key, days in per_key.items():
            months = latest.setdefault(key, {})
            for day, amounts in days.items():
                cell = (key, start_of_month(day))
                sums[cell] = add(sums.get(cell, zero), amounts)
            # Existing months first: a late delta adds a version to each later month.
            for month in sorted(months):
                before = [amounts for day, amounts in days.items() if day < month]
                if before:
                    total = months[month]
                    for amounts in before:
                        total = add(total, amounts)
                    months[month] = versions[(key, month, known)] = total
            # New months in valid order, each from the one below it (maybe new itself).
            for month in sorted({start_of_month(d) for d in days} - set(months)):
                below = [m for m in months if m < month]
                base = max(below) if below else None
                total = zero if base is None else add(months[base], sums.get((key, base), zero))
                months[month] = versions[(key, month, known)] = total
    return versions
