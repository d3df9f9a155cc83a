"""Insurance doctors (医保医师): where they practise, their points per year, and the
suspension (9 points) and termination (12 points) the points produce."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.calendar import ONE_DAY, add_months
from domain.identity import doctor_aggregate_id
from domain.provenance import Provenance
from domain.restrictions import Restriction, RestrictionKind, cut, in_force

SUSPENSION_POINTS = 9
TERMINATION_POINTS = 12


class Doctor(Aggregate):
    """An insurance doctor; points reset each calendar year."""

    class Registered(Aggregate.Created):
        doctor_id: str
        region: str
        institutions: tuple[str, ...]
        provenance: Provenance

    class Reregistered(Aggregate.Event):
        institutions: tuple[str, ...]
        provenance: Provenance

    class PointsRecorded(Aggregate.Event):
        sanction_id: str
        year: int
        points: int
        year_total: int
        provenance: Provenance

    class PointsChanged(Aggregate.Event):
        sanction_id: str
        year: int
        points: int
        year_total: int
        provenance: Provenance

    class Suspended(Aggregate.Event):
        sanction_id: str
        effective_from: date
        effective_to: date
        provenance: Provenance

    class Terminated(Aggregate.Event):
        sanction_id: str
        effective_from: date
        provenance: Provenance

    class RestrictionCut(Aggregate.Event):
        sanction_id: str
        effective_to: date
        provenance: Provenance

    @staticmethod
    def create_id(doctor_id: str, **_: Any) -> UUID:
        return doctor_aggregate_id(doctor_id)

    @event(Registered)
    def __init__(
        self,
        *,
        doctor_id: str,
        region: str,
        institutions: tuple[str, ...],
        provenance: Provenance,
    ) -> None:
        self.doctor_id = doctor_id
        self.region = region
        self.institutions = tuple(institutions)
        self.points: dict[int, dict[str, int]] = {}  # year -> sanction id -> points
        self.restrictions: tuple[Restriction, ...] = ()

    def year_total(self, year: int) -> int:
        """Points of a calendar year."""
        return sum(self.points.get(year, {}).values())

    def refusal_on(self, day: date) -> str | None:
        """Why services on a day are not settled because of this doctor, or None."""
        for kind in (RestrictionKind.DOCTOR_TERMINATION, RestrictionKind.DOCTOR_SUSPENSION):
            if in_force(self.restrictions, kind, day):
                return "doctor_suspended"
        return None

    @event(Reregistered)
    def reregister(self, *, institutions: tuple[str, ...], provenance: Provenance) -> None:
        """Replace the institutions the doctor practises at."""
        self.institutions = tuple(institutions)

    def record_points(
        self,
        *,
        sanction_id: str,
        points: int,
        effective_from: date,
        suspension_months: int,
        provenance: Provenance,
    ) -> None:
        """Add an incident's points; crossing 9 suspends, crossing 12 terminates."""
        year = effective_from.year
        before = self.year_total(year)
        after = before + points
        self._points_recorded(
            sanction_id=sanction_id,
            year=year,
            points=points,
            year_total=after,
            provenance=provenance,
        )
        if before < TERMINATION_POINTS <= after:
            self._terminated(
                sanction_id=sanction_id, effective_from=effective_from, provenance=provenance
            )
        elif before < SUSPENSION_POINTS <= after:
            last_day = add_months(effective_from, suspension_months) - ONE_DAY
            self._suspended(
                sanction_id=sanction_id,
                effective_from=effective_from,
                effective_to=last_day,
                provenance=provenance,
            )

    def change_points(
        self, *, sanction_id: str, year: int, points: int, from_day: date, provenance: Provenance
    ) -> None:
        """Change an incident's points on appeal; effects falling below 12 or 9 end the day
        before `from_day`, without touching what was in force before."""
        after = self.year_total(year) - self.points.get(year, {}).get(sanction_id, 0) + points
        self._points_changed(
            sanction_id=sanction_id,
            year=year,
            points=points,
            year_total=after,
            provenance=provenance,
        )
        last_day = from_day - ONE_DAY
        for restriction in self.restrictions:
            fallen = (
                restriction.kind == RestrictionKind.DOCTOR_TERMINATION
                and after < TERMINATION_POINTS
            ) or (
                restriction.kind == RestrictionKind.DOCTOR_SUSPENSION and after < SUSPENSION_POINTS
            )
            still_running = restriction.effective_to is None or restriction.effective_to > last_day
            if restriction.effective_from.year == year and fallen and still_running:
                self.cut_restriction(
                    sanction_id=restriction.sanction_id,
                    effective_to=last_day,
                    provenance=provenance,
                )

    @event(PointsRecorded)
    def _points_recorded(
        self, *, sanction_id: str, year: int, points: int, year_total: int, provenance: Provenance
    ) -> None:
        self.points = {**self.points, year: {**self.points.get(year, {}), sanction_id: points}}

    @event(PointsChanged)
    def _points_changed(
        self, *, sanction_id: str, year: int, points: int, year_total: int, provenance: Provenance
    ) -> None:
        self.points = {**self.points, year: {**self.points.get(year, {}), sanction_id: points}}

    @event(Suspended)
    def _suspended(
        self, *, sanction_id: str, effective_from: date, effective_to: date, provenance: Provenance
    ) -> None:
        kind = RestrictionKind.DOCTOR_SUSPENSION
        restriction = Restriction(
            sanction_id, kind, effective_from=effective_from, effective_to=effective_to
        )
        self.restrictions = (*self.restrictions, restriction)

    @event(Terminated)
    def _terminated(
        self, *, sanction_id: str, effective_from: date, provenance: Provenance
    ) -> None:
        kind = RestrictionKind.DOCTOR_TERMINATION
        self.restrictions = (
            *self.restrictions,
            Restriction(sanction_id, kind, effective_from=effective_from, effective_to=None),
        )

    @event(RestrictionCut)
    def cut_restriction(
        self, *, sanction_id: str, effective_to: date, provenance: Provenance
    ) -> None:
        """End a restriction no later than `effective_to`."""
        self.restrictions = cut(self.restrictions, sanction_id, effective_to)
