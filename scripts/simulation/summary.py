"""What the demo prints after a scenario: counts by type, rejections by reason, money moved."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from psycopg.rows import tuple_row

from infra import tallies
from infra.store import Ledger
from projections.queries import latest_balances


@dataclass
class StoreSummary:
    """Counts and totals read back from the store after a run."""

    accepted_by_type: dict[str, int] = field(default_factory=dict)
    events_by_type: dict[str, int] = field(default_factory=dict)
    rejected_by_reason: dict[str, int] = field(default_factory=dict)
    balances: dict[str, Decimal] = field(default_factory=dict)
    postings_total: Decimal = Decimal("0.00")


def summarize(ledger: Ledger) -> StoreSummary:
    """Counts and balances from indexed tables; the read models must have caught up first."""
    summary = StoreSummary(
        accepted_by_type=tallies.accepted_by_type(ledger),
        events_by_type=tallies.events_by_type(ledger),
        rejected_by_reason=tallies.rejected_by_reason(ledger),
    )
    with ledger.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
        summary.balances = latest_balances(curs)
    # Balances are sums of postings, so their total is the total of every posting ever made.
    summary.postings_total = sum(summary.balances.values(), Decimal("0.00"))
    return summary
