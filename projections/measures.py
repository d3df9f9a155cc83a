"""Agreement measures (interviews, public criticisms, rectifications, deferred settlements,
referrals), bitemporal: one row per version of a measure, with its known-time range.

Beside `sanction_windows` (what is in force) this keeps what a penalty status lists as a
target's record: the case and decision document of every measure, and how a window measure
ended (lifted, or on appeal), which `domain/measures.py` turns into its state on a day.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, ClassVar

from psycopg import Cursor

from domain.calendar import service_day
from domain.measures import measure_state
from projections.asof import MICROSECOND
from projections.sanction_facts import MeasureRecord, SanctionEnd
from projections.sanctions import VersionedTable, supersede

CREATE = """
CREATE TABLE IF NOT EXISTS {table} (
    sanction_id       text NOT NULL,
    target            text NOT NULL,
    kind              text NOT NULL,
    case_id           text NOT NULL,
    decision_document text NOT NULL,
    decision_date     date NOT NULL,
    effective_from    timestamptz NOT NULL,
    effective_until   timestamptz NOT NULL,  -- exclusive; 'infinity': no window or open-ended
    deadline          date,                  -- the last day as decided
    ended_by          text,                  -- what cut the window short, if anything did
    referred_to       text,
    known_from        timestamptz NOT NULL,
    known_to          timestamptz NOT NULL,
    -- One version of a measure at any known time.
    CONSTRAINT {versions} EXCLUDE USING gist (
        sanction_id WITH =, tstzrange(known_from, known_to) WITH &&)
);
CREATE INDEX IF NOT EXISTS {index} ON {table} (target, effective_from);
"""
COLUMNS = """sanction_id, target, kind, case_id, decision_document, decision_date, effective_from,
             NULLIF(effective_until, 'infinity'), deadline, referred_to"""
CURRENT = (
    "SELECT " + COLUMNS + ", ended_by, known_from FROM {table}"
    " WHERE sanction_id = %s AND known_to = 'infinity' FOR UPDATE"
)
INSERT = """
INSERT INTO {table} (sanction_id, target, kind, case_id, decision_document, decision_date,
                     effective_from, effective_until, deadline, referred_to, ended_by, known_from,
                     known_to)
VALUES (%s, %s, %s, %s, %s, %s, %s, COALESCE(%s::timestamptz, 'infinity'), %s, %s, %s, %s,
        'infinity')
"""
OF_TARGET = (
    "SELECT " + COLUMNS + ", ended_by FROM {table}"
    " WHERE target = %s AND effective_from <= %s::timestamptz"
    " AND tstzrange(known_from, known_to) @> %s::timestamptz"
    " ORDER BY effective_from, decision_date, case_id, sanction_id"
)


@dataclass(frozen=True)
class MeasureStatus:
    """A measure on a target's record at the queried point, and where it stands then."""

    kind: str
    state: str
    case_id: str
    decision_document: str
    decision_date: date
    effective_from: date
    deadline: date | None  # the last day as decided
    last_day: date | None  # the last day in force as known (after a lift or an appeal)
    referred_to: str | None


def status_of(m: MeasureRecord, ended_by: str | None, as_of: datetime) -> MeasureStatus:
    """Where measure `m` stands at `as_of` (its row holds how it ended, if it did)."""
    start = service_day(m.effective_from)
    last = None if m.effective_until is None else service_day(m.effective_until - MICROSECOND)
    day = service_day(as_of)
    state = measure_state(m.kind, effective_from=start, last_day=last, ended_by=ended_by, day=day)
    return MeasureStatus(
        kind=m.kind,
        state=str(state),
        case_id=m.case_id,
        decision_document=m.decision_document,
        decision_date=m.decision_date,
        effective_from=start,
        deadline=m.deadline,
        last_day=last,
        referred_to=m.referred_to,
    )


@dataclass(frozen=True)
class MeasureTable(VersionedTable):
    """The bitemporal measure records of one schema."""

    name: str = "measure_records"
    ddl: ClassVar[str] = CREATE
    index: ClassVar[str] = "by_target"

    def record(self, curs: Cursor[Any], measure: MeasureRecord, known: datetime) -> None:
        """A measure as decided, known from `known` on."""
        self._insert(curs, measure, None, known)

    def end(self, curs: Cursor[Any], end: SanctionEnd, known: datetime) -> None:
        """A measure's window ends at `end.at`: a new version known from `known` on (nothing, if
        `end` is about a sanction that is not a measure, or does not shorten its window)."""
        curs.execute(self._sql(CURRENT), (end.sanction_id,))
        row = curs.fetchone()
        if row is None:
            return
        current, known_from = MeasureRecord(*row[:10]), row[11]
        until = current.effective_until
        if until is not None and until <= end.at:
            return
        cut = replace(current, effective_until=max(end.at, current.effective_from))
        self._insert(
            curs, cut, end.by, supersede(curs, self.table, end.sanction_id, known, known_from)
        )

    def _insert(
        self, curs: Cursor[Any], m: MeasureRecord, ended_by: str | None, known: datetime
    ) -> None:
        curs.execute(
            self._sql(INSERT),
            (
                m.sanction_id,
                m.target,
                m.kind,
                m.case_id,
                m.decision_document,
                m.decision_date,
                m.effective_from,
                m.effective_until,
                m.deadline,
                m.referred_to,
                ended_by,
                known,
            ),
        )

    def send_of_target(
        self, curs: Cursor[Any], target: str, as_of: datetime, known_at: datetime
    ) -> None:
        """Send the query of the measures of `target` in effect by `as_of`, as known at
        `known_at`; in a pipeline it shares a round trip with the penalty status' others."""
        curs.execute(self._sql(OF_TARGET), (target, as_of, known_at), prepare=True)

    def read_of_target(self, curs: Cursor[Any], as_of: datetime) -> list[MeasureStatus]:
        """The measures the query sent on `curs` found, each with where it stands at `as_of`."""
        return [status_of(MeasureRecord(*row[:10]), row[10], as_of) for row in curs.fetchall()]
