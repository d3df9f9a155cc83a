"""Deductions not tied to claims (指标性扣款, 预算/总额扣款): how much an institution may lose for
a period, and where the money goes.

A deduction concerns a month (`2020-03`), a quarter (`2020-Q1`) or a year (`2020`) of one
scheme. Its bound is what the fund disbursed to the institution for that period (gross, the
held deposit included): a deduction is taken from money paid for the period, never from money
the period did not earn. Periods of these three sizes are nested or disjoint, so checking every
recorded period that contains the new one keeps the bound for each of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from domain.money import ZERO
from domain.postings import Posting, balanced, institution_receivable, pooled_fund
from domain.reasons import Reason, Rejected

# The one spelling of a period: a month, a quarter or a year, ASCII digits, the whole value.
PERIOD_TEXT = re.compile(r"(19|20|21)[0-9]{2}(-(0[1-9]|1[0-2])|-Q[1-4])?")


class DeductionKind(StrEnum):
    """Why the fund deducts without naming claims."""

    INDICATOR = "indicator"  # 指标性扣款: an indicator (cost per visit, admission rate) overrun
    BUDGET = "budget"  # 总额控制: spending above the institution's budget (超总额扣减)


@dataclass(frozen=True)
class Period:
    """The months a deduction concerns, as written (`2020-Q1`) and as disbursement months."""

    text: str
    months: frozenset[str]

    @classmethod
    def parse(cls, text: str) -> Period:
        """The period a text names; Rejected(schema_invalid) for any other spelling."""
        if not PERIOD_TEXT.fullmatch(text):
            raise Rejected(
                Reason.SCHEMA_INVALID, f"period {text!r} is not YYYY-MM, YYYY-Qn or YYYY"
            )
        year, _, rest = text.partition("-")
        if not rest:
            numbers = range(1, 13)
        elif rest.startswith("Q"):
            first = (int(rest[1]) - 1) * 3 + 1
            numbers = range(first, first + 3)
        else:
            numbers = range(int(rest), int(rest) + 1)
        return cls(text, frozenset(f"{year}-{n:02d}" for n in numbers))

    def covers(self, day: date) -> bool:
        """Whether a day falls in one of the period's months."""
        return f"{day.year}-{day.month:02d}" in self.months


@dataclass(frozen=True)
class DeductionRecord:
    """A deduction as the institution keeps it, to bound the next ones and spot re-sends."""

    fingerprint: str
    scheme: str
    period: Period
    amount: Decimal


def paid_for(disbursed: Mapping[tuple[str, str], Decimal], scheme: str, period: Period) -> Decimal:
    """What the institution was disbursed for the period's months under a scheme (gross)."""
    return sum((disbursed.get((scheme, month), ZERO) for month in period.months), ZERO)


def check_within_paid(
    *,
    code: str,
    scheme: str,
    period: Period,
    amount: Decimal,
    disbursed: Mapping[tuple[str, str], Decimal],
    earlier: Iterable[DeductionRecord],
) -> Decimal:
    """What was paid for the period; exceeds_paid if the deduction, with the earlier ones of
    the same scheme inside the period or any recorded period containing it, exceeds that."""
    same = [r for r in earlier if r.scheme == scheme]
    enclosing = {period, *(r.period for r in same if period.months <= r.period.months)}
    for outer in sorted(enclosing, key=lambda p: len(p.months)):
        paid = paid_for(disbursed, scheme, outer)
        deducted = sum((r.amount for r in same if r.period.months <= outer.months), ZERO)
        if deducted + amount > paid:
            raise Rejected(
                Reason.EXCEEDS_PAID,
                f"deduction of {amount} from {code} for {scheme} {period.text} exceeds what was "
                f"paid for {outer.text} ({paid} disbursed, {deducted} deducted before)",
            )
    return paid_for(disbursed, scheme, period)


def deduction_postings(code: str, region: str, scheme: str, amount: Decimal) -> tuple[Posting, ...]:
    """The fund owes the institution less; the pooled fund keeps the amount."""
    return balanced(
        [
            Posting(institution_receivable(code), -amount),
            Posting(pooled_fund(region, scheme), amount),
        ]
    )
