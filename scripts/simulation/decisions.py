"""What the ledger decides about an accepted message, beyond accepting it: one shape for the
plan (what the scenario's books say must happen) and for the store (what the ledger did).

Accepted is not enough: a claim paid that had to be refused (its institution suspended) is
accepted too. So each decision names its outcome, the reason of a refusal, and the amounts it
booked; the outcome check (outcomes.py) compares the two field by field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from domain.claim import Claim
from domain.clawback import Clawback
from domain.money import ZERO
from scripts.cli.display import amount

# Outcomes, as the ledger's events name them where they do.
PAID = "paid"
REFUSED = "refused"
PART_REFUSED = "part_refused"  # smart review refused part of a paid claim
RECOVERED = "recovered"  # money returned against a clawback order


@dataclass(frozen=True)
class Decision:
    """An outcome, the refusal reason if any, and the amounts booked, by name."""

    outcome: str
    reason: str | None = None
    amounts: dict[str, Decimal] = field(default_factory=dict)

    def describe(self) -> str:
        """`refused (institution_suspended), fund_share 0.00, ...` or `paid, fund_share
        1,234.50, ...`, for a person (money in the CLI's one format)."""
        head = self.outcome if self.reason is None else f"{self.outcome} ({self.reason})"
        return ", ".join([head, *(f"{k} {amount(v)}" for k, v in sorted(self.amounts.items()))])


def claim_settled(
    total_cost: Decimal, fund_share: Decimal, personal_account: Decimal, refusal: str | None
) -> Decision:
    """A settlement: paid with its shares, or refused with its reason and nothing paid."""
    if refusal is not None:
        fund_share = personal_account = ZERO
    amounts = {
        "fund_share": fund_share,
        "personal_account_amount": personal_account,
        "patient_share": total_cost - fund_share - personal_account,
    }
    return Decision(PAID if refusal is None else REFUSED, refusal, amounts)


def part_refused(amount: Decimal) -> Decision:
    return Decision(PART_REFUSED, None, {"refused": amount})


def recovered(amount: Decimal) -> Decision:
    return Decision(RECOVERED, None, {"recovered": amount})


def decision_of(event: Any) -> Decision | None:
    """The decision a stored event records, or None for events that decide nothing checked."""
    if isinstance(event, Claim.Settled):
        amounts = {
            "fund_share": event.fund_share,
            "personal_account_amount": event.personal_account_amount,
            "patient_share": event.patient_share,
        }
        return Decision(event.outcome, event.refusal_reason, amounts)
    if isinstance(event, Claim.Refused):
        return part_refused(event.amount)
    if isinstance(event, Clawback.Recovered):
        return recovered(event.amount)
    return None


# Event types (`Class.Event`, as ledger_events names them) that `decision_of` reads.
DECIDING_EVENTS = ("Claim.Settled", "Claim.Refused", "Clawback.Recovered")
