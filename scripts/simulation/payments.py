"""Money in and out of the fund: contributions, subsidies, disbursements, deposit release."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from domain.money import ZERO
from scripts.simulation.books import Books
from scripts.simulation.messages import MessageFactory, amount, at
from scripts.simulation.plan import Phase, Planned
from scripts.simulation.world import County

# Government subsidy per insured resident in 2019 (520 yuan), split by level.
SUBSIDY_PER_RESIDENT = {"central": Decimal(312), "provincial": Decimal(130), "county": Decimal(78)}
# An employee's monthly contribution on a wage base: employer 8% to the pool and personal
# account, employee 2% to the personal account; about a third reaches the personal account.
WAGE_BASES = (3_200, 4_500, 6_000, 8_800)


def contributions(
    county: County, books: Books, ids: MessageFactory, month: int
) -> Iterator[Planned]:
    """Residents pay for the year (and in December for the next); employers pay monthly."""
    config = county.config
    rng = random.Random(f"{config.seed}:contributions:{month}")  # noqa: S311
    for person in county.persons:
        if person.enrolled_on.month > month or not books.covered(
            person.person_id, date(config.year, month, 28)
        ):
            continue
        if person.scheme == "resident":
            years = ([config.year] if person.enrolled_on.month == month else []) + (
                [config.year + 1] if month == 12 else []
            )
            for year in years:
                # A few still pay last year's 220 yuan: recorded, and flagged as differing.
                paid = Decimal(220) if rng.random() < 0.03 else Decimal(250)
                day = date(config.year, month, rng.randint(1, 28))
                payload = {
                    "person_id": person.person_id,
                    "year": year,
                    "payer": "individual",
                    "amount": amount(paid),
                    "personal_account_amount": "0",
                }
                yield ids.planned(
                    month,
                    Phase.PAYMENTS,
                    person.person_id,
                    "ContributionPaid",
                    at(day, 10),
                    "tax:collection",
                    payload,
                )
        elif person.category == "employee":
            base = Decimal(WAGE_BASES[int(person.person_id) % len(WAGE_BASES)])
            whole = (base * Decimal("0.10")).quantize(Decimal("0.01"))
            personal = (base * Decimal("0.032")).quantize(Decimal("0.01"))
            payload = {
                "person_id": person.person_id,
                "year": config.year,
                "payer": "employer",
                "amount": amount(whole),
                "personal_account_amount": amount(personal),
            }
            books.personal_balance[person.person_id] += personal
            yield ids.planned(
                month,
                Phase.PAYMENTS,
                person.person_id,
                "ContributionPaid",
                at(date(config.year, month, 15), 10),
                f"employer:{person.employer_id}",
                payload,
            )


def subsidies(county: County, ids: MessageFactory, month: int) -> Iterator[Planned]:
    """In March, each level of government grants its share for the insured residents."""
    if month != 3:
        return
    config = county.config
    residents = sum(1 for p in county.persons if p.scheme == "resident")
    for level, per_head in SUBSIDY_PER_RESIDENT.items():
        subsidy_id = f"SUB-{config.region}-{config.year}-{level.upper()}"
        payload = {
            "subsidy_id": subsidy_id,
            "scheme": "resident",
            "year": config.year,
            "level": level,
            "amount": amount(per_head * residents),
            "insured_count": residents,
        }
        yield ids.planned(
            month,
            Phase.PAYMENTS,
            subsidy_id,
            "SubsidyGranted",
            at(date(config.year, 3, 31), 0),
            f"finance:{config.region}",
            payload,
        )


def disbursements(
    county: County, books: Books, ids: MessageFactory, month: int
) -> Iterator[Planned]:
    """On the 10th, each institution is paid last month's settlements less refusals."""
    config = county.config
    if month == 1:
        return
    paid_for = month - 1
    period = f"{config.year}-{paid_for:02d}" if paid_for <= 12 else None
    if period is None:
        return
    day = date(config.year + (1 if month > 12 else 0), (month - 1) % 12 + 1, 10)
    for institution in county.institutions:
        for scheme in ("resident", "employee"):
            gross, _deposit = books.disburse(institution.code, scheme, period)
            if gross <= ZERO:
                continue
            payload = {
                "institution": institution.code,
                "period": period,
                "scheme": scheme,
                "amount": amount(gross),
            }
            yield ids.planned(
                month,
                Phase.PAYMENTS,
                institution.code,
                "DisbursementMade",
                at(day, 9),
                "fund:finance",
                payload,
            )


def deposit_releases(
    county: County, books: Books, ids: MessageFactory, month: int
) -> Iterator[Planned]:
    """After the annual assessment, most of each deposit is released; low scores keep some."""
    if month != 13:
        return
    config = county.config
    rng = random.Random(f"{config.seed}:assessment")  # noqa: S311
    day = date(config.year + 1, 1, 25)
    for institution in county.institutions:
        held = books.deposit_held[institution.code]
        score = Decimal(1) if rng.random() < 0.8 else Decimal("0.85")
        released = (held * score).quantize(Decimal("0.01"))
        if released <= ZERO:
            continue
        books.deposit_held[institution.code] -= released
        payload = {"institution": institution.code, "year": config.year, "amount": amount(released)}
        yield ids.planned(
            month,
            Phase.PAYMENTS,
            institution.code,
            "DepositReleased",
            at(day, 9),
            "fund:finance",
            payload,
        )
