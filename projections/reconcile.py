"""The per-institution figures of a region and year summed against its fund statement."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from psycopg import Cursor

from projections.asof import Bitemporal
from projections.facts import HOSPITAL_METRICS
from projections.models import Hospitals
from projections.queries import (
    SCHEMA,
    fund_statement,
    money,
    registered_hospitals,
    statement_period,
)

SHARE, REFUSED = HOSPITAL_METRICS.index("fund_share"), HOSPITAL_METRICS.index("refused")


@dataclass(frozen=True)
class InstitutionYear:
    """What one institution's claims took from the pooled funds in the period."""

    institution: str
    fund_share: Decimal  # settled, less reversals
    refused: Decimal  # refused (拒付) after settlement: returned to the fund

    @property
    def net(self) -> Decimal:
        """What the fund statement counts as settlements for this institution."""
        return self.fund_share - self.refused


@dataclass(frozen=True)
class Reconciliation:
    """Institutions' net fund share beside the fund statement's settlements (both schemes)."""

    institutions: list[InstitutionYear]
    statement: dict[str, dict[str, Decimal]]

    @property
    def institutions_net(self) -> Decimal:
        """The per-institution report's total."""
        return sum((i.net for i in self.institutions), Decimal("0.00"))

    @property
    def fund_settlements(self) -> Decimal:
        """The fund statement's settlements line, summed over the schemes."""
        return sum((lines["settlements"] for lines in self.statement.values()), Decimal("0.00"))

    @property
    def cross_region(self) -> Decimal:
        """The named difference: settlements this region's funds paid at other regions'
        institutions, less those other regions' funds paid at this region's institutions (a
        claim is paid by the person's region and counted at the institution's)."""
        return self.fund_settlements - self.institutions_net


def reconcile(curs: Cursor[Any], region: str, year: int, at: Bitemporal) -> Reconciliation:
    """The region's institutions (pharmacies included) over the fund statement's period."""
    start, end = statement_period(year, at.as_of)
    codes = registered_hospitals(curs, region)
    totals = Hospitals(SCHEMA).totals
    after = totals.lookup(curs, codes, end, at.known_at)
    before = totals.lookup(curs, codes, start, at.known_at)
    institutions = [
        InstitutionYear(
            code,
            money(after[code][SHARE] - before[code][SHARE]),
            money(after[code][REFUSED] - before[code][REFUSED]),
        )
        for code in codes
    ]
    return Reconciliation(institutions, fund_statement(curs, region, year, at))
