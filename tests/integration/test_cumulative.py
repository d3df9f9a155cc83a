"""The delta and checkpoint tables answer every (as_of, known_at) point like a brute-force sum
would, and hold the same rows however the log was paged."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from psycopg import sql

from domain.calendar import REGION_TZ
from projections.cumulative import CumulativeTable, Delta

TABLE = CumulativeTable("public", "totals_under_test", 2, hot=lambda key: key != "quiet")
KEYS = ("a", "b", "quiet")  # a and b keep monthly checkpoints
EPOCH = datetime(2019, 1, 1, tzinfo=REGION_TZ)  # local midnight: valid time has day resolution


@pytest.fixture
def conn(database_url: str) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    with psycopg.connect(database_url) as connection:
        connection.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        with connection.cursor() as curs:
            TABLE.create(curs)
        connection.commit()
        yield connection


def emptied(curs: psycopg.Cursor[tuple[object, ...]]) -> None:
    """The table under test with no rows, between hypothesis examples."""
    for table in TABLE.tables():
        curs.execute(sql.SQL("TRUNCATE {}").format(sql.Identifier(TABLE.schema, table)))


def day(n: int) -> datetime:
    return EPOCH + timedelta(days=n)


def amounts(a: int, b: int = 0) -> tuple[Decimal, Decimal]:
    return (Decimal(a), Decimal(b))


def test_a_late_fact_changes_the_past_only_as_known_after_it_was_recorded(
    conn: psycopg.Connection[tuple[object, ...]],
) -> None:
    with conn.cursor() as curs:
        TABLE.apply(curs, [Delta("k", day(10), amounts(100, 1))], known=day(11))
        TABLE.apply(curs, [Delta("k", day(20), amounts(50, 1))], known=day(21))
        TABLE.apply(curs, [Delta("k", day(15), amounts(-30))], known=day(40))

        def at(as_of: int, known: int) -> tuple[Decimal, ...]:
            return TABLE.lookup(curs, ["k"], day(as_of), day(known))["k"]

        assert at(9, 100) == amounts(0)
        assert at(16, 39) == amounts(100, 1)
        assert at(16, 40) == amounts(70, 1)
        assert at(25, 39) == amounts(150, 2)
        assert at(25, 41) == amounts(120, 2)
        assert at(25, 20) == amounts(100, 1)


def test_a_busy_key_keeps_a_checkpoint_per_month_and_a_late_fact_adds_versions(
    conn: psycopg.Connection[tuple[object, ...]],
) -> None:
    with conn.cursor() as curs:
        TABLE.apply(curs, [Delta("k", day(10), amounts(100, 1))], known=day(11))  # January
        TABLE.apply(curs, [Delta("k", day(40), amounts(50, 1))], known=day(41))  # February
        TABLE.apply(curs, [Delta("k", day(70), amounts(5, 1))], known=day(71))  # March
        TABLE.apply(curs, [Delta("k", day(15), amounts(-30))], known=day(80))  # late: January
        curs.execute(
            "SELECT month, known_from, amounts FROM totals_under_test_checkpoints ORDER BY 1, 2"
        )
        assert curs.fetchall() == [
            (day(0), day(11), list(amounts(0))),
            (day(31), day(41), list(amounts(100, 1))),
            (day(31), day(80), list(amounts(70, 1))),
            (day(59), day(71), list(amounts(150, 2))),
            (day(59), day(80), list(amounts(120, 2))),
        ]
        curs.execute("SELECT count(*) FROM totals_under_test_deltas")
        assert curs.fetchone() == (4,)
        assert TABLE.lookup(curs, ["k"], day(75), day(79))["k"] == amounts(155, 3)
        assert TABLE.lookup(curs, ["k"], day(75), day(80))["k"] == amounts(125, 3)


facts = st.lists(
    st.tuples(
        st.integers(0, 120),  # valid day: four months
        st.integers(0, 6),  # batch (known time order)
        st.sampled_from(KEYS),
        st.integers(-500, 500),
    ),
    min_size=1,
    max_size=25,
)


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    facts=facts, probes=st.lists(st.tuples(st.integers(-1, 122), st.integers(-1, 8)), max_size=20)
)
def test_every_point_lookup_equals_the_brute_force_sum_over_facts(
    conn: psycopg.Connection[tuple[object, ...]],
    facts: list[tuple[int, int, str, int]],
    probes: list[tuple[int, int]],
) -> None:
    with conn.cursor() as curs:
        emptied(curs)
        for batch in range(7):
            deltas = [Delta(k, day(v), amounts(x, 1)) for v, b, k, x in facts if b == batch]
            TABLE.apply(curs, deltas, known=day(200 + batch))
        for as_of, known in probes:
            found = TABLE.lookup(curs, list(KEYS), day(as_of), day(200 + known))
            for key in KEYS:
                seen = [(x, 1) for v, b, k, x in facts if k == key and v <= as_of and b <= known]
                expected = amounts(sum(x for x, _ in seen), len(seen))
                assert found[key] == expected
                # One key goes by a statement of its own (cumulative.ONE_KEY): the same totals.
                alone = TABLE.lookup(curs, [key], day(as_of), day(200 + known))
                assert alone == {key: expected}
        conn.rollback()


def table_rows(curs: psycopg.Cursor[tuple[object, ...]]) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    for table in TABLE.tables():
        curs.execute(
            sql.SQL("SELECT t::text FROM {} t ORDER BY 1").format(
                sql.Identifier(TABLE.schema, table)
            )
        )
        rows += curs.fetchall()
    return rows


@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(facts=facts, cuts=st.lists(st.integers(1, 25), max_size=6))
def test_pages_of_any_size_write_the_same_rows_as_one_page(
    conn: psycopg.Connection[tuple[object, ...]],
    facts: list[tuple[int, int, str, int]],
    cuts: list[int],
) -> None:
    # Log order: by recording batch; valid days arrive in any order within and across batches.
    log = sorted(facts, key=lambda fact: fact[1])
    with conn.cursor() as curs:
        emptied(curs)
        for batch in range(7):
            deltas = [Delta(k, day(v), amounts(x, 1)) for v, b, k, x in log if b == batch]
            TABLE.apply(curs, deltas, known=day(200 + batch))
        whole = table_rows(curs)
        emptied(curs)
        bounds = sorted({0, len(log), *(c for c in cuts if c < len(log))})
        for start, end in itertools.pairwise(bounds):
            page = log[start:end]
            for batch in sorted({b for _, b, _, _ in page}):
                deltas = [Delta(k, day(v), amounts(x, 1)) for v, b, k, x in page if b == batch]
                TABLE.apply(curs, deltas, known=day(200 + batch))
        assert table_rows(curs) == whole
        conn.rollback()


def test_facts_of_one_local_day_share_a_row_and_count_from_its_start(
    conn: psycopg.Connection[tuple[object, ...]],
) -> None:
    with conn.cursor() as curs:
        morning, evening = day(3) + timedelta(hours=9), day(3) + timedelta(hours=21)
        TABLE.apply(
            curs, [Delta("k", morning, amounts(1)), Delta("k", evening, amounts(2))], day(4)
        )
        curs.execute("SELECT count(*) FROM totals_under_test_deltas")
        assert curs.fetchone() == (1,)
        assert TABLE.lookup(curs, ["k"], morning, day(5))["k"] == amounts(3)
        assert TABLE.lookup(curs, ["k"], day(3) - timedelta(microseconds=1), day(5))["k"] == (
            amounts(0)
        )


# Recordings in log order: known times never decrease along the log, and may repeat.
recordings = st.lists(
    st.tuples(st.integers(0, 4), facts.map(lambda fs: [(v, k, x) for v, _, k, x in fs])),
    min_size=1,
    max_size=8,
).map(sorted)


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(log=recordings, cut=st.integers(0, 8))
def test_a_page_of_recordings_writes_the_same_rows_as_applying_them_one_by_one(
    conn: psycopg.Connection[tuple[object, ...]],
    log: list[tuple[int, list[tuple[int, str, int]]]],
    cut: int,
) -> None:
    def deltas(fs: list[tuple[int, str, int]]) -> list[Delta]:
        return [Delta(k, day(v), amounts(x, 1)) for v, k, x in fs]

    before, page = log[:cut], log[cut:]
    with conn.cursor() as curs:
        emptied(curs)
        for known, fs in log:
            TABLE.apply(curs, deltas(fs), known=day(200 + known))
        one_by_one = table_rows(curs)
        emptied(curs)
        TABLE.apply_recordings(curs, [(day(200 + known), deltas(fs)) for known, fs in before])
        TABLE.apply_recordings(curs, [(day(200 + known), deltas(fs)) for known, fs in page])
        assert table_rows(curs) == one_by_one
        conn.rollback()
