"""Plan, in memory, what several recordings do to a cumulative table (no database here).

Applying a page of the log one recording at a time re-reads and re-writes a busy key's rows once
per recording: a row inserted by one recording is often closed by the next one of the same page.
This plan keeps the touched keys' current rows in memory across the recordings of a page and
leaves, at its end, only the net writes: stored rows to drop or close, rows to insert (with
their final known_to, so a row born and closed within the page is written once, closed), days
to add, and frontiers to raise on stored days. The result is row for row what the recordings
applied one by one would have left (tests/integration/test_cumulative.py checks it).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from projections.steps import Amounts, Step, restep


@dataclass
class Row:
    """A current row of a key: its step, when it became known, and whether it is stored."""

    step: Step
    known_from: datetime
    stored: bool


@dataclass
class Day:
    """A day that became a step of a key, when, and the frontier known then."""

    key: str
    day: datetime
    created_at: datetime
    frontier: datetime


# A row to insert: key, valid_from, valid_to (None: open), known_from, known_to (None: current),
# amounts.
Insert = tuple[str, datetime, datetime | None, datetime, datetime | None, Amounts]


@dataclass
class PagePlan:
    """The net writes of a page's recordings on one table, from the stored current rows of its
    keys (those reaching past each key's earliest day in the page)."""

    width: int
    current: dict[str, list[Row]]
    drops: list[tuple[str, datetime]] = field(default_factory=list)
    closes: list[tuple[str, datetime, datetime]] = field(default_factory=list)  # key, from, at
    closed_inserts: list[Insert] = field(default_factory=list)
    days: list[Day] = field(default_factory=list)  # added in this page
    _days_at: dict[tuple[str, datetime], list[Day]] = field(default_factory=dict)
    # Frontier raises of days stored before the page: (key, created_at) -> highest frontier.
    raises: dict[tuple[str, datetime], datetime] = field(default_factory=dict)

    def record(self, key: str, deltas: Mapping[datetime, Amounts], known: datetime) -> None:
        """One recording's totals per day of `key`, known from `known` (in log order)."""
        rows = self.current.setdefault(key, [])
        earliest = min(deltas)
        # The row holding `earliest` and those after it, as the table's CURRENT_FROM reads them.
        start = max(bisect_right([r.step.valid_from for r in rows], earliest) - 1, 0)
        old = rows[start:]
        # Known time never runs backwards for a key, even if writers' clocks disagree.
        at = max([known, *(r.known_from for r in old)])
        for r in old:
            if r.known_from == at:
                if r.stored:
                    self.drops.append((key, r.step.valid_from))
            elif r.stored:
                self.closes.append((key, r.step.valid_from, at))
            else:
                s = r.step
                self.closed_inserts.append(
                    (key, s.valid_from, s.valid_to, r.known_from, at, s.amounts)
                )
        steps = restep([r.step for r in old], deltas, self.width)
        rows[start:] = [Row(s, at, stored=False) for s in steps]
        new_days = sorted(set(deltas) - {r.step.valid_from for r in old})
        if new_days:
            frontier = max([new_days[-1], *(r.step.valid_from for r in old[-1:])])
            # As the table's RAISE_FRONTIER: every day of the key created at `at` so far.
            raised = self.raises.get((key, at))
            if raised is None or raised < frontier:
                self.raises[(key, at)] = frontier
            added = self._days_at.setdefault((key, at), [])
            for d in added:
                d.frontier = max(d.frontier, frontier)
            made = [Day(key, day, at, frontier) for day in new_days]
            added.extend(made)
            self.days.extend(made)

    def inserts(self) -> list[Insert]:
        """Every row to insert: those closed within the page, then the current ones."""
        current: list[Insert] = [
            (key, r.step.valid_from, r.step.valid_to, r.known_from, None, r.step.amounts)
            for key, rows in self.current.items()
            for r in rows
            if not r.stored
        ]
        return self.closed_inserts + current


def stored_rows(
    rows: Sequence[tuple[str, datetime, datetime | None, datetime, Amounts]],
) -> dict[str, list[Row]]:
    """Stored current rows (key, valid_from, valid_to, known_from, amounts), in key and valid
    order, as the plan's starting point."""
    current: dict[str, list[Row]] = {}
    for key, valid_from, valid_to, known_from, amounts in rows:
        current.setdefault(key, []).append(
            Row(Step(valid_from, valid_to, amounts), known_from, True)
        )
    return current
