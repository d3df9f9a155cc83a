"""Insured persons (参保人员) and their enrollment periods."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.calendar import ONE_DAY, service_day
from domain.identity import person_aggregate_id
from domain.person_values import Category, EndReason, EnrollmentPeriod, Scheme, StatusWindow
from domain.provenance import Provenance
from domain.reasons import Reason, Rejected
from domain.restrictions import Restriction, RestrictionKind, cut, in_force


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

    class EnrollmentRenewed(Aggregate.Event):
        year: int
        category: str | None
        provenance: Provenance

    class StatusCertified(Aggregate.Event):
        status: str
        certified_by: str
        certificate_no: str
        effective_to: date | None
        provenance: Provenance

    class StatusRevoked(Aggregate.Event):
        status: str
        reason: str
        provenance: Provenance

    class NetworkedSettlementSuspended(Aggregate.Event):
        sanction_id: str
        effective_from: date
        effective_to: date | None
        provenance: Provenance

    class RestrictionCut(Aggregate.Event):
        sanction_id: str
        effective_to: date
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
        self.statuses: tuple[StatusWindow, ...] = ()
        self.restrictions: tuple[Restriction, ...] = ()

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

    # Coverage, statuses and restrictions as a settlement on a given date sees them.

    def covered_at(self, moment: datetime) -> EnrollmentPeriod | None:
        """The enrollment in force at a moment, if any."""
        for period in self.periods:
            if period.started_at <= moment and (
                period.ended_at is None or moment < period.ended_at
            ):
                return period
        return None

    def statuses_on(self, day: date) -> frozenset[str]:
        """The statuses certified and in force on a day."""
        return frozenset(w.status for w in self.statuses if w.in_force_on(day))

    def networked_settlement_suspended_on(self, day: date) -> Restriction | None:
        """The networked-settlement suspension in force on a day, if any."""
        return in_force(self.restrictions, RestrictionKind.NETWORKED_SETTLEMENT_SUSPENSION, day)

    @property
    def latest_scheme(self) -> str:
        """The scheme of the latest enrollment, ended or not."""
        return self.periods[-1].scheme

    def renew(self, *, year: int, category: str | None, provenance: Provenance) -> None:
        """Record the annual renewal of the enrollment in force."""
        if self.current_period is None:
            raise Rejected(
                Reason.NOT_ENROLLED, f"person {self.person_id} has no enrollment to renew"
            )
        self._renewed(year=year, category=category, provenance=provenance)

    @event(EnrollmentRenewed)
    def _renewed(self, *, year: int, category: str | None, provenance: Provenance) -> None:
        if category is not None:
            self.periods = [*self.periods[:-1], replace(self.periods[-1], category=category)]

    def certify(
        self,
        *,
        status: str,
        certified_by: str,
        certificate_no: str,
        effective_to: date | None,
        provenance: Provenance,
    ) -> None:
        """Record a certified status from the effective date on."""
        start = service_day(provenance.occurred_at)
        if effective_to is not None and effective_to < start:
            raise Rejected(
                Reason.DATES_OUT_OF_ORDER,
                f"status {status} ends {effective_to} before it starts {start}",
            )
        self._certified(
            status=status,
            certified_by=certified_by,
            certificate_no=certificate_no,
            effective_to=effective_to,
            provenance=provenance,
        )

    @event(StatusCertified)
    def _certified(
        self,
        *,
        status: str,
        certified_by: str,
        certificate_no: str,
        effective_to: date | None,
        provenance: Provenance,
    ) -> None:
        window = StatusWindow(
            status,
            certificate_no,
            effective_from=service_day(provenance.occurred_at),
            effective_to=effective_to,
        )
        self.statuses = (*self.statuses, window)

    def revoke_status(self, *, status: str, reason: str, provenance: Provenance) -> None:
        """End a status in force: its last day becomes the day before the effective date."""
        if status not in self.statuses_on(service_day(provenance.occurred_at)):
            raise Rejected(
                Reason.NOT_CERTIFIED,
                f"person {self.person_id} has no {status} status in force on "
                f"{service_day(provenance.occurred_at)}",
            )
        self._status_revoked(status=status, reason=reason, provenance=provenance)

    @event(StatusRevoked)
    def _status_revoked(self, *, status: str, reason: str, provenance: Provenance) -> None:
        day = service_day(provenance.occurred_at)
        last = day - ONE_DAY
        self.statuses = tuple(
            replace(w, effective_to=last) if w.status == status and w.in_force_on(day) else w
            for w in self.statuses
        )

    def suspend_networked_settlement(
        self,
        *,
        sanction_id: str,
        effective_from: date,
        effective_to: date | None,
        provenance: Provenance,
    ) -> None:
        """Record a networked-settlement suspension (article 41) imposed by a sanction."""
        self._networked_settlement_suspended(
            sanction_id=sanction_id,
            effective_from=effective_from,
            effective_to=effective_to,
            provenance=provenance,
        )

    @event(NetworkedSettlementSuspended)
    def _networked_settlement_suspended(
        self,
        *,
        sanction_id: str,
        effective_from: date,
        effective_to: date | None,
        provenance: Provenance,
    ) -> None:
        kind = RestrictionKind.NETWORKED_SETTLEMENT_SUSPENSION
        restriction = Restriction(
            sanction_id, kind, effective_from=effective_from, effective_to=effective_to
        )
        self.restrictions = (*self.restrictions, restriction)

    def cut_restriction(
        self, *, sanction_id: str, effective_to: date, provenance: Provenance
    ) -> None:
        """End a sanction's restriction on this person no later than `effective_to`."""
        self._restriction_cut(
            sanction_id=sanction_id, effective_to=effective_to, provenance=provenance
        )

    @event(RestrictionCut)
    def _restriction_cut(
        self, *, sanction_id: str, effective_to: date, provenance: Provenance
    ) -> None:
        self.restrictions = cut(self.restrictions, sanction_id, effective_to)


__all__ = ["Category", "EndReason", "EnrollmentPeriod", "Person", "Scheme", "StatusWindow"]
