"""The fund share of a claim, computed from the policy in force and the person's year so far."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from domain.money import ZERO, cents
from domain.policy import PolicyTerms

ONE = Decimal(1)


class ClaimType(StrEnum):
    """What was settled: an admission, an outpatient visit or a pharmacy purchase."""

    INPATIENT = "inpatient"
    OUTPATIENT = "outpatient"
    PHARMACY = "pharmacy"


class Status(StrEnum):
    """Certified special statuses (with their source and effective dates on the person)."""

    MIN_INCOME = "min_income"  # 低保
    DESTITUTE = "destitute"  # 特困/三无
    SEVERE_DISABILITY = "severe_disability"  # 重度残疾
    REGISTERED_POOR = "registered_poor"  # 建档立卡贫困


# Statuses with no deductible and the special-status ratio.
SPECIAL_STATUSES = frozenset({Status.MIN_INCOME, Status.DESTITUTE, Status.SEVERE_DISABILITY})


@dataclass(frozen=True)
class YearUsage:
    """What a person used of the fund in one calendar year before this claim."""

    admissions: int = 0
    fund_paid: Decimal = ZERO


@dataclass(frozen=True)
class Share:
    """The computed outcome of one settlement."""

    deductible: Decimal
    ratio: Decimal
    fund_share: Decimal
    cap_limited: bool


def fund_share(
    terms: PolicyTerms,
    level: str,
    claim_type: str,
    in_policy_cost: Decimal,
    statuses: Collection[str],
    usage: YearUsage,
) -> Share:
    """Deductible, ratio and fund share of one claim; never above cost nor the cap left."""
    special = any(s in SPECIAL_STATUSES for s in statuses)
    if claim_type == ClaimType.INPATIENT:
        deductible = ZERO if special else terms.deductible[level]
        if usage.admissions > 0 and not special:
            deductible = cents(deductible * (ONE - terms.later_admission_reduction))
        ratio = terms.special_status_ratio if special else terms.ratio[level]
    else:
        deductible = ZERO
        ratio = terms.outpatient_ratio
    if Status.REGISTERED_POOR in statuses:
        ratio = min(ONE, ratio + terms.registered_poor_bonus)
    eligible = max(ZERO, in_policy_cost - deductible)
    computed = cents(eligible * ratio)
    cap_left = max(ZERO, terms.annual_cap - usage.fund_paid)
    share = min(computed, cap_left)
    return Share(min(deductible, in_policy_cost), ratio, share, share < computed)
