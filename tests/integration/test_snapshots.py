"""Snapshots (infra/snapshots.py): written with their batch, loaded in place of the history
before them, invisible in the events and the chain, and checked by `snapshots-check`."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import timedelta
from typing import Any

import psycopg
import pytest

from consumers.ingest import inbound_records
from infra.setup import set_up
from infra.snapshot_check import check_snapshots
from infra.snapshots import SNAPSHOT_INTERVAL
from infra.store import BINARY_WRITES, WRITER_ROLE, Ledger, open_ledger
from infra.verify import verify
from tests.e2e.test_cli import run
from tests.integration.test_binary_writes import (
    RECORDED_AT,
    TABLES,
    TOPICS,
    county_messages,
    ingest,
    poll_batches,
    stored_rows,
    two_databases,
)

__all__ = ["two_databases"]  # the fixture, shared with the binary writes' test


def opened(database_url: str, monkeypatch: pytest.MonkeyPatch, **env: str) -> Ledger:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    ledger = open_ledger(database_url, role=WRITER_ROLE)
    for name in env:
        monkeypatch.delenv(name)
    return ledger


def snapshot_keys(database_url: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(database_url) as conn:
        return conn.execute(
            "SELECT originator_id, originator_version FROM ledger_snapshots ORDER BY 1, 2"
        ).fetchall()


@pytest.mark.parametrize("binary", ["y", "n"])
def test_snapshots_leave_the_events_and_the_chain_byte_identical(
    two_databases: tuple[str, str], monkeypatch: pytest.MonkeyPatch, binary: str
) -> None:
    without, with_snapshots = two_databases
    # Interval 2: most aggregates with more than one event get a snapshot, several get many.
    plain = opened(without, monkeypatch, **{SNAPSHOT_INTERVAL: "0", BINARY_WRITES: binary})
    snapping = opened(
        with_snapshots, monkeypatch, **{SNAPSHOT_INTERVAL: "2", BINARY_WRITES: binary}
    )
    with plain, snapping:
        assert (plain.snapshot_interval, snapping.snapshot_interval) == (0, 2)
        # The snapshotting store decides, so its later batches load from its snapshots.
        ingest(snapping, plain, county_messages())
        old, new = stored_rows(without), stored_rows(with_snapshots)
        for table in TABLES.keys() - {"snapshots"}:
            assert new[table] == old[table], f"{table} differ"
        everyone = list({row[0] for row in new["events"]})
        # Loaded through snapshots (one store) and by a full replay (the other): same state.
        assert {i: vars(a) for i, a in snapping.reads.aggregates(everyone).items() if a} == {
            i: vars(a) for i, a in plain.reads.aggregates(everyone).items() if a
        }
    assert snapshot_keys(without) == []
    assert len(snapshot_keys(with_snapshots)) > 100
    verdict = verify(with_snapshots)
    assert verdict.ok, verdict.problem
    checked = check_snapshots(with_snapshots)
    assert checked.ok, checked.bad[:3]
    assert checked.checked == len(snapshot_keys(with_snapshots))


def snapshots_check(database_url: str) -> subprocess.CompletedProcess[bytes]:
    return run({**os.environ, "LEDGER_DATABASE_URL": database_url}, "snapshots-check", "--json")


def test_snapshots_check_names_a_tampered_snapshot(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_up(database_url)
    with opened(database_url, monkeypatch, **{SNAPSHOT_INTERVAL: "3"}) as ledger:
        for n, batch in enumerate(poll_batches(county_messages()[:400])):
            at = RECORDED_AT + timedelta(seconds=n)
            ledger.commit(ledger.decide(inbound_records(batch, TOPICS, at), at, cluster_id="s"))
    clean = snapshots_check(database_url)
    assert clean.returncode == 0, clean.stderr.decode()
    assert json.loads(clean.stdout)["checked"] > 10

    with psycopg.connect(database_url, autocommit=True) as admin:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
            admin.execute("DELETE FROM ledger_snapshots")
        # What only the owner can do: switch the trigger off and edit a balance-bearing state.
        with admin.transaction():
            admin.execute("ALTER TABLE ledger_snapshots DISABLE TRIGGER USER")
            edited = admin.execute(
                "UPDATE ledger_snapshots SET state = convert_to(regexp_replace("
                "convert_from(state, 'UTF8'), '\"[0-9]+\\.[0-9]{2}\"',"
                " '\"999999.99\"'), 'UTF8') WHERE (originator_id, originator_version) = ("
                " SELECT originator_id, originator_version FROM ledger_snapshots"
                " WHERE convert_from(state, 'UTF8') ~ '\"[0-9]+\\.[0-9]{2}\"'"
                " ORDER BY originator_id, originator_version LIMIT 1)"
                " RETURNING originator_id, originator_version"
            ).fetchone()
            admin.execute("ALTER TABLE ledger_snapshots ENABLE TRIGGER USER")
    assert edited is not None
    failed = snapshots_check(database_url)
    assert failed.returncode == 1, failed.stderr.decode()
    verdict = json.loads(failed.stdout)
    assert (verdict["ok"], verdict["bad"]) == (False, 1)
    assert verdict["bad_snapshots"][0].startswith(f"{edited[0]} v{edited[1]}: differs in")
    assert b"Traceback" not in failed.stderr
    assert verify(database_url).ok  # the events and the chain are untouched
