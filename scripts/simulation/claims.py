"""Settlements through the year: outpatient visits, pharmacy purchases, admissions, reversals."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from domain.money import ZERO
from scripts.simulation.books import Books, ClaimRecord
from scripts.simulation.decisions import claim_settled
from scripts.simulation.messages import MessageFactory, amount, at
from scripts.simulation.plan import Phase, Planned
from scripts.simulation.world import County, Institution, Person

# Total cost ranges of one admission by level (yuan); outpatient and pharmacy are small.
ADMISSION_COST = {
    "community": (1_200, 3_000),
    "1": (2_000, 4_500),
    "2": (3_500, 9_000),
    "3": (7_000, 20_000),
}
LEVEL_WEIGHTS = {"community": 3, "1": 3, "2": 3, "3": 2}


@dataclass(frozen=True)
class Visit:
    """One settlement to send: who, where, what, when and how much."""

    person: Person
    institution: Institution
    doctor_id: str | None
    claim_type: str
    when: datetime
    total_cost: Decimal
    in_policy_cost: Decimal


class ClaimIds:
    """Settlement ids per institution and year, as a hospital's HIS numbers them."""

    def __init__(self, year: int) -> None:
        self._year = year
        self._next: dict[str, int] = defaultdict(int)

    def next(self, institution: str) -> str:
        self._next[institution] += 1
        return f"JS-{institution}-{self._year}-{self._next[institution]:06d}"


def _money(value: float) -> Decimal:
    return Decimal(str(round(value, 2))).quantize(Decimal("0.01"))


def random_visits(county: County, books: Books, month: int) -> Iterator[Visit]:
    """Everyone covered may see a doctor, buy drugs or be admitted this month."""
    config = county.config
    rng = random.Random(f"{config.seed}:claims:{month}")  # noqa: S311
    year = config.year
    admitting = [h for h in county.hospitals if h.level in LEVEL_WEIGHTS]
    weights = [LEVEL_WEIGHTS[h.level] for h in admitting]
    outpatient_places = [*county.hospitals, *county.clinics]
    for person in county.persons:
        elderly = person.category in ("elderly", "retiree")
        for claim_type, chance in (
            ("outpatient", 0.3 if elderly else 0.15),
            ("pharmacy", 0.12),
            ("inpatient", 0.025 if elderly else 0.012),
        ):
            if rng.random() >= chance:
                continue
            day = date(year, month, rng.randint(1, 27))
            if not books.covered(person.person_id, day):
                continue  # most who left stay away; a few scripted claims test that refusal
            if claim_type == "pharmacy":
                place = rng.choice(county.pharmacies)
                total = _money(rng.uniform(20, 300))
            elif claim_type == "outpatient":
                place = (
                    next(
                        (i for i in outpatient_places if i.code == person.primary_institution),
                        rng.choice(outpatient_places),
                    )
                    if rng.random() < 0.6
                    else rng.choice(outpatient_places)
                )
                total = _money(rng.uniform(60, 600))
            else:
                place = rng.choices(admitting, weights)[0]
                low, high = ADMISSION_COST[place.level]
                total = _money(rng.uniform(low, high))
            in_policy = _money(float(total) * rng.uniform(0.7, 0.95))
            doctors = county.doctors_at(place.code)
            doctor = rng.choice(doctors).doctor_id if doctors else None
            yield Visit(
                person,
                place,
                doctor,
                claim_type,
                at(day, rng.randint(8, 17), rng.randint(0, 59)),
                total,
                in_policy,
            )


def settlements(
    county: County,
    books: Books,
    ids: MessageFactory,
    claim_ids: ClaimIds,
    month: int,
    visits: Iterator[Visit],
) -> Iterator[Planned]:
    """ClaimSettled for each visit, and a few reversals the next day (wrong card, re-keyed)."""
    rng = random.Random(f"{county.config.seed}:settlements:{month}")  # noqa: S311
    for visit in visits:
        claim_id = claim_ids.next(visit.institution.code)
        planned, paid = settle(books, ids, month, claim_id, visit, rng)
        yield planned
        if paid and visit.claim_type != "inpatient" and rng.random() < 0.01:
            yield reverse(books, ids, month, claim_id, visit)


def settle(
    books: Books, ids: MessageFactory, month: int, claim_id: str, visit: Visit, rng: random.Random
) -> tuple[Planned, bool]:
    """One ClaimSettled; the books learn the fund share the ledger will compute."""
    person, place, day = visit.person, visit.institution, visit.when.date()
    refusal = None if books.covered(person.person_id, day) else "not_covered"
    refusal = refusal or books.refusal(
        [place.code, *([visit.doctor_id] if visit.doctor_id else []), person.person_id], day
    )
    share = personal = ZERO
    if refusal is None:
        share = books.settle(
            claim_id,
            person.person_id,
            person.scheme,
            place.code,
            place.level,
            visit.claim_type,
            visit.in_policy_cost,
            day,
        )
        balance = books.personal_balance[person.person_id]
        if person.category == "employee" and visit.claim_type != "inpatient" and balance > ZERO:
            # Within the patient's share however it is counted (of the in-policy or the total cost).
            personal = min(balance, (visit.in_policy_cost - share) * Decimal("0.9")).quantize(
                Decimal("0.01")
            )
        books.record_claim(
            ClaimRecord(
                claim_id,
                person.person_id,
                place.code,
                person.scheme,
                f"{day:%Y-%m}",
                share,
                personal,
                share,
            )
        )
    reported: str | None = amount(share) if refusal is None else None
    if refusal is None and rng.random() < 0.02:
        reported = amount(share + Decimal("12.50"))  # the HIS computed otherwise: flagged
    payload = {
        "claim_id": claim_id,
        "person_id": person.person_id,
        "institution": place.code,
        "doctor_id": visit.doctor_id,
        "claim_type": visit.claim_type,
        "total_cost": amount(visit.total_cost),
        "in_policy_cost": amount(visit.in_policy_cost),
        "personal_account_amount": amount(personal),
        "reported_fund_share": reported,
    }
    planned = ids.planned(
        month,
        Phase.CLAIMS,
        person.person_id,
        "ClaimSettled",
        visit.when,
        f"his:{place.code}",
        payload,
        decision=claim_settled(visit.total_cost, share, personal, refusal),
    )
    return planned, refusal is None


def reverse(books: Books, ids: MessageFactory, month: int, claim_id: str, visit: Visit) -> Planned:
    """The settlement is undone the next morning."""
    books.reverse(claim_id)
    payload = {
        "claim_id": claim_id,
        "person_id": visit.person.person_id,
        "reason": "wrong patient card",
    }
    when = at(visit.when.date() + timedelta(days=1), 8)
    return ids.planned(
        month,
        Phase.CLAIMS,
        visit.person.person_id,
        "ClaimReversed",
        when,
        f"his:{visit.institution.code}",
        payload,
    )
