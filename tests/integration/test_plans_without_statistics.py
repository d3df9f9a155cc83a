"""The worker's reads of the log stay index scans where the tables have no statistics.

With autovacuum off or behind (as after a bulk load: CI's server runs with it off), the planner
knows only the tables' size. A statement whose plan then turns into a sequential scan of the
whole log costs more with every event stored: the cache's look for other writers did, 500 ms a
batch at 900 000 events (docs/benchmarks.md). These tests fill a log without analysing it and
read the plans the ledger's own connections get. No timing: the plan's nodes are asserted.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import UUID, uuid4

import psycopg
import pytest
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Composable

from infra.application.reads import FOREIGN_WRITES
from infra.setup import set_up
from infra.snapshots import READ_LATEST
from infra.store import Ledger, open_ledger
from tests.conftest import fresh_database

ROWS = 60_000  # enough that a sequential scan is what a planner without statistics prefers
EVENTS = SQL("ledger_events")
# A statement that can only scan the whole log: the check below must see it.
WHOLE_LOG = "SELECT count(*) FROM {0} WHERE length(state) > %s"


@pytest.fixture(scope="module")
def unanalysed(postgres_server_url: str) -> Iterator[Ledger]:
    """A ledger whose log holds ROWS events that were never analysed."""
    for url in fresh_database(postgres_server_url):
        yield from _filled(url)


def _filled(url: str) -> Iterator[Ledger]:
    set_up(url)
    with psycopg.connect(url, autocommit=True) as owner:
        # Where the server runs autovacuum (the embedded one), it must not analyse meanwhile.
        owner.execute("ALTER TABLE ledger_events SET (autovacuum_enabled = false)")
        owner.execute(
            "INSERT INTO ledger_events (originator_id, originator_version, topic, state)"
            " SELECT gen_random_uuid(), 1, 'domain.person:Person.Enrolled', '\\x7b7d'::bytea"
            " FROM generate_series(1, %s)",
            (ROWS,),
        )
        analysed = owner.execute(
            "SELECT count(*) FROM pg_stats WHERE tablename = 'ledger_events'"
        ).fetchone()
        assert analysed == (0,), "the table was analysed: the test would prove nothing"
    with open_ledger(url) as ledger:
        yield ledger


def plan_nodes(
    ledger: Ledger, statement: Composable, params: tuple[Any, ...]
) -> list[dict[str, Any]]:
    """Every node of the plan the ledger's connection gets for `statement` with `params`."""
    with ledger.datastore.transaction(commit=False) as curs:
        curs.execute(SQL("EXPLAIN (FORMAT JSON) ") + statement, params)
        row = curs.fetchone()
    assert row is not None
    plan = next(iter(row.values()))[0]
    nodes, todo = [], [plan["Plan"]]
    while todo:
        node = todo.pop()
        nodes.append(node)
        todo.extend(node.get("Plans", []))
    return nodes


def scans_whole_log(nodes: list[dict[str, Any]]) -> bool:
    return any(
        n["Node Type"] == "Seq Scan" and n.get("Relation Name") == "ledger_events" for n in nodes
    )


def test_the_look_for_other_writers_uses_the_index(unanalysed: Ledger) -> None:
    after, own = ROWS - 600, (ROWS - 500, ROWS - 10)
    params = (after, own[0], own[1])
    assert not scans_whole_log(plan_nodes(unanalysed, SQL(FOREIGN_WRITES).format(EVENTS), params))
    # The check can fail: it sees a scan of the whole log where there is one.
    assert scans_whole_log(plan_nodes(unanalysed, SQL(WHOLE_LOG).format(EVENTS), (0,)))


def test_the_prefetch_uses_the_index(unanalysed: Ledger) -> None:
    wanted: list[UUID] = [uuid4() for _ in range(300)]
    nodes = plan_nodes(unanalysed, SQL(READ_LATEST).format(events=EVENTS), (wanted,))
    assert not scans_whole_log(nodes)


def analysed_plan(curs: Cursor[DictRow], statement: Composable, params: tuple[Any, ...]) -> Any:
    # Every statement would be compiled: only `jit = off` can keep it from it.
    curs.execute("SET LOCAL jit_above_cost = 0")
    curs.execute(SQL("EXPLAIN (ANALYZE, FORMAT JSON) ") + statement, params)
    row = curs.fetchone()
    assert row is not None
    return next(iter(row.values()))[0]


def test_the_worker_reads_compile_nothing(unanalysed: Ledger) -> None:
    """Without statistics the estimates follow the table's size and cross jit_above_cost."""
    with unanalysed.datastore.transaction(commit=False) as curs:
        curs.execute("SELECT pg_jit_available() AS available")
        if not (row := curs.fetchone()) or not row["available"]:
            pytest.skip("this PostgreSQL server has no JIT to keep from compiling")
    statement = SQL(FOREIGN_WRITES).format(EVENTS)
    params = (ROWS - 600, ROWS - 500, ROWS - 10)
    with unanalysed.reads.without_jit() as curs:
        assert "JIT" not in analysed_plan(curs, statement, params)
    # The check can fail: the same statement in an ordinary transaction is compiled.
    with unanalysed.datastore.transaction(commit=False) as curs:
        assert "JIT" in analysed_plan(curs, statement, params)


def test_the_look_for_other_writers_finds_them(unanalysed: Ledger) -> None:
    ids, head = unanalysed.reads.foreign_writes(ROWS - 600, (ROWS - 500, ROWS - 10))
    assert head == ROWS
    assert len(ids) == 99 + 10  # between `after` and our own commit, and after it
