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
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from psycopg import Cursor, sql

from projections.asof import start_of_day
from projections.rewrite import PagePlan, stored_rows
from projections.steps import Amounts, add

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

# The net writes of a page (projections/rewrite.py), each one statement whatever its size.
DROP = """
DELETE FROM {table} t USING unnest(%s::text[], %s::timestamptz[]) AS v(key, valid_from)
WHERE t.key = v.key AND t.valid_from = v.valid_from AND t.known_to = 'infinity'
"""
CLOSE = """
UPDATE {table} t SET known_to = v.at
FROM unnest(%s::text[], %s::timestamptz[], %s::timestamptz[]) AS v(key, valid_from, at)
WHERE t.key = v.key AND t.valid_from = v.valid_from AND t.known_to = 'infinity'
"""
# Days added at the same known time share its final frontier, however the log was paged.
RAISE_FRONTIER = """
UPDATE {days} d SET frontier = v.frontier
FROM unnest(%s::text[], %s::timestamptz[], %s::timestamptz[]) AS v(key, created_at, frontier)
WHERE d.key = v.key AND d.created_at = v.created_at AND d.frontier < v.frontier
"""
COPY_ROWS = "COPY {table} (key, valid_from, valid_to, known_from, known_to, amounts) FROM STDIN"
COPY_DAYS = "COPY {days} (key, day, created_at, frontier) FROM STDIN"
INFINITY = "infinity"


def _escaped(text: str) -> str:
    """A value in COPY's text format: written by hand, as psycopg's per-row dumping was most
    of the cost of a catch-up's writes."""
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
        text = text.replace("\r", "\\r")
    return text


def _texts(values: Iterable[str]) -> str:
    """A text[] literal. Arrays go as literals: psycopg dumps list parameters item by item in
    Python, a large share of a catch-up's time."""
    quoted = (v.replace("\\", "\\\\").replace('"', '\\"') for v in values)
    return "{" + ",".join(f'"{v}"' for v in quoted) + "}"


def _instants(values: Iterable[datetime]) -> str:
    """A timestamptz[] literal (ISO 8601 needs no quoting)."""
    return "{" + ",".join(v.isoformat() for v in values) + "}"


class _IsoTexts(dict[datetime | None, str]):
    """COPY texts of instants (None: open-ended), each formatted once per page: a page repeats
    the same days and recording times thousands of times, and formatting them was a tenth of a
    rebuild's time (docs/benchmarks.md)."""

    def __missing__(self, moment: datetime | None) -> str:
        text = INFINITY if moment is None else moment.isoformat()
        self[moment] = text
        return text


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

    def apply(self, curs: Cursor[Any], deltas: Iterable[Delta], known: datetime) -> None:
        """Add facts recorded at `known`: aggregated per key and valid day, then re-stepped."""
        self.apply_recordings(curs, [(known, deltas)])

    def apply_recordings(
        self, curs: Cursor[Any], recordings: Sequence[tuple[datetime, Iterable[Delta]]]
    ) -> None:
        """Add the facts of several recordings (known time, deltas) in log order: the same rows
        as applying them one by one, read and written in a few statements."""
        per_recording = [(known, _per_key_and_day(d, self.width)) for known, d in recordings]
        earliest: dict[str, datetime] = {}
        for _, per_key in per_recording:
            for key, days in per_key.items():
                first = min(days)
                if key not in earliest or first < earliest[key]:
                    earliest[key] = first
        if not earliest:
            return
        keys = sorted(earliest)
        curs.execute(
            self._sql(CURRENT_FROM),
            (_texts(keys), _instants(earliest[k] for k in keys)),
            prepare=True,
        )
        plan = PagePlan(
            self.width, stored_rows([(r[0], r[1], r[2], r[3], tuple(r[4])) for r in curs])
        )
        for known, per_key in per_recording:
            for key, days in per_key.items():
                plan.record(key, days, known)
        self._write(curs, plan)

    def _write(self, curs: Cursor[Any], plan: PagePlan) -> None:
        # Drops before inserts: a dropped row's key is taken again by its replacement. Stored
        # days are raised before this page's days are added, which carry their final frontier.
        if plan.drops:
            keys, valid_froms = zip(*plan.drops, strict=True)
            curs.execute(self._sql(DROP), (_texts(keys), _instants(valid_froms)))
        if plan.closes:
            keys, valid_froms, ats = zip(*plan.closes, strict=True)
            curs.execute(self._sql(CLOSE), (_texts(keys), _instants(valid_froms), _instants(ats)))
        if plan.raises:
            curs.execute(
                self._sql(RAISE_FRONTIER),
                (
                    _texts(key for key, _ in plan.raises),
                    _instants(at for _, at in plan.raises),
                    _instants(plan.raises.values()),
                ),
            )
        iso = _IsoTexts()
        inserts = plan.inserts()
        if inserts:
            with curs.copy(self._sql(COPY_ROWS)) as copy:
                copy.write(
                    "".join(
                        f"{_escaped(key)}\t{iso[valid_from]}\t{iso[valid_to]}\t"
                        f"{iso[known_from]}\t{iso[known_to]}\t"
                        f"{{{','.join(map(str, amounts))}}}\n"
                        for key, valid_from, valid_to, known_from, known_to, amounts in inserts
                    )
                )
        if plan.days:
            with curs.copy(self._sql(COPY_DAYS)) as copy:
                copy.write(
                    "".join(
                        f"{_escaped(d.key)}\t{iso[d.day]}\t{iso[d.created_at]}\t{iso[d.frontier]}\n"
                        for d in plan.days
                    )
                )

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
