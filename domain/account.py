"""A person's money with the fund: contributions, the personal account and each year's usage."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.identity import person_account_aggregate_id
from domain.money import ZERO
from domain.postings import Posting
from domain.provenance import Provenance
from domain.settlement import YearUsage


class PersonAccount(Aggregate):
    """Per person: personal-account balance and, per calendar year, admissions and fund paid."""

    # Misused money ordered back from the person so far (a class default: accounts recorded
    # before misuse recoveries existed replay without it).
    misuse_ordered: Decimal = ZERO

    class Opened(Aggregate.Created):
        person_id: str
        provenance: Provenance

    class ContributionPaid(Aggregate.Event):
        year: int
        payer: str
        region: str
        scheme: str
        amount: Decimal
        personal_account_amount: Decimal
        expected_amount: Decimal | None
        amount_differs: bool
        postings: tuple[Posting, ...]
        provenance: Provenance

    class UsageCharged(Aggregate.Event):
        claim_id: str
        year: int
        fund_share: Decimal
        personal_account_amount: Decimal
        admission: bool
        provenance: Provenance

    class UsageReleased(Aggregate.Event):
        claim_id: str
        year: int
        fund_share: Decimal
        personal_account_amount: Decimal
        admission: bool
        provenance: Provenance

    class MisuseNoted(Aggregate.Event):
        recovery_id: str
        amount: Decimal
        provenance: Provenance

    @staticmethod
    def create_id(person_id: str, **_: Any) -> UUID:
        return person_account_aggregate_id(person_id)

    @event(Opened)
    def __init__(self, *, person_id: str, provenance: Provenance) -> None:
        self.person_id = person_id
        self.balance = ZERO  # the personal account (个人账户)
        self.usage: dict[int, YearUsage] = {}

    def usage_in(self, year: int) -> YearUsage:
        """Admissions and fund payments of a calendar year so far."""
        return self.usage.get(year, YearUsage())

    @event(ContributionPaid)
    def record_contribution(
        self,
        *,
        year: int,
        payer: str,
        region: str,
        scheme: str,
        amount: Decimal,
        personal_account_amount: Decimal,
        expected_amount: Decimal | None,
        amount_differs: bool,
        postings: tuple[Posting, ...],
        provenance: Provenance,
    ) -> None:
        """Record a contribution decided by the handler (postings already balanced)."""
        self.balance += personal_account_amount

    @event(UsageCharged)
    def charge(
        self,
        *,
        claim_id: str,
        year: int,
        fund_share: Decimal,
        personal_account_amount: Decimal,
        admission: bool,
        provenance: Provenance,
    ) -> None:
        """Count a paid claim against the year and the personal account."""
        self._count(year, int(admission), fund_share)
        self.balance -= personal_account_amount

    @event(UsageReleased)
    def release(
        self,
        *,
        claim_id: str,
        year: int,
        fund_share: Decimal,
        personal_account_amount: Decimal,
        admission: bool,
        provenance: Provenance,
    ) -> None:
        """Undo exactly what a reversed claim had counted."""
        self._count(year, -int(admission), -fund_share)
        self.balance += personal_account_amount

    @property
    def fund_paid(self) -> Decimal:
        """What the pooled funds paid for the person's claims in all years (less reversals)."""
        return sum((used.fund_paid for used in self.usage.values()), ZERO)

    @event(MisuseNoted)
    def note_misuse(self, *, recovery_id: str, amount: Decimal, provenance: Provenance) -> None:
        """Count an order to return misused money (checked against `fund_paid`)."""
        self.misuse_ordered += amount

    def _count(self, year: int, admissions: int, fund_paid: Decimal) -> None:
        used = self.usage_in(year)
        self.usage = {
            **self.usage,
            year: replace(
                used,
                admissions=used.admissions + admissions,
                fund_paid=used.fund_paid + fund_paid,
            ),
        }
