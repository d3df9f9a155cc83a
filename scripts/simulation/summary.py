"""What the demo prints after a scenario: counts by type, rejections by reason, money moved."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from psycopg.rows import tuple_row

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


def _grouped(ledger: Ledger, query: str) -> dict[str, int]:
    with ledger.datastore.transaction(commit=False) as curs:
        curs.execute(query)
        return {str(row["name"]): int(row["n"]) for row in curs.fetchall()}


def summarize(ledger: Ledger) -> StoreSummary:
    """Counts and balances from indexed tables; the read models must have caught up first."""
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
    with ledger.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
        summary.balances = latest_balances(curs)
    # Balances are sums of postings, so their total is the total of every posting ever made.
    summary.postings_total = sum(summary.balances.values(), Decimal("0.00"))
    return summary
