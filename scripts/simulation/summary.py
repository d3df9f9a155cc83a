"""What the demo prints after a scenario: counts by type, rejections by reason, money moved."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from psycopg.rows import tuple_row

from infra import tallies
from infra.clock import utc_now
from infra.store import Ledger
from projections.queries import latest_balances
from projections.supervision import supervision_report
from scripts.cli.supervision import supervision_rows


@dataclass
class StoreSummary:
    """Counts and totals read back from the store after a run."""

    accepted_by_type: dict[str, int] = field(default_factory=dict)
    events_by_type: dict[str, int] = field(default_factory=dict)
    rejected_by_reason: dict[str, int] = field(default_factory=dict)
    balances: dict[str, Decimal] = field(default_factory=dict)
    postings_total: Decimal = Decimal("0.00")
    # `report supervision --year` of the scenario's year: its rows, as the CLI prints them.
    supervision: list[dict[str, Any]] = field(default_factory=list)


def summarize(ledger: Ledger, year: int | None = None) -> StoreSummary:
    """Counts and balances from indexed tables; the read models must have caught up first.
    With `year`, the supervision figures of the decisions dated in it, as known now."""
    summary = StoreSummary(
        accepted_by_type=tallies.accepted_by_type(ledger),
        events_by_type=tallies.events_by_type(ledger),
        rejected_by_reason=tallies.rejected_by_reason(ledger),
    )
    with ledger.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
        summary.balances = latest_balances(curs)
    # Balances are sums of postings, so their total is the total of every posting ever made.
    summary.postings_total = sum(summary.balances.values(), Decimal("0.00"))
    if year is not None:
        now = utc_now()
        summary.supervision = supervision_rows(supervision_report(ledger, year, now), now)
    return summary
