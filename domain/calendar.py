"""Calendar arithmetic the rules need: the region's day, month lengths, working days."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

ONE_DAY = timedelta(days=1)
# The pooling regions' time zone (China Standard Time): the one zone of every local day, in the
# domain and the read models alike. A message's own UTC offset says when, never which day.
REGION_TZ = timezone(timedelta(hours=8), "CST")
# The days the ledger accepts (the region's days, inclusive). Any real service, decision or window
# lies well inside; a day, the day after it and its instants in any offset fit Python's datetime
# and PostgreSQL alike, so nothing accepted overflows later in the domain or a read model.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2199, 12, 31)


def service_day(moment: datetime) -> date:
    """The region's calendar day (+08:00) an instant falls on, whatever offset it was written in."""
    if moment.tzinfo is None:
        raise ValueError(f"{moment!r} has no UTC offset: its day would be a guess")
    return moment.astimezone(REGION_TZ).date()


@dataclass(frozen=True, kw_only=True)
class DayWindow:
    """Days from `effective_from` to `effective_to`, both inclusive; None: open-ended."""

    effective_from: date
    effective_to: date | None

    def in_force_on(self, day: date) -> bool:
        """Whether the window covers a given day."""
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )


def add_months(day: date, months: int) -> date:
    """The same day `months` later, held at the month's end (Jan 31 + 1 month = Feb 28/29)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def window_months_within(start: date, last_day: date, shortest: int, longest: int) -> bool:
    """Whether an inclusive window [start, last_day] lasts between the given whole months."""
    end = last_day + ONE_DAY  # the first day no longer in force
    return add_months(start, shortest) <= end <= add_months(start, longest)


def working_days_after(start: date, end: date) -> int:
    """Monday-to-Friday days after `start` up to and including `end` (holidays not known)."""
    count, day = 0, start
    while day < end:
        day += ONE_DAY
        if day.weekday() < 5:
            count += 1
    return count
