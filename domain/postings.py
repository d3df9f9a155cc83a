"""Double entry: every monetary fact moves money between named accounts, summing to zero.

Sign convention: an amount is what the account holder gains (positive) or gives up (negative),
so a balance is what the holder has, or is owed, as of a date.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from domain.money import CENT


@dataclass(frozen=True)
class Posting:
    """One side of a movement of money: an account and a signed amount in yuan."""

    account: str
    amount: Decimal


class UnbalancedPostingsError(ValueError):
    """Raised for postings that do not sum to zero: a bug, never a business outcome."""


def balanced(postings: Iterable[Posting]) -> tuple[Posting, ...]:
    """The postings, checked: amounts are in cents and sum to exactly zero; zero lines dropped."""
    kept = tuple(p for p in postings if p.amount != 0)
    for posting in kept:
        if posting.amount != posting.amount.quantize(CENT):
            raise UnbalancedPostingsError(f"{posting} is not a whole number of cents")
    total = sum((p.amount for p in kept), Decimal(0))
    if total != 0:
        raise UnbalancedPostingsError(f"postings sum to {total}, not zero: {kept}")
    return kept


def pooled_fund(region: str, scheme: str) -> str:
    """The pooled fund (统筹基金) of a region and scheme."""
    return f"fund:{region}:{scheme}:pooled"


def is_pooled_fund(account: str) -> bool:
    """Whether the account is a region's pooled fund (see `pooled_fund`)."""
    return account.startswith("fund:") and account.endswith(":pooled")


def is_shared_account(account: str) -> bool:
    """Whether many people's facts post to the account (a pooled fund, an institution's or a
    treasury account), as opposed to one person's or one outside party's."""
    return account.startswith(("fund:", "institution:", "treasury:"))


def personal_account(person_id: str) -> str:
    """An employee's personal account (个人账户)."""
    return f"person:{person_id}:personal_account"


def institution_receivable(code: str) -> str:
    """What the fund owes an institution for settled claims, not yet disbursed."""
    return f"institution:{code}:receivable"


def institution_deposit_held(code: str) -> str:
    """The quality deposit (质量保证金) withheld from an institution's disbursements."""
    return f"institution:{code}:deposit_held"


def treasury_fines(region: str) -> str:
    """Fines go to the treasury (上缴国库), never to the fund."""
    return f"treasury:{region}:fines"


def external(name: str) -> str:
    """Money outside the ledger: payers, banks, the parties refunds come from."""
    return f"external:{name}"


def institution_bank(code: str) -> str:
    """The institution's own bank account: where disbursements go and refunds come from."""
    return external(f"institution:{code}")


def payer(kind: str, payer_id: str) -> str:
    """Who pays from outside: `payer` (a person), `employer`, `person`, `institution`..."""
    return external(f"{kind}:{payer_id}")


def subsidy_source(level: str, region: str) -> str:
    """The central, provincial or county government paying a subsidy into a region's fund."""
    return external(f"subsidy:{level}:{region}")


def misuse_due(person_id: str) -> str:
    """What a person was ordered to return of misused fund money (条例 art. 41) and has not yet
    returned: negative while owed."""
    return f"person:{person_id}:misuse_due"


def misuse_receivable(region: str, scheme: str) -> str:
    """What persons owe a pooled fund for misused money ordered back, not yet returned."""
    return f"fund:{region}:{scheme}:misuse_receivable"
