"""Committed aggregates kept across batches, so a batch does not replay their whole history.

Without it every batch reloads each aggregate it touches, replaying all its events: a person's
account with years of contributions and claims costs more with every batch. The cache holds
only committed state:

- a batch takes the aggregates it uses out of the cache (`take`) and mutates them in place;
  they come back (`committed`) only after the batch's transaction committed, so a batch that
  failed or rolled back leaves nothing of itself behind, and when deciding or committing
  fails the ledger also clears the whole cache (`clear`): an IntegrityError means someone
  else wrote;
- before each batch, `refresh` evicts every aggregate that another writer changed since the
  cache was last known current (another worker after a rebalance, a second worker of the same
  store). Its events are found by position in the log, which is the commit order, so nothing
  written by others is missed, also not a decision that only rejects and so would never meet
  the store's optimistic concurrency check.

Only aggregates that `worth_keeping` are kept. The ledger skips claims, which are rarely
looked up again once settled, and absent aggregates (a new claim's id): either would push out
the persons' accounts that the next claims need, whose replay is what the cache saves.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from uuid import UUID

from eventsourcing.domain import Aggregate

# Ids of aggregates changed by others since a position of the log, skipping our own last commit
# (first, last position), and the highest position found; or, with no position, the log's head.
ForeignWrites = Callable[[int | None, tuple[int, int] | None], tuple[Sequence[UUID], int]]


class AggregateCache:
    """A bounded LRU of committed aggregates, current as of `position` in the log."""

    def __init__(
        self,
        maxsize: int,
        foreign_writes: ForeignWrites,
        worth_keeping: Callable[[Aggregate], bool] = lambda _aggregate: True,
    ) -> None:
        self.maxsize = maxsize
        self._foreign_writes = foreign_writes
        self._worth_keeping = worth_keeping
        self._entries: OrderedDict[UUID, Aggregate | None] = OrderedDict()
        self._position: int | None = None  # the log's position the entries are current at
        self._own: tuple[int, int] | None = None  # positions of our last commit, not yet seen

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def enabled(self) -> bool:
        return self.maxsize > 0

    def refresh(self) -> None:
        """Evict what others wrote since the cache was last current; call before a batch."""
        if not self.enabled:
            return
        if not self._entries:
            self._position, self._own = None, None
        changed, position = self._foreign_writes(self._position, self._own)
        for aggregate_id in changed:
            self._entries.pop(aggregate_id, None)
        self._position = position if self._position is None else max(self._position, position)
        if self._own is not None:
            self._position = max(self._position, self._own[1])
        self._own = None

    def take(self, aggregate_id: UUID) -> tuple[bool, Aggregate | None]:
        """Whether the aggregate is cached, and if so the aggregate, removed from the cache
        until its batch commits."""
        if aggregate_id in self._entries:
            return True, self._entries.pop(aggregate_id)
        return False, None

    def committed(
        self, aggregates: Mapping[UUID, Aggregate | None], positions: Iterable[int]
    ) -> None:
        """Keep a committed batch's aggregates; `positions` are the log positions it wrote."""
        if not self.enabled:
            return
        written = list(positions)
        if written:
            self._own = (min(written), max(written))
        for aggregate_id, aggregate in aggregates.items():
            if aggregate is None or not self._worth_keeping(aggregate):
                continue
            if aggregate.pending_events:
                continue  # not committed state; never expected, but never cached either
            self._entries[aggregate_id] = aggregate
            self._entries.move_to_end(aggregate_id)
        while len(self._entries) > self.maxsize:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        """Forget everything, e.g. after a failed batch."""
        self._entries.clear()
        self._position, self._own = None, None
