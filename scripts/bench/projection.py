"""Projection figures: catching every read model up from zero, rebuilding them and checking them,
each against a plain read of the log.

The plain read pages through the notification log exactly as the runner does (same page size,
same library call) but decodes nothing and writes nothing: the floor of any projection.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from infra.store import Ledger
from projections.check import check, rebuild
from projections.runner import BATCH_SIZE, catch_up, open_projections


@dataclass
class ReadFigures:
    """Events read and seconds spent."""

    events: int = 0
    seconds: float = 0.0

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


def plain_read(ledger: Ledger, size: int = BATCH_SIZE) -> ReadFigures:
    """Page through the whole log without decoding it."""
    figures = ReadFigures()
    started = time.perf_counter()
    after = 0
    while notifications := ledger.recorder.select_notifications(
        after, size, inclusive_of_start=False
    ):
        figures.events += len(notifications)
        after = notifications[-1].id
    figures.seconds = time.perf_counter() - started
    return figures


class TimedCatchUp:
    """Catches the live read models up in steps, adding up the time spent projecting."""

    def __init__(self, ledger: Ledger) -> None:
        self._ledger = ledger
        self._projections = open_projections(ledger)
        self.figures = ReadFigures()

    def to(self, until: int | None = None) -> int:
        """Catch up to position `until` (the end if None); returns the position reached."""
        started = time.perf_counter()
        self.figures.events += catch_up(self._ledger, self._projections, until=until)
        self.figures.seconds += time.perf_counter() - started
        return min(p.position() for p in self._projections)


class Counted:
    """Counts the events a replay reports, page by page."""

    def __init__(self) -> None:
        self.events = 0

    def __call__(self, events: int) -> None:
        self.events = events


def timed_rebuild(ledger: Ledger) -> ReadFigures:
    """Rebuild every read model from the log, timed."""
    counted = Counted()
    started = time.perf_counter()
    rebuild(ledger, on_page=counted)
    return ReadFigures(counted.events, time.perf_counter() - started)


def timed_check(ledger: Ledger) -> tuple[ReadFigures, bool]:
    """Check every read model against a scratch rebuild, timed; and whether it passed."""
    counted = Counted()
    started = time.perf_counter()
    report = check(ledger, on_page=counted)
    return ReadFigures(counted.events, time.perf_counter() - started), report.ok
