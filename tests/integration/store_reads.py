"""Reads of the store that only the tests make: how much it holds, and the replay record."""

from __future__ import annotations

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
