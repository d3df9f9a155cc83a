"""Bitemporal cumulative totals per key: rectangles in (valid time x known time).

Each row holds a key's totals over a valid-time range, as known over a known-time range; the
rows of a key tile the plane. Valid time has day resolution (the regions' local day): a fact
counts from the start of the day it is valid on, so a key has at most one row per day per known
version, and a late correction rewrites at most one row per day after it, however busy the key.
A batch recorded at `t` closes (known_to = t) the current rows reaching past its earliest day
and inserts their replacements known from `t`: in-order facts touch only the last row.

Lookups are three btree descents, whatever the history length. The days table records when
each day became a step of the key (steps are never removed) and the latest step day known then
(the frontier); the answer to (as_of, known_at) is the latest version known at `known_at` of the
latest step day on or before `as_of` (and the frontier) that existed at `known_at`. Only days
added later by late corrections between that day and as_of are skipped over.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
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
    PRIMARY KEY (key, valid_from, known_from)
);
-- The writer only ever reads the rows known now.
CREATE INDEX IF NOT EXISTS {current} ON {table} (key, valid_from) WHERE known_to = 'infinity';
CREATE TABLE IF NOT EXISTS {days} (
    key        text NOT NULL,
    day        timestamptz NOT NULL,
    created_at timestamptz NOT NULL,
    frontier   timestamptz NOT NULL,
    PRIMARY KEY (key, day)
);
CREATE INDEX IF NOT EXISTS {days_created} ON {days} (key, created_at, frontier);
"""

LOOKUP = """
SELECT q.key, r.amounts
FROM unnest(%(keys)s::text[]) AS q(key)
CROSS JOIN LATERAL (
    SELECT d.frontier FROM {days} d
    WHERE d.key = q.key AND d.created_at <= %(known)s
    ORDER BY d.created_at DESC, d.frontier DESC LIMIT 1) f
CROSS JOIN LATERAL (
    SELECT d.day FROM {days} d
    WHERE d.key = q.key AND d.day <= least(%(as_of)s, f.frontier) AND d.created_at <= %(known)s
    ORDER BY d.day DESC LIMIT 1) b
CROSS JOIN LATERAL (
    SELECT t.amounts FROM {table} t
    WHERE t.key = q.key AND t.valid_from = b.day AND t.known_from <= %(known)s
    ORDER BY t.known_from DESC LIMIT 1) r
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
NEW_DAY = "INSERT INTO {days} (key, day, created_at, frontier) VALUES (%s, %s, %s, %s)"
# Days added at the same known time share its final frontier, however the log was paged.
RAISE_FRONTIER = (
    "UPDATE {days} SET frontier = %s WHERE key = %s AND created_at = %s AND frontier < %s"
)
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


def _per_key_and_day(deltas: Iterable[Delta], width: int) -> dict[str, dict[datetime, Amounts]]:
    """Deltas summed per key and local day."""
    per_key: dict[str, dict[datetime, Amounts]] = defaultdict(dict)
    for d in deltas:
        if len(d.amounts) != width:
            raise ValueError(f"expected {width} amounts, got {d.amounts}")
        cell = per_key[d.key]
        day = start_of_day(d.valid_at)
        cell[day] = add(cell[day], d.amounts) if day in cell else d.amounts
    return per_key


@dataclass
class _Writes:
    """The statements' parameters of one apply, gathered to be sent in a few round trips."""

    drops: list[tuple[Any, ...]] = field(default_factory=list)
    closes: list[tuple[Any, ...]] = field(default_factory=list)
    inserts: list[tuple[Any, ...]] = field(default_factory=list)
    frontiers: list[tuple[Any, ...]] = field(default_factory=list)
    days: list[tuple[Any, ...]] = field(default_factory=list)

    def plan(
        self,
        key: str,
        old: Sequence[tuple[Step, datetime]],
        deltas: Mapping[datetime, Amounts],
        known: datetime,
        width: int,
    ) -> None:
        """Close or drop the key's affected rows, insert the new steps, record new days."""
        # Known time never runs backwards for a key, even if writers' clocks disagree.
        at = max([known, *(known_from for _, known_from in old)])
        for step, known_from in old:
            if known_from == at:
                self.drops.append((key, step.valid_from))
            else:
                self.closes.append((at, key, step.valid_from))
        for step in restep([s for s, _ in old], deltas, width):
            self.inserts.append((key, step.valid_from, step.valid_to, at, list(step.amounts)))
        new_days = sorted(set(deltas) - {step.valid_from for step, _ in old})
        if new_days:
            frontier = max([new_days[-1], *(step.valid_from for step, _ in old[-1:])])
            self.frontiers.append((frontier, key, at, frontier))
            self.days.extend((key, day, at, frontier) for day in new_days)


@dataclass(frozen=True)
class CumulativeTable:
    """One table of bitemporal cumulative totals, `width` amounts per key."""

    schema: str
    name: str
    width: int

    def _sql(self, template: str) -> sql.Composed:
        return sql.SQL(template).format(
            table=sql.Identifier(self.schema, self.name),
            current=sql.Identifier(f"{self.name}_current"),
            days=sql.Identifier(self.schema, f"{self.name}_days"),
            days_created=sql.Identifier(f"{self.name}_days_created"),
        )

    def create(self, curs: Cursor[Any]) -> None:
        """Create the table and its indexes if missing."""
        curs.execute(self._sql(CREATE))

    def tables(self) -> list[str]:
        """The tables this store owns."""
        return [self.name, f"{self.name}_days"]

    def truncate(self, curs: Cursor[Any]) -> None:
        """Empty the tables (rebuild)."""
        for table in self.tables():
            curs.execute(sql.SQL("TRUNCATE {}").format(sql.Identifier(self.schema, table)))

    def apply(self, curs: Cursor[Any], deltas: Iterable[Delta], known: datetime) -> None:
        """Add facts recorded at `known`: aggregated per key and valid day, then re-stepped."""
        per_key = _per_key_and_day(deltas, self.width)
        if not per_key:
            return
        keys = sorted(per_key)
        curs.execute(self._sql(CURRENT_FROM), (keys, [min(per_key[k]) for k in keys]))
        current: dict[str, list[tuple[Step, datetime]]] = defaultdict(list)
        for row in curs.fetchall():
            current[row[0]].append((Step(row[1], row[2], tuple(row[4])), row[3]))
        writes = _Writes()
        for key in keys:
            writes.plan(key, current.get(key, []), per_key[key], known, self.width)
        for statement, rows in (
            (DROP, writes.drops),
            (CLOSE, writes.closes),
            (INSERT, writes.inserts),
            (RAISE_FRONTIER, writes.frontiers),
            (NEW_DAY, writes.days),
        ):
            if rows:
                curs.executemany(self._sql(statement), rows)

    def lookup(
        self, curs: Cursor[Any], keys: Sequence[str], as_of: datetime, known_at: datetime
    ) -> dict[str, Amounts]:
        """Totals of each key at the point; keys without facts by then are zero."""
        self.send_lookup(curs, keys, as_of, known_at)
        return self.read_lookup(curs, keys)

    def send_lookup(
        self, curs: Cursor[Any], keys: Sequence[str], as_of: datetime, known_at: datetime
    ) -> None:
        """Send the lookup; in a pipeline, several lookups then share one round trip."""
        curs.execute(
            self._sql(LOOKUP), {"keys": list(keys), "as_of": as_of, "known": known_at}, prepare=True
        )

    def read_lookup(self, curs: Cursor[Any], keys: Sequence[str]) -> dict[str, Amounts]:
        """The answer to the lookup sent on `curs`."""
        found: Mapping[str, Amounts] = {row[0]: tuple(row[1]) for row in curs.fetchall()}
        zero: Amounts = (Decimal(0),) * self.width
        return {k: found.get(k, zero) for k in keys}
