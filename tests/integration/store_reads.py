"""Reads of the store that only the tests make: how much it holds, and the replay record."""

from __future__ import annotations

import json
from typing import Any

from infra.store import Ledger


def counts(ledger: Ledger) -> dict[str, int]:
    """How much the store holds."""
    with ledger.datastore.transaction(commit=False) as curs:
        curs.execute(
            "SELECT (SELECT count(*) FROM ledger_events) AS events,"
            " (SELECT count(*) FROM ledger_messages) AS accepted_messages,"
            " (SELECT count(*) FROM rejected_messages) AS rejected_messages"
        )
        row = curs.fetchone()
    if row is None:
        raise RuntimeError("a SELECT of counts returned no row")
    return {k: int(v) for k, v in row.items()}


def replay_history(ledger: Ledger, rejected_id: int | None = None) -> list[dict[str, Any]]:
    """Every replay submission and outcome, oldest first."""
    with ledger.datastore.transaction(commit=False) as curs:
        curs.execute(
            "SELECT id, rejected_id, kind, reason, detail, source_topic, source_partition,"
            " source_offset, recorded_at FROM rejected_replays"
            " WHERE (%(id)s::bigint IS NULL OR rejected_id = %(id)s) ORDER BY id",
            {"id": rejected_id},
        )
        return [dict(row) for row in curs.fetchall()]


def decisions(
    ledger: Ledger,
) -> tuple[dict[str, list[tuple[int, str, Any]]], list[tuple[str, str]]]:
    """What the ledger decided, without where and when it read it: each entity's events in
    order (version, type, state without provenance or timestamp), and the dead letters as
    (message id, reason), sorted."""
    with ledger.datastore.transaction(commit=False) as curs:
        curs.execute(
            "SELECT originator_id, originator_version, topic, state FROM ledger_events"
            " ORDER BY originator_id, originator_version"
        )
        events: dict[str, list[tuple[int, str, Any]]] = {}
        for row in curs.fetchall():
            state = json.loads(bytes(row["state"]))
            for where_and_when in ("provenance", "timestamp"):
                state.pop(where_and_when, None)
            events.setdefault(str(row["originator_id"]), []).append(
                (int(row["originator_version"]), str(row["topic"]), state)
            )
        curs.execute("SELECT message_id, reason FROM rejected_messages")
        dead = sorted((str(r["message_id"]), str(r["reason"])) for r in curs.fetchall())
    return events, dead
