"""What the demo prints after a scenario: counts by type, rejections by reason, money moved."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from eventsourcing.persistence import StoredEvent

from infra.store import Ledger


@dataclass
class StoreSummary:
    """Counts and totals read back from the store after a run."""

    accepted_by_type: dict[str, int] = field(default_factory=dict)
    events_by_type: dict[str, int] = field(default_factory=dict)
    rejected_by_reason: dict[str, int] = field(default_factory=dict)
    balances: dict[str, Decimal] = field(default_factory=dict)
    postings_total: Decimal = Decimal("0.00")


def _grouped(ledger: Ledger, query: str) -> dict[str, int]:
    with ledger.datastore.transaction(commit=False) as curs:
        curs.execute(query)
        return {str(row["name"]): int(row["n"]) for row in curs.fetchall()}


def stored_events(ledger: Ledger, page: int = 2_000) -> Iterator[Any]:
    """Every stored event, decoded, in log order; read page by page."""
    after = 0
    while True:
        with ledger.datastore.transaction(commit=False) as curs:
            curs.execute(
                "SELECT notification_id, originator_id, originator_version, topic, state"
                " FROM ledger_events WHERE notification_id > %s ORDER BY notification_id"
                " LIMIT %s",
                (after, page),
            )
            rows = curs.fetchall()
        if not rows:
            return
        for row in rows:
            stored = StoredEvent(
                row["originator_id"], row["originator_version"], row["topic"], bytes(row["state"])
            )
            yield ledger.mapper.to_domain_event(stored)
        after = rows[-1]["notification_id"]


def summarize(ledger: Ledger) -> StoreSummary:
    """Counts from indexed tables; balances by summing the postings of every stored event."""
    summary = StoreSummary(
        accepted_by_type=_grouped(
            ledger,
            "SELECT message_type AS name, count(*) AS n FROM ledger_messages GROUP BY 1 ORDER BY 1",
        ),
        events_by_type=_grouped(
            ledger,
            "SELECT split_part(topic, ':', 2) AS name, count(*) AS n FROM ledger_events"
            " GROUP BY 1 ORDER BY 1",
        ),
        rejected_by_reason=_grouped(
            ledger,
            "SELECT reason AS name, count(*) AS n FROM rejected_messages GROUP BY 1 ORDER BY 1",
        ),
    )
    balances: dict[str, Decimal] = defaultdict(Decimal)
    total = Decimal("0.00")
    for event in stored_events(ledger):
        for posting in getattr(event, "postings", ()) or ():
            balances[posting.account] += posting.amount
            total += posting.amount
    summary.balances = dict(balances)
    summary.postings_total = total
    return summary
