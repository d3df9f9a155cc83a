"""Insured persons (参保人员) and their enrollment periods."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.identity import person_aggregate_id
from domain.provenance import Provenance
from domain.reasons import Reason, Rejected


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


class Person(Aggregate):
    """An insured person, identified only by the source system's opaque id."""

    class Enrolled(Aggregate.Created):
        person_id: str
        region: str
        scheme: str
        category: str
        employer_id: str | None
        primary_institution: str | None
        provenance: Provenance

    class Reenrolled(Aggregate.Event):
        region: str
        scheme: str
        category: str
        employer_id: str | None
        primary_institution: str | None
        provenance: Provenance

    class EnrollmentEnded(Aggregate.Event):
        reason: str
        provenance: Provenance

    @staticmethod
    def create_id(person_id: str, **_: Any) -> UUID:
        return person_aggregate_id(person_id)

    @event(Enrolled)
    def __init__(
        self,
        *,
        person_id: str,
        region: str,
        scheme: str,
        category: str,
        employer_id: str | None,
        primary_institution: str | None,
        provenance: Provenance,
    ) -> None:
        self.person_id = person_id
        self.region = region
        self.employer_id = employer_id
        self.primary_institution = primary_institution
        self.periods = [EnrollmentPeriod(scheme, category, provenance.occurred_at)]

    @property
    def current_period(self) -> EnrollmentPeriod | None:
        """The enrollment in force now, if any."""
        last = self.periods[-1]
        return last if last.ended_at is None else None

    def enroll_again(
        self,
        *,
        region: str,
        scheme: str,
        category: str,
        employer_id: str | None,
        primary_institution: str | None,
        provenance: Provenance,
    ) -> None:
        """Enroll a person whose previous enrollment has ended."""
        if self.current_period is not None:
            raise Rejected(
                Reason.ALREADY_ENROLLED,
                f"person {self.person_id} is enrolled ({self.current_period.scheme}) "
                f"since {self.current_period.started_at.isoformat()}",
            )
        last_end = self.periods[-1].ended_at
        if last_end is not None and provenance.occurred_at < last_end:
            raise Rejected(
                Reason.OUT_OF_ORDER,
                f"re-enrollment of {self.person_id} at {provenance.occurred_at.isoformat()} "
                f"precedes the end of the last enrollment at {last_end.isoformat()}",
            )
        self._reenrolled(
            region=region,
            scheme=scheme,
            category=category,
            employer_id=employer_id,
            primary_institution=primary_institution,
            provenance=provenance,
        )

    @event(Reenrolled)
    def _reenrolled(
        self,
        *,
        region: str,
        scheme: str,
        category: str,
        employer_id: str | None,
        primary_institution: str | None,
        provenance: Provenance,
    ) -> None:
        self.region = region
        self.employer_id = employer_id
        self.primary_institution = primary_institution
        self.periods = [*self.periods, EnrollmentPeriod(scheme, category, provenance.occurred_at)]

    def end_enrollment(self, *, reason: str, provenance: Provenance) -> None:
        """End the enrollment in force."""
        current = self.current_period
        if current is None:
            raise Rejected(Reason.NOT_ENROLLED, f"person {self.person_id} has no enrollment to end")
        if provenance.occurred_at < current.started_at:
            raise Rejected(
                Reason.OUT_OF_ORDER,
                f"end of enrollment at {provenance.occurred_at.isoformat()} precedes its start "
                f"at {current.started_at.isoformat()}",
            )
        self._enrollment_ended(reason=reason, provenance=provenance)

    @event(EnrollmentEnded)
    def _enrollment_ended(self, *, reason: str, provenance: Provenance) -> None:
        last = self.periods[-1]
        ended = EnrollmentPeriod(
            last.scheme, last.category, last.started_at, provenance.occurred_at
        )
        self.periods = [*self.periods[:-1], ended]
