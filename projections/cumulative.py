"""Bitemporal cumulative totals per key: append-only delta rows plus monthly checkpoints.

`<name>_deltas` holds one row per key, valid day and known time: the sum of the facts of that
key valid on that day (the regions' local day: valid time has day resolution) and recorded at
that time. Rows are only ever added, or, when a page of the log splits the events of one known
time, added to (element-wise): the rows are the same however the log was paged.

A busy key (`hot`: a pooled fund, an institution, a hospital: decided by the key alone) also
has `<name>_checkpoints`: per month, versions of the key's totals before that month, each known
from a known time (projections/checkpoints.py plans them). The totals at (as_of, known_at) are
the latest version known at `known_at` of the latest checkpoint month on or before `as_of`, plus
the deltas valid from that month to `as_of` known at `known_at`. Those all lie in that month:
a later month on or before `as_of` holding a delta known by then would have had a version by
then. So the scan stops at the key's next checkpoint month: two index descents and one range
scan of at most a month of the key's rows, summed by the server, whatever the history length
(and however far `as_of` runs ahead of what was known at `known_at`). A key without
checkpoints sums all its deltas up to `as_of`: these are the keys
with few facts (a person's account, a doctor's points).

Both tables are read index-only: the primary key carries the amounts (INCLUDE).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Any

from psycopg import Cursor, sql

from projections.amounts import Amounts, add
from projections.asof import next_month, start_of_day
from projections.checkpoints import (
    Recording,
    earliest_days,
    needed_month_sums,
    plan_versions,
)

CREATE = """
CREATE TABLE IF NOT EXISTS {deltas} (
    key        text NOT NULL,
    day        timestamptz NOT NULL,
    known_from timestamptz NOT NULL,
    amounts    numeric[] NOT NULL,
    PRIMARY KEY (key, day, known_from) INCLUDE (amounts)
);
CREATE TABLE IF NOT EXISTS {checkpoints} (
    key        text NOT NULL,
    month      timestamptz NOT NULL,
    known_from timestamptz NOT NULL,
    amounts    numeric[] NOT NULL,
    PRIMARY KEY (key, month, known_from) INCLUDE (amounts)
);
"""

LOOKUP = """
SELECT q.key, ARRAY[{totals}]
FROM {keys}
LEFT JOIN LATERAL (
    SELECT c.month, c.amounts FROM {checkpoints} c
    WHERE c.key = q.key AND c.month <= %(as_of)s AND c.known_from <= %(known)s
    ORDER BY c.month DESC, c.known_from DESC LIMIT 1) c ON true
CROSS JOIN LATERAL (
    SELECT coalesce(min(n.month), 'infinity') AS until FROM {checkpoints} n
    WHERE n.key = q.key AND n.month > coalesce(c.month, '-infinity')) n
CROSS JOIN LATERAL (
    SELECT {sums} FROM {deltas} d
    WHERE d.key = q.key AND d.day >= coalesce(c.month, '-infinity') AND d.day <= %(as_of)s
      AND d.day < n.until AND d.known_from <= %(known)s) d
"""

# LOOKUP's keys: a list, or one key in a statement of its own. A prepared statement gets a
# generic plan (no planning per execution) only if that plan's estimate is no worse than the
# custom plans': the server guesses 10 elements for an array parameter, where a custom plan sees
# the actual one, so the one-key calls of the list form were planned at every execution (0.23 ms
# of a 0.15 ms execution for a hospital's totals: pg_prepared_statements, EXPLAIN ANALYZE).
MANY_KEYS = "unnest(%(keys)s::text[]) AS q(key)"
ONE_KEY = "(SELECT %(key)s::text AS key) AS q"

# The stored checkpoint months a page can start from or change, each with its latest version:
# per key, the latest month on or before its earliest day in the page, then every later month
# (a skip scan: one descent per month, never a scan of the versions).
STORED_MONTHS = """
WITH RECURSIVE m(key, month) AS (
    SELECT q.key, coalesce(
        (SELECT max(c.month) FROM {checkpoints} c WHERE c.key = q.key AND c.month <= q.since),
        (SELECT min(c.month) FROM {checkpoints} c WHERE c.key = q.key AND c.month > q.since))
    FROM unnest(%s::text[], %s::timestamptz[]) AS q(key, since)
  UNION ALL
    SELECT m.key,
        (SELECT min(c.month) FROM {checkpoints} c WHERE c.key = m.key AND c.month > m.month)
    FROM m WHERE m.month IS NOT NULL
)
SELECT m.key, m.month, v.amounts FROM m
CROSS JOIN LATERAL (
    SELECT c.amounts FROM {checkpoints} c WHERE c.key = m.key AND c.month = m.month
    ORDER BY c.known_from DESC LIMIT 1) v
"""

MONTH_SUMS = """
SELECT q.key, q.month, d.*
FROM unnest(%s::text[], %s::timestamptz[], %s::timestamptz[]) AS q(key, month, until)
CROSS JOIN LATERAL (
    SELECT {sums} FROM {deltas} d WHERE d.key = q.key AND d.day >= q.month AND d.day < q.until
) d
"""

# A page's delta rows, merged per (key, day, known time) in Python; a row of the same known
# time written by the page before (the log paged inside one known time) is added to.
UPSERT_DELTAS = """
INSERT INTO {deltas} AS t (key, day, known_from, amounts)
SELECT v.key, v.day, v.known_from, ARRAY[{columns}]
FROM unnest(%s::text[], %s::timestamptz[], %s::timestamptz[], {arrays})
    AS v(key, day, known_from, {names})
ON CONFLICT (key, day, known_from) DO UPDATE SET amounts = ARRAY[{added}]
"""
# Versions carry their full totals (projections/checkpoints.py), so one of the same known time
# written by the page before is replaced.
UPSERT_CHECKPOINTS = """
INSERT INTO {checkpoints} AS t (key, month, known_from, amounts)
SELECT v.key, v.day, v.known_from, ARRAY[{columns}]
FROM unnest(%s::text[], %s::timestamptz[], %s::timestamptz[], {arrays})
    AS v(key, day, known_from, {names})
ON CONFLICT (key, month, known_from) DO UPDATE SET amounts = EXCLUDED.amounts
"""


def _texts(values: Iterable[str]) -> str:
    """A text[] literal. Arrays go as literals: psycopg dumps list parameters item by item in
    Python, a large share of a catch-up's time."""
    quoted = (v.replace("\\", "\\\\").replace('"', '\\"') for v in values)
    return "{" + ",".join(f'"{v}"' for v in quoted) + "}"


def _instants(values: Iterable[datetime]) -> str:
    """A timestamptz[] literal (ISO 8601 needs no quoting)."""
    return "{" + ",".join(v.isoformat() for v in values) + "}"


def _numbers(values: Iterable[Decimal]) -> str:
    """A numeric[] literal (a Decimal's text is valid numeric input)."""
    return "{" + ",".join(map(str, values)) + "}"


@dataclass(frozen=True)
class Delta:
    """A change of a key's totals at a valid instant."""

    key: str
    valid_at: datetime
    amounts: Amounts


def never(_key: str) -> bool:
    """No key of the table is busy enough for checkpoints."""
    return False


def always(_key: str) -> bool:
    """Every key of the table is busy: checkpoints for all."""
    return True


def _per_key_and_day(deltas: Iterable[Delta], width: int) -> dict[str, dict[datetime, Amounts]]:
    """Deltas summed per key and local day."""
    per_key: dict[str, dict[datetime, Amounts]] = {}
    for d in deltas:
        if len(d.amounts) != width:
            raise ValueError(f"expected {width} amounts, got {d.amounts}")
        cell = per_key.setdefault(d.key, {})
        day = start_of_day(d.valid_at)
        cell[day] = add(cell[day], d.amounts) if day in cell else d.amounts
    return per_key


@dataclass(frozen=True)
class CumulativeTable:
    """One read-model table of bitemporal cumulative totals, `width` amounts per key; `hot`
    says which keys keep monthly checkpoints."""

    schema: str
    name: str
    width: int
    hot: Callable[[str], bool] = never

    @property
    def deltas(self) -> sql.Identifier:
        """The delta rows."""
        return sql.Identifier(self.schema, f"{self.name}_deltas")

    @property
    def checkpoints(self) -> sql.Identifier:
        """The busy keys' monthly checkpoints."""
        return sql.Identifier(self.schema, f"{self.name}_checkpoints")

    def _sql(self, template: str, keys: str = MANY_KEYS) -> sql.SQL:
        return _rendered(self, template, keys)

    def create(self, curs: Cursor[Any]) -> None:
        """Create the tables if missing."""
        curs.execute(self._sql(CREATE))

    def tables(self) -> list[str]:
        """The tables this store owns."""
        return [f"{self.name}_deltas", f"{self.name}_checkpoints"]

    def apply(self, curs: Cursor[Any], deltas: Iterable[Delta], known: datetime) -> None:
        """Add facts recorded at `known`."""
        self.apply_recordings(curs, [(known, deltas)])

    def apply_recordings(
        self, curs: Cursor[Any], recordings: Sequence[tuple[datetime, Iterable[Delta]]]
    ) -> None:
        """Add the facts of several recordings (known time, deltas) in log order (known time
        never decreases along the log: infra/known_times.py)."""
        summed: list[Recording] = [
            (known, _per_key_and_day(d, self.width)) for known, d in recordings
        ]
        hot: list[Recording] = [
            (known, {k: days for k, days in per_key.items() if self.hot(k)})
            for known, per_key in summed
        ]
        # Checkpoints are planned from the stored rows before this page's deltas are written.
        versions = self._plan_checkpoints(curs, [r for r in hot if r[1]])
        self._upsert(curs, UPSERT_DELTAS, _merged(summed))
        self._upsert(curs, UPSERT_CHECKPOINTS, versions)

    def _plan_checkpoints(
        self, curs: Cursor[Any], recordings: Sequence[Recording]
    ) -> dict[tuple[str, datetime, datetime], Amounts]:
        earliest = earliest_days(recordings)
        if not earliest:
            return {}
        keys = sorted(earliest)
        # The planner's estimate for the skip scan is high enough to compile it (JIT), which
        # took 30 ms a page against 10 ms for running it (EXPLAIN ANALYZE, 325 keys).
        curs.execute("SET LOCAL jit = off")
        curs.execute(
            self._sql(STORED_MONTHS),
            (_texts(keys), _instants(earliest[k] for k in keys)),
            prepare=True,
        )
        stored: dict[str, dict[datetime, Amounts]] = {}
        for key, month, amounts in curs.fetchall():
            stored.setdefault(key, {})[month] = tuple(amounts)
        bases = needed_month_sums(stored, recordings)
        sums: dict[tuple[str, datetime], Amounts] = {}
        if bases:
            curs.execute(
                self._sql(MONTH_SUMS),
                (
                    _texts(k for k, _ in bases),
                    _instants(m for _, m in bases),
                    _instants(next_month(m) for _, m in bases),
                ),
                prepare=True,
            )
            zero = Decimal(0)
            for key, month, *totals in curs.fetchall():
                sums[(key, month)] = tuple(zero if t is None else t for t in totals)
        return plan_versions(self.width, stored, sums, recordings)

    def _upsert(
        self,
        curs: Cursor[Any],
        template: str,
        rows: Mapping[tuple[str, datetime, datetime], Amounts],
    ) -> None:
        if not rows:
            return
        cells = list(rows)
        columns = zip(*rows.values(), strict=True)
        curs.execute(
            self._sql(template),
            (
                _texts(key for key, _, _ in cells),
                _instants(at for _, at, _ in cells),
                _instants(known for _, _, known in cells),
                *(_numbers(column) for column in columns),
            ),
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
        point = {"as_of": as_of, "known": known_at}
        if len(keys) == 1:
            curs.execute(self._sql(LOOKUP, ONE_KEY), {"key": keys[0]} | point, prepare=True)
        else:
            curs.execute(self._sql(LOOKUP), {"keys": list(keys)} | point, prepare=True)

    def read_lookup(self, curs: Cursor[Any], keys: Sequence[str]) -> dict[str, Amounts]:
        """The answer to the lookup sent on `curs`."""
        found: Mapping[str, Amounts] = {row[0]: tuple(row[1]) for row in curs.fetchall()}
        zero: Amounts = (Decimal(0),) * self.width
        return {k: found.get(k, zero) for k in keys}


@cache
def _rendered(table: CumulativeTable, template: str, keys: str) -> sql.SQL:
    """`template` filled in for `table`, rendered once per process: composing it at each call
    took most of a lookup's Python time (cProfile: 0.6 of a hospital position's 1.4 ms)."""
    positions = range(1, table.width + 1)
    names = [sql.Identifier(f"a{i}") for i in positions]
    composed = sql.SQL(template).format(
        keys=sql.SQL(keys),
        deltas=table.deltas,
        checkpoints=table.checkpoints,
        totals=sql.SQL(", ").join(
            sql.SQL("coalesce(c.amounts[{0}], 0) + coalesce(d.s{0}, 0)").format(i)
            for i in positions
        ),
        sums=sql.SQL(", ").join(
            sql.SQL("sum(d.amounts[{0}]) AS s{0}").format(i) for i in positions
        ),
        columns=sql.SQL(", ").join(sql.SQL("v.{}").format(n) for n in names),
        arrays=sql.SQL(", ").join(sql.SQL("%s::numeric[]") for _ in positions),
        names=sql.SQL(", ").join(names),
        added=sql.SQL(", ").join(
            sql.SQL("t.amounts[{0}] + EXCLUDED.amounts[{0}]").format(i) for i in positions
        ),
    )
    return sql.SQL(composed.as_string())


def _merged(recordings: Sequence[Recording]) -> dict[tuple[str, datetime, datetime], Amounts]:
    """The page's delta rows: (key, day, known time) -> amounts."""
    rows: dict[tuple[str, datetime, datetime], Amounts] = {}
    for known, per_key in recordings:
        for key, days in per_key.items():
            for day, amounts in days.items():
                cell = (key, day, known)
                rows[cell] = add(rows[cell], amounts) if cell in rows else amounts
    return rows
