"""When each planned message is recorded at its source: its Kafka producer timestamp.

The scenario decides a month phase by phase (plan.Phase: reference data, enrollment, payments,
claims, clawbacks, sanctions), and what it expects of each message follows from that order: a
claim after a suspension decided the month before is refused. So the recording time follows it
too. Each phase of a month is a slot of the month (5 days apart); a message is recorded at its
slot's start or one second after the message before it, whichever is later. Recording times
therefore strictly increase in plan order (no ties to break), and a merge of the topics by
timestamp gives back the plan's order. `occurred_at` is the valid time the source states and
can lie earlier (a claim settled in February for a January visit); it is not the recording time.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.calendar import REGION_TZ
from scripts.simulation.plan import Planned

SLOT = timedelta(days=5)
STEP_MS = 1_000


@dataclass(frozen=True)
class Stamped:
    """A planned message with its recording time, in milliseconds since the epoch."""

    planned: Planned
    timestamp_ms: int


def slot_start_ms(year: int, month: int, phase: int) -> int:
    """The start of a phase's slot in a month of the plan (13 is the next January, 0 the
    December before), local time, in milliseconds since the epoch."""
    years, month_index = divmod(month - 1, 12)
    first = datetime(year + years, month_index + 1, 1, tzinfo=REGION_TZ)
    return int((first + phase * SLOT).timestamp() * 1000)


class Timeline:
    """Recording times for one stream of planned messages, in its order; one per feed, so that
    messages published in several calls still get increasing times."""

    def __init__(self, year: int) -> None:
        self._year = year
        self._last: int | None = None

    def stamped(self, planned: Iterable[Planned]) -> Iterator[Stamped]:
        for message in planned:
            month, phase = message.wave
            at = slot_start_ms(self._year, month, phase)
            if self._last is not None:
                at = max(at, self._last + STEP_MS)
            self._last = at
            yield Stamped(message, at)
