"""The latest terms of each sanction (in log order): what later sanction events are resolved
against. Not bitemporal itself; the deltas and windows it yields are."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from psycopg import Cursor, sql

from domain.measures import EndedBy
from projections.asof import region_year
from projections.cumulative import Delta
from projections.sanction_facts import (
    AppealDecided,
    DoctorRestricted,
    FinePaid,
    Imposed,
    MeasureRecord,
    SanctionEnd,
    SanctionFact,
    SanctionWindow,
)

CREATE = """
CREATE TABLE IF NOT EXISTS {table} (
    sanction_id text PRIMARY KEY,
    target      text NOT NULL,
    kind        text NOT NULL,
    case_id     text NOT NULL,
    fine        numeric NOT NULL,
    paid        numeric NOT NULL,
    points      integer NOT NULL,
    points_key  text NOT NULL
)
"""
INSERT = "INSERT INTO {table} VALUES (%s, %s, %s, %s, %s, 0, %s, %s)"
SELECT = (
    "SELECT target, kind, case_id, fine, paid, points, points_key FROM {table}"
    " WHERE sanction_id = %s"
)
UPDATE = "UPDATE {table} SET fine = %s, paid = %s, points = %s WHERE sanction_id = %s"


@dataclass
class Resolved:
    """What resolved sanction facts add to the penalty read model."""

    fines: list[Delta] = field(default_factory=list)  # (fines_due, fines_paid)
    points: list[Delta] = field(default_factory=list)
    # In log order: a measure's record comes before what ends it.
    windows: list[SanctionWindow | SanctionEnd | MeasureRecord] = field(default_factory=list)


@dataclass(frozen=True)
class _Terms:
    target: str
    kind: str
    case_id: str
    fine: Decimal
    paid: Decimal
    points: int
    points_key: str


@dataclass(frozen=True)
class SanctionTerms:
    """The `sanction_terms` table of one schema."""

    schema: str
    name: str = "sanction_terms"

    def _sql(self, template: str) -> sql.Composed:
        return sql.SQL(template).format(table=sql.Identifier(self.schema, self.name))

    def create(self, curs: Cursor[Any]) -> None:
        """Create the table if missing."""
        curs.execute(self._sql(CREATE))

    def _get(self, curs: Cursor[Any], sanction_id: str) -> _Terms:
        curs.execute(self._sql(SELECT), (sanction_id,))
        row = curs.fetchone()
        if row is None:
            # The log holds a sanction's later events only after its imposition.
            raise LookupError(f"sanction {sanction_id} has no recorded imposition")
        return _Terms(*row)

    def resolve(self, curs: Cursor[Any], facts: Sequence[SanctionFact]) -> Resolved:
        """Apply sanction facts in log order to the terms; the deltas and windows they make."""
        out = Resolved()
        for fact in facts:
            if isinstance(fact, Imposed):
                self._imposed(curs, fact, out)
            elif isinstance(fact, FinePaid):
                t = self._get(curs, fact.sanction_id)
                curs.execute(
                    self._sql(UPDATE), (t.fine, t.paid + fact.amount, t.points, fact.sanction_id)
                )
                out.fines.append(Delta(t.target, fact.valid, (-fact.amount, fact.amount)))
            elif isinstance(fact, AppealDecided):
                self._appeal(curs, fact, out)
            elif isinstance(fact, DoctorRestricted):
                t = self._get(curs, fact.trigger)
                out.windows.append(
                    SanctionWindow(
                        f"{fact.trigger}:{fact.kind}",
                        t.target,
                        fact.kind,
                        t.case_id,
                        "doctor_points",
                        fact.effective_from,
                        fact.effective_until,
                    )
                )
            else:
                out.windows.append(fact)
        return out

    def _imposed(self, curs: Cursor[Any], fact: Imposed, out: Resolved) -> None:
        points_key = f"{fact.target}:{region_year(fact.points_from)}"
        curs.execute(
            self._sql(INSERT),
            (
                fact.sanction_id,
                fact.target,
                fact.kind,
                fact.case_id,
                fact.fine,
                fact.points,
                points_key,
            ),
        )
        if fact.fine:
            out.fines.append(Delta(fact.target, fact.valid, (fact.fine, Decimal(0))))
        if fact.points:
            out.points.append(Delta(points_key, fact.points_from, (Decimal(fact.points),)))
        if fact.window is not None:
            out.windows.append(fact.window)
        if fact.measure is not None:
            out.windows.append(fact.measure)

    def _appeal(self, curs: Cursor[Any], fact: AppealDecided, out: Resolved) -> None:
        t = self._get(curs, fact.sanction_id)
        # Revoked: a fine stays due only as far as it was paid; points are removed.
        fine = fact.fine if fact.fine is not None else (t.paid if fact.revoked else t.fine)
        points = fact.points if fact.points is not None else (0 if fact.revoked else t.points)
        curs.execute(self._sql(UPDATE), (fine, t.paid, points, fact.sanction_id))
        if fine != t.fine:
            out.fines.append(Delta(t.target, fact.decided, (fine - t.fine, Decimal(0))))
        if points != t.points:
            out.points.append(Delta(t.points_key, fact.decided, (Decimal(points - t.points),)))
        if fact.window_end is not None:
            out.windows.append(SanctionEnd(fact.sanction_id, fact.window_end, EndedBy.APPEAL))
        elif fact.revoked:
            out.windows.append(SanctionEnd(fact.sanction_id, fact.decided, EndedBy.APPEAL))
