"""Supervision figures by decision date (基金监管情况): what a year's decisions found and what
was recovered on them, by detection source and violation type, and the sanctions by kind.

A county's annual supervision report counts a recovery in the year of the decision that ordered
it (追回 in 2020 means ordered by a 2020 decision), whenever the money came in, and the fund
report counts payments by their own date: the two differ on purpose. Facts come in as items
(`Finding`, `Recovery`, `MeasureTaken`); `tally` adds them up. Whatever records a finding
(a clawback, a refund, a refusal, and any new kind of recovery) only has to say it as items;
findings under one key are one case (the pages of one order add to its amounts).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from domain.money import ZERO

# The source of a finding whose message did not state one.
UNKNOWN_SOURCE = "unknown"
# The "violation" of a finding that names none: a deduction by indicator or budget.
NO_VIOLATION = "no_violation_named"


@dataclass(frozen=True)
class Finding:
    """A decision that found money misused: refused before it was paid, or to be returned."""

    key: str  # what the recoveries on it name (the clawback's or refund's aggregate)
    decided: date  # the decision date (for facts without one: the day they took effect)
    source: str  # how it was detected (domain/violations.py), or UNKNOWN_SOURCE
    violation: str
    refused: Decimal = ZERO  # not paid (拒付)
    ordered: Decimal = ZERO  # paid, to be returned to the fund (追回, 退回)
    # The decision it is part of, when one decision makes several findings (a decision over
    # several institutions: one order per institution, each recovered on its own); None: its key.
    case: str | None = None


@dataclass(frozen=True)
class Recovery:
    """Money returned on a finding, counted in the year of the finding's decision."""

    key: str
    amount: Decimal


@dataclass(frozen=True)
class MeasureTaken:
    """A sanction or agreement measure decided on a day."""

    decided: date
    kind: str


SupervisionItem = Finding | Recovery | MeasureTaken


@dataclass
class Figures:
    """Decisions and their amounts: found = refused + ordered; recovered is of the ordered."""

    cases: int = 0
    refused: Decimal = ZERO
    ordered: Decimal = ZERO
    recovered: Decimal = ZERO

    @property
    def found(self) -> Decimal:
        """Everything the decisions found misused."""
        return self.refused + self.ordered


@dataclass
class SupervisionReport:
    """A year's figures by decision date."""

    year: int
    total: Figures = field(default_factory=Figures)
    by_source: dict[str, Figures] = field(default_factory=dict)
    by_violation: dict[str, Figures] = field(default_factory=dict)
    sanctions: dict[str, int] = field(default_factory=dict)


def tally(items: Iterable[SupervisionItem], year: int) -> SupervisionReport:
    """The figures of the decisions dated in `year`. Items come in log order: a recovery after
    the finding it names; one whose finding lies in another year is that year's."""
    report = SupervisionReport(year)
    findings: dict[str, Finding] = {}
    cases: set[str] = set()
    for item in items:
        if isinstance(item, MeasureTaken):
            if item.decided.year == year:
                report.sanctions[item.kind] = report.sanctions.get(item.kind, 0) + 1
        elif isinstance(item, Finding):
            if item.decided.year == year:
                # Findings under one key are one case (an order paginated across messages), and
                # so are those of one decision (its orders to several institutions).
                first = findings.setdefault(item.key, item)
                case = item.case or item.key
                new_case = case not in cases
                cases.add(case)
                for figures in _figures_of(report, first):
                    figures.cases += 1 if new_case else 0
                    figures.refused += item.refused
                    figures.ordered += item.ordered
        else:
            found = findings.get(item.key)
            for figures in [] if found is None else _figures_of(report, found):
                figures.recovered += item.amount
    return report


def _figures_of(report: SupervisionReport, finding: Finding) -> list[Figures]:
    """The totals a finding counts in: the year's, its source's and its violation's."""
    return [
        report.total,
        report.by_source.setdefault(finding.source, Figures()),
        report.by_violation.setdefault(finding.violation, Figures()),
    ]
