"""Re-check the hash chain from the stored bytes, streaming, and name the first bad position.

Two server-side cursors (events, chain) walk their primary keys in one snapshot and are merged
here, so memory stays flat however long the log is. The chain table's own hashes are compared
with hashes recomputed from the events; a digest kept outside the database is compared with the
recomputed hash at its position, which catches a log rewritten consistently from the start.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import psycopg
from psycopg.rows import dict_row

from infra.chain import EMPTY, Digest, link

FETCH = 5_000  # rows per round trip of each server-side cursor


@dataclass(frozen=True)
class Verdict:
    """The outcome of a verification: how far it got and, if the log is bad, where and why."""

    checked: int
    head: Digest
    bad_position: int | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.bad_position is None


def digest(database_url: str, role: str | None = None) -> Digest:
    """The position and hash of the chain's head as stored (or of the empty log)."""
    with _connect(database_url, role) as conn:
        row = conn.execute(
            "SELECT position, hash FROM ledger_chain ORDER BY position DESC LIMIT 1"
        ).fetchone()
    return EMPTY if row is None else Digest(row["position"], bytes(row["hash"]))


def verify(database_url: str, since: Digest | None = None, role: str | None = None) -> Verdict:
    """Recompute the chain over the whole log; with `since`, also check the log extends it."""
    with _connect(database_url, role) as conn, conn.transaction():
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        events = _stream(
            conn,
            "events",
            "SELECT notification_id AS position, originator_id, originator_version, topic,"
            " state FROM ledger_events ORDER BY notification_id",
        )
        chain = _stream(
            conn,
            "chain",
            "SELECT position, previous_position, hash FROM ledger_chain ORDER BY position",
        )
        return _walk(events, chain, since)


def _walk(events: Iterator[Any], chain: Iterator[Any], since: Digest | None) -> Verdict:
    head, checked = EMPTY, 0
    event, entry = next(events, None), next(chain, None)
    while event is not None or entry is not None:
        step = _step(event, entry, head, since)
        if isinstance(step, Problem):
            return Verdict(checked, head, step.position, step.why)
        head, checked = step, checked + 1
        event, entry = next(events, None), next(chain, None)
    if since is not None and since.position > head.position:
        return Verdict(checked, head, since.position, "log ends before the digest's position")
    return Verdict(checked, head)


@dataclass(frozen=True)
class Problem:
    """The first position that does not check out, and why."""

    position: int
    why: str


def _step(event: Any, entry: Any, head: Digest, since: Digest | None) -> Digest | Problem:
    """Check one position against the head before it; the new head if it checks out."""
    if event is None or entry is None or event["position"] != entry["position"]:
        return _unpaired(event, entry)
    position = event["position"]
    if since is not None and head.position < since.position < position:
        return Problem(since.position, "the digest's position is no longer in the log")
    if entry["previous_position"] != head.position:
        return _broken_link(entry["previous_position"], head.position, position)
    recomputed = link(
        head.hash,
        position,
        UUID(str(event["originator_id"])),
        event["originator_version"],
        event["topic"],
        bytes(event["state"]),
    )
    if recomputed != bytes(entry["hash"]):
        return Problem(position, "stored bytes do not match the chain (edited or reordered)")
    if since is not None and position == since.position and recomputed != since.hash:
        return Problem(position, "log differs from the digest taken earlier (history rewritten)")
    return Digest(position, recomputed)


def _broken_link(claimed: int, actual: int, position: int) -> Problem:
    if actual < claimed < position:
        return Problem(claimed, "entry is missing (removed from events and chain)")
    return Problem(position, f"chain says predecessor {claimed}, the log has {actual}")


def _unpaired(event: Any, entry: Any) -> Problem:
    """Where and why the events and the chain stop pairing up."""
    if entry is None or (event is not None and event["position"] < entry["position"]):
        return Problem(event["position"], "event has no chain entry (inserted behind the chain)")
    return Problem(entry["position"], "chain entry has no event (the event was removed)")


def _stream(conn: psycopg.Connection[Any], name: str, query: str) -> Iterator[Any]:
    cursor = conn.cursor(name=name)
    cursor.itersize = FETCH
    cursor.execute(query)
    yield from cursor


def _connect(database_url: str, role: str | None) -> psycopg.Connection[Any]:
    if role is None:
        return psycopg.connect(database_url, row_factory=dict_row)
    return psycopg.connect(database_url, row_factory=dict_row, options=f"-c role={role}")
