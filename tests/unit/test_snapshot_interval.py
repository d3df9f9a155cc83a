"""When a batch writes a snapshot (infra/snapshots.py), and how the interval is read."""

from __future__ import annotations

from types import SimpleNamespace
from uuid import uuid4

import pytest
from eventsourcing.domain import Aggregate

from infra.snapshots import SNAPSHOT_INTERVAL, due_snapshots, load_snapshot, snapshot_interval


class Counter(Aggregate):
    def __init__(self) -> None:
        self.count = 0

    def bump(self) -> None:
        self.trigger_event(self.Bumped)

    class Bumped(Aggregate.Event):
        def apply(self, aggregate: Aggregate) -> None:
            aggregate.count += 1  # type: ignore[attr-defined]


def batch_taking(counter: Counter, to_version: int) -> list[object]:
    """The events of a batch that takes the counter to `to_version`."""
    first = counter.version + 1
    while counter.version < to_version:
        counter.bump()
    counter.collect_events()
    return [
        SimpleNamespace(originator_id=counter.id, originator_version=v)
        for v in range(first, to_version + 1)
    ]


@pytest.mark.parametrize(
    ("before", "after", "interval", "due"),
    [
        (1, 4, 5, False),
        (4, 7, 5, True),
        (4, 5, 5, True),
        (5, 9, 5, False),
        (9, 11, 1, True),
        (1, 30, 0, False),
    ],
)
def test_a_snapshot_is_due_when_a_batch_passes_a_multiple(
    before: int, after: int, interval: int, due: bool
) -> None:
    counter = Counter()
    batch_taking(counter, before)
    events = batch_taking(counter, after)
    taken = due_snapshots(interval, events, {counter.id: counter, uuid4(): None})
    assert [s.originator_version for s in taken] == ([after] if due else [])
    if due:
        loaded = load_snapshot(taken[0])
        assert (type(loaded), loaded.version, vars(loaded)) == (Counter, after, vars(counter))


@pytest.mark.parametrize(("raw", "interval"), [("", 5), (" 0 ", 0), ("12", 12)])
def test_the_interval_is_read_from_the_env(raw: str, interval: int) -> None:
    assert snapshot_interval({SNAPSHOT_INTERVAL: raw}) == interval


@pytest.mark.parametrize("raw", ["abc", "-1", "5.0", "五"])
def test_a_bad_interval_names_what_was_typed(raw: str) -> None:
    with pytest.raises(ValueError, match=SNAPSHOT_INTERVAL) as refused:
        snapshot_interval({SNAPSHOT_INTERVAL: raw})
    assert repr(raw) in str(refused.value)


def test_no_snapshot_of_an_aggregate_that_moved_past_the_batch_before_its_commit() -> None:
    # Two batches decided before the first is committed (the bench's committer does this):
    # the first must not snapshot the state of the second, which the second then repeats.
    counter = Counter()
    batch_taking(counter, 3)
    first = batch_taking(counter, 6)
    second = batch_taking(counter, 11)
    assert due_snapshots(5, first, {counter.id: counter}) == []
    assert [s.originator_version for s in due_snapshots(5, second, {counter.id: counter})] == [11]
