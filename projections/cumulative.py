"""Bitemporal cumulative totals per key: rectangles in (valid time x known time).

Each row holds a key's totals over a valid-time range, as known over a known-time range; the
rows of a key tile the plane, so a query is one indexed point lookup whatever the history length.
Valid time has day resolution (the regions' local day): a fact counts from the start of the day
it is valid on, so a key has at most one row per day per known version, and a late correction
rewrites at most one row per day after it, however busy the key.
A batch recorded at `t` closes (known_to = t) the current rows reaching past its earliest valid
instant and inserts their replacements known from `t`: in-order facts touch only the last row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from psycopg import Cursor, sql

from projections.asof import start_of_day
from projections.steps import Amounts, Step, add, restep

CREATE = """
CREATE TABLE IF NOT EXISTS {table} (
    key        text NOT NULL,
    valid_from timestamptz NOT NULL,
    valid_to   timestamptz NOT NULL,
    known_from timestamptz NOT NULL,
    known_to   timestamptz NOT NULL,
    amounts    numeric[] NOT NULL,
    -- The rectangles of a key never overlap; the constraint's GiST index serves the lookups.
    CONSTRAINT {tiling} EXCLUDE USING gist (
        key WITH =,
        tstzrange(valid_from, valid_to) WITH &&,
        tstzrange(known_from, known_to) WITH &&)
);
-- The writer only ever reads the rows known now.
CREATE INDEX IF NOT EXISTS {current} ON {table} (key, valid_from) WHERE known_to = 'infinity';
"""

LOOKUP = """
SELECT key, amounts FROM {table}
WHERE key = ANY(%s)
  AND tstzrange(valid_from, valid_to) @> %s::timestamptz
  AND tstzrange(known_from, known_to) @> %s::timestamptz
"""

# The current rows tile valid time, so the rows reaching past `earliest` are the one holding
# it and those after: two range scans of the partial index, however long the key's history.
CURRENT_FROM = """
SELECT t.key, t.valid_from, NULLIF(t.valid_to, 'infinity') AS valid_to, t.known_from, t.amounts
FROM unnest(%s::text[], %s::timestamptz[]) AS q(key, earliest)
CROSS JOIN LATERAL (
    SELECT coalesce((
        SELECT c.valid_from FROM {table} c
        WHERE c.key = q.key AND c.known_to = 'infinity' AND c.valid_from <= q.earliest
        ORDER BY c.valid_from DESC LIMIT 1), '-infinity') AS start) s
JOIN {table} t ON t.key = q.key AND t.known_to = 'infinity' AND t.valid_from >= s.start
ORDER BY t.key, t.valid_from
FOR UPDATE OF t
"""

CLOSE = (
    "UPDATE {table} SET known_to = %s WHERE key = %s AND valid_from = %s AND known_to = 'infinity'"
)
DROP = "DELETE FROM {table} WHERE key = %s AND valid_from = %s AND known_to = 'infinity'"
INSERT = (
    "INSERT INTO {table} (key, valid_from, valid_to, known_from, known_to, amounts)"
    " VALUES (%s, %s, COALESCE(%s::timestamptz, 'infinity'), %s, 'infinity', %s)"
)


@dataclass(frozen=True)
class Delta:
    """A change of a key's totals at a valid instant."""

    key: str
    valid_at: datetime
    amounts: Amounts


@dataclass(frozen=True)
class CumulativeTable:
    """One table of bitemporal cumulative totals, `width` amounts per key."""

    schema: str
    name: str
    width: int

    def _sql(self, template: str) -> sql.Composed:
        return sql.SQL(template).format(
            table=sql.Identifier(self.schema, self.name),
            tiling=sql.Identifier(f"{self.name}_tiling"),
            current=sql.Identifier(f"{self.name}_current"),
        )

    def create(self, curs: Cursor[Any]) -> None:
        """Create the table and its indexes if missing."""
        curs.execute(self._sql(CREATE))

    def truncate(self, curs: Cursor[Any]) -> None:
        """Empty the table (rebuild)."""
        curs.execute(sql.SQL("TRUNCATE {}").format(sql.Identifier(self.schema, self.name)))

    def apply(self, curs: Cursor[Any], deltas: Iterable[Delta], known: datetime) -> None:
        """Add facts recorded at `known`: aggregated per key and valid day, then re-stepped."""
        per_key: dict[str, dict[datetime, Amounts]] = defaultdict(dict)
        for d in deltas:
            if len(d.amounts) != self.width:
                raise ValueError(f"{self.name} holds {self.width} amounts, got {d.amounts}")
            cell = per_key[d.key]
            day = start_of_day(d.valid_at)
            cell[day] = add(cell[day], d.amounts) if day in cell else d.amounts
        if not per_key:
            return
        keys = sorted(per_key)
        curs.execute(self._sql(CURRENT_FROM), (keys, [min(per_key[k]) for k in keys]))
        current: dict[str, list[tuple[Step, datetime]]] = defaultdict(list)
        for row in curs.fetchall():
            step = Step(row[1], row[2], tuple(row[4]))
            current[row[0]].append((step, row[3]))
        closes, drops, inserts = [], [], []
        for key in keys:
            old = current.get(key, [])
            # Known time never runs backwards for a key, even if writers' clocks disagree.
            at = max([known, *(known_from for _, known_from in old)])
            for step, known_from in old:
                if known_from == at:
                    drops.append((key, step.valid_from))
                else:
                    closes.append((at, key, step.valid_from))
            for step in restep([s for s, _ in old], per_key[key], self.width):
                inserts.append((key, step.valid_from, step.valid_to, at, list(step.amounts)))
        if drops:
            curs.executemany(self._sql(DROP), drops)
        if closes:
            curs.executemany(self._sql(CLOSE), closes)
        curs.executemany(self._sql(INSERT), inserts)

    def lookup(
        self, curs: Cursor[Any], keys: Sequence[str], as_of: datetime, known_at: datetime
    ) -> dict[str, Amounts]:
        """Totals of each key at the point; keys without facts by then are zero."""
        curs.execute(self._sql(LOOKUP), (list(keys), as_of, known_at))
        found: Mapping[str, Amounts] = {row[0]: tuple(row[1]) for row in curs.fetchall()}
        zero: Amounts = (Decimal(0),) * self.width
        return {k: found.get(k, zero) for k in keys}

    def rows_sql(self) -> sql.Composed:
        """Every row in a canonical order (check compares these)."""
        return self._sql(
            "SELECT key, valid_from, valid_to, known_from, known_to, amounts FROM {table}"
        )
