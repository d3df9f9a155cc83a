"""Values describing insured persons: scheme, category, enrollment periods and statuses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.calendar import DayWindow


class Scheme(StrEnum):
    """Insurance scheme."""

    EMPLOYEE = "employee"  # 城镇职工
    RESIDENT = "resident"  # 城乡居民


class Category(StrEnum):
    """Insured category."""

    EMPLOYEE = "employee"
    RETIREE = "retiree"
    STUDENT = "student"
    CHILD = "child"
    ADULT = "adult"
    ELDERLY = "elderly"


class EndReason(StrEnum):
    """Why an enrollment ended."""

    DECEASED = "deceased"
    MOVED_AWAY = "moved_away"
    SWITCHED_SCHEME = "switched_scheme"
    LAPSED = "lapsed"
    OTHER = "other"


@dataclass(frozen=True)
class EnrollmentPeriod:
    """A span of coverage; `ended_at` is None while it lasts."""

    scheme: str
    category: str
    started_at: datetime
    ended_at: datetime | None = None


@dataclass(frozen=True)
class StatusWindow(DayWindow):
    """A certified status, in force over its window (both ends inclusive)."""

    status: str
    certificate_no: str
