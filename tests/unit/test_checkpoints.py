"""Checkpoint planning: whatever the paging, the versions are those the definition names."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.calendar import REGION_TZ
from projections.amounts import Amounts, add
from projections.asof import next_month, start_of_month
from projections.checkpoints import (
    Recording,
    Versions,
    earliest_days,
    needed_month_sums,
    plan_versions,
)

EPOCH = datetime(2019, 11, 1, tzinfo=REGION_TZ)
ZERO: Amounts = (Decimal(0),)
# (known time, key, valid day, amount) in log order: known time never decreases.
Fact = tuple[int, str, int, int]


def day(n: int) -> datetime:
    return EPOCH + timedelta(days=n)


def recordings(facts: Sequence[Fact]) -> list[Recording]:
    """Facts grouped per known time, summed per key and day, as the table's writer does."""
    out: list[Recording] = []
    for known, group in itertools.groupby(facts, key=lambda f: f[0]):
        per_key: dict[str, dict[datetime, Amounts]] = {}
        for _, key, valid, amount in group:
            days = per_key.setdefault(key, {})
            days[day(valid)] = add(days.get(day(valid), ZERO), (Decimal(amount),))
        out.append((day(1000 + known), per_key))
    return out


def defined(facts: Sequence[Fact]) -> Versions:
    """The definition: a version (k, M, t) for the first known time of k's deltas in month M,
    and for every later known time with a delta of k before M; its totals are k's deltas
    before M known by t."""
    versions: Versions = {}
    for key in {f[1] for f in facts}:
        mine = [(day(1000 + t), day(v), Decimal(x)) for t, k, v, x in facts if k == key]
        for month in {start_of_month(v) for _, v, _ in mine}:
            created = min(t for t, v, _ in mine if start_of_month(v) == month)
            times = {created} | {t for t, v, _ in mine if v < month and t > created}
            for t in times:
                total = sum((x for known, v, x in mine if v < month and known <= t), Decimal(0))
                versions[(key, month, t)] = (total,)
    return versions


def paged(facts: Sequence[Fact], cuts: Sequence[int]) -> Versions:
    """The versions written page by page, each page planned from what the pages before it
    stored, as the table reads it (stored months from the one holding the earliest day on,
    their latest totals, and the delta sums of the months asked for)."""
    stored: Versions = {}
    deltas: list[Fact] = []
    bounds = sorted({0, len(facts), *(c for c in cuts if c < len(facts))})
    for start, end in itertools.pairwise(bounds):
        page = recordings(facts[start:end])
        latest: dict[str, dict[datetime, Amounts]] = {}
        for (key, month, _), totals in sorted(stored.items()):
            latest.setdefault(key, {})[month] = totals
        for key, since in earliest_days(page).items():
            months = latest.get(key, {})
            first = max((m for m in months if m <= since), default=since)
            latest[key] = {m: t for m, t in months.items() if m >= first}
        month_sums = {
            (key, month): (
                sum(
                    (
                        Decimal(x)
                        for _, k, v, x in deltas
                        if k == key and month <= day(v) < next_month(month)
                    ),
                    Decimal(0),
                ),
            )
            for key, month in needed_month_sums(latest, page)
        }
        stored.update(plan_versions(1, latest, month_sums, page))
        deltas += facts[start:end]
    return stored


facts = st.lists(
    st.tuples(
        st.integers(0, 5), st.sampled_from(["a", "b"]), st.integers(0, 150), st.integers(-9, 9)
    ),
    min_size=1,
    max_size=30,
).map(lambda fs: sorted(fs, key=lambda f: f[0]))


@settings(max_examples=200, deadline=None, derandomize=True)
@given(facts=facts, cuts=st.lists(st.integers(1, 29), max_size=5))
def test_pages_of_any_size_plan_the_versions_the_definition_names(
    facts: list[Fact], cuts: list[int]
) -> None:
    assert paged(facts, cuts) == defined(facts)
