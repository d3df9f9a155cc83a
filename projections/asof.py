"""What `as_of` (valid time) and `known_at` (system time) mean, in one place.

- A datetime with a UTC offset is an exact instant.
- A bare date means the END of that day in the pooling regions' time zone (China Standard Time,
  +08:00): "as of 2019-12-31" includes everything effective on 2019-12-31, and "known at
  2020-01-01" includes everything the ledger recorded during 2020-01-01 (Beijing time).
- A datetime without an offset is refused: guessing a zone would silently move the answer.
- Both default to now. Days outside the ledger's calendar (domain/calendar.py) are refused.
- Totals and balances have day resolution in valid time: a fact counts from the start of the
  local day it is valid on, so any `as_of` within a day sees all of that day's facts. Known
  time is exact.

An instant `t` sees a fact with valid time `v` (or recording time `r`) when `v <= t` (`r <= t`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from domain.calendar import FIRST_DAY, LAST_DAY, REGION_TZ, service_day

MICROSECOND = timedelta(microseconds=1)


class AsOfError(ValueError):
    """A time argument that cannot be read without guessing."""


def day_start(day: date) -> datetime:
    """00:00 of a day in the regions' time zone."""
    return datetime.combine(day, time(), REGION_TZ)


def end_of_day(day: date) -> datetime:
    """The last representable instant of a day in the regions' time zone."""
    return day_start(day + timedelta(days=1)) - MICROSECOND


def start_of_day(moment: datetime) -> datetime:
    """00:00 of the instant's day in the regions' time zone."""
    return day_start(service_day(moment))


@lru_cache(maxsize=4096)  # a page asks about the same few hundred days thousands of times
def start_of_month(day: datetime) -> datetime:
    """00:00 of the 1st of the month of a day start (`start_of_day`), in the regions' time zone."""
    return day_start(service_day(day).replace(day=1))


def next_month(month: datetime) -> datetime:
    """00:00 of the 1st of the month after the one `month` starts."""
    first = service_day(month).replace(day=1)
    return day_start(first.replace(year=first.year + first.month // 12, month=first.month % 12 + 1))


def start_of_year(year: int) -> datetime:
    """1 January 00:00 in the regions' time zone."""
    return datetime(year, 1, 1, tzinfo=REGION_TZ)


def parse_instant(text: str) -> datetime:
    """An `as_of`/`known_at` argument: a date (end of that day, +08:00) or an offset datetime."""
    text = text.strip()
    try:
        moment = (
            datetime.combine(date.fromisoformat(text), time(), REGION_TZ)
            if len(text) == 10
            else datetime.fromisoformat(text)
        )
    except ValueError:
        raise AsOfError(
            f"{text!r} is neither a date (2019-12-31) nor a datetime with an offset"
        ) from None
    if moment.tzinfo is None:
        raise AsOfError(f"{text!r} has no UTC offset; write e.g. {text}+08:00")
    try:
        day = service_day(moment)
    except OverflowError:  # 9999-12-31T23:00-05:00 is in year 10000 in +08:00
        day = moment.date()  # then far outside the calendar anyway
    # The ledger holds no fact outside its calendar, and the end of 9999-12-31 is no instant
    # Python or PostgreSQL can compute with.
    if not FIRST_DAY <= day <= LAST_DAY:
        raise AsOfError(f"{text!r} is outside the ledger's calendar ({FIRST_DAY}..{LAST_DAY})")
    return end_of_day(day) if len(text) == 10 else moment


def region_year(moment: datetime) -> int:
    """The calendar year an instant falls in, in the regions' time zone."""
    return service_day(moment).year


@dataclass(frozen=True)
class Bitemporal:
    """The point a query looks at: valid time and system time."""

    as_of: datetime
    known_at: datetime

    @classmethod
    def of(cls, as_of: datetime | None, known_at: datetime | None, now: datetime) -> Bitemporal:
        """Fill defaults with `now`; refuse naive datetimes."""
        point = cls(as_of or now, known_at or now)
        if point.as_of.tzinfo is None or point.known_at.tzinfo is None:
            raise AsOfError("as_of and known_at must be timezone-aware")
        return point
