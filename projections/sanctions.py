"""Sanction windows, bitemporal: one row per version of a sanction, with its known-time range.

Lifting or revoking a sanction never edits history: the version known until then is closed
(known_to = recorded time) and a version with the shortened window is known from then on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from psycopg import Cursor, sql

from projections.sanction_facts import SanctionEnd, SanctionWindow

CREATE = """
CREATE TABLE IF NOT EXISTS {table} (
    sanction_id     text NOT NULL,
    target          text NOT NULL,
    kind            text NOT NULL,
    case_id         text NOT NULL,
    legal_basis     text NOT NULL,
    effective_from  timestamptz NOT NULL,
    effective_until timestamptz NOT NULL,  -- exclusive; 'infinity' when open-ended
    known_from      timestamptz NOT NULL,
    known_to        timestamptz NOT NULL,
    -- One version of a sanction at any known time.
    CONSTRAINT {versions} EXCLUDE USING gist (
        sanction_id WITH =, tstzrange(known_from, known_to) WITH &&)
);
-- A target has a handful of sanctions: its rows are found by target, then filtered.
CREATE INDEX IF NOT EXISTS {index} ON {table} (target, effective_from);
"""

CURRENT = """
SELECT sanction_id, target, kind, case_id, legal_basis, effective_from,
       NULLIF(effective_until, 'infinity'), known_from
FROM {table} WHERE sanction_id = %s AND known_to = 'infinity' FOR UPDATE
"""
CLOSE = "UPDATE {table} SET known_to = %s WHERE sanction_id = %s AND known_to = 'infinity'"
DROP = "DELETE FROM {table} WHERE sanction_id = %s AND known_to = 'infinity'"
INSERT = """
INSERT INTO {table} (sanction_id, target, kind, case_id, legal_basis, effective_from,
                     effective_until, known_from, known_to)
VALUES (%s, %s, %s, %s, %s, %s, COALESCE(%s::timestamptz, 'infinity'), %s, 'infinity')
"""
ACTIVE = """
SELECT kind, case_id, effective_from, NULLIF(effective_until, 'infinity'), legal_basis
FROM {table}
WHERE target = %s
  AND tstzrange(effective_from, effective_until) @> %s::timestamptz
  AND tstzrange(known_from, known_to) @> %s::timestamptz
ORDER BY effective_from, case_id
"""


def supersede(
    curs: Cursor[Any], table: sql.Identifier, sanction_id: str, known: datetime, since: datetime
) -> datetime:
    """End the version of `sanction_id` known since `since` in `table` where the next one is
    known from, and return that instant; a version known from that same instant is dropped
    instead (a known-time range is never empty)."""
    at = max(known, since)
    if since == at:
        curs.execute(sql.SQL(DROP).format(table=table), (sanction_id,))
    else:
        curs.execute(sql.SQL(CLOSE).format(table=table), (at, sanction_id))
    return at


@dataclass(frozen=True)
class VersionedTable:
    """A bitemporal table of one schema: one version per sanction at any known time (the
    `{versions}` constraint of its CREATE), and its `{index}` on (target, effective_from)."""

    schema: str
    name: str
    ddl: ClassVar[str]  # its CREATE statements
    index: ClassVar[str]  # its index's name, after the table's

    @property
    def table(self) -> sql.Identifier:
        """The table, qualified by its schema."""
        return sql.Identifier(self.schema, self.name)

    def _sql(self, template: str) -> sql.Composed:
        return sql.SQL(template).format(
            table=self.table,
            versions=sql.Identifier(f"{self.name}_versions"),
            index=sql.Identifier(f"{self.name}_{self.index}"),
        )

    def create(self, curs: Cursor[Any]) -> None:
        """Create the table and its index if missing."""
        curs.execute(self._sql(self.ddl))


@dataclass(frozen=True)
class ActiveSanction:
    """A sanction in effect at the queried point."""

    kind: str
    case_id: str
    effective_from: datetime
    effective_until: datetime | None
    legal_basis: str


@dataclass(frozen=True)
class SanctionTable(VersionedTable):
    """The bitemporal sanction windows of one schema."""

    name: str = "sanction_windows"
    ddl: ClassVar[str] = CREATE
    index: ClassVar[str] = "active"

    def apply(
        self, curs: Cursor[Any], change: SanctionWindow | SanctionEnd, known: datetime
    ) -> None:
        """Record a new version of a sanction, known from `known` on."""
        curs.execute(self._sql(CURRENT), (change.sanction_id,))
        row = curs.fetchone()
        if isinstance(change, SanctionEnd):
            if row is None:
                return  # not a window (a fine, points): nothing is in effect to end
            until = change.at if row[6] is None else min(row[6], change.at)
            window = SanctionWindow(
                row[0], row[1], row[2], row[3], row[4], row[5], max(until, row[5])
            )
        else:
            window = change
        at = (
            known if row is None else supersede(curs, self.table, change.sanction_id, known, row[7])
        )
        curs.execute(
            self._sql(INSERT),
            (
                window.sanction_id,
                window.target,
                window.kind,
                window.case_id,
                window.legal_basis,
                window.effective_from,
                window.effective_until,
                at,
            ),
        )

    def active(
        self, curs: Cursor[Any], target: str, as_of: datetime, known_at: datetime
    ) -> list[ActiveSanction]:
        """Sanctions of `target` in effect at `as_of`, as known at `known_at`."""
        self.send_active(curs, target, as_of, known_at)
        return self.read_active(curs)

    def send_active(
        self, curs: Cursor[Any], target: str, as_of: datetime, known_at: datetime
    ) -> None:
        """Send the query of `active`; in a pipeline it shares a round trip with others."""
        curs.execute(self._sql(ACTIVE), (target, as_of, known_at), prepare=True)

    def read_active(self, curs: Cursor[Any]) -> list[ActiveSanction]:
        """The answer to the query sent on `curs`."""
        return [ActiveSanction(*row) for row in curs.fetchall()]
