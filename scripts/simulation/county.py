"""A county's year, month by month, as one stream of messages in delivery order."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from scripts.simulation.bad import BadMessages
from scripts.simulation.books import Books
from scripts.simulation.casebook import Casebook
from scripts.simulation.claims import ClaimIds, random_visits, settlements
from scripts.simulation.clawbacks import refusals
from scripts.simulation.config import ScenarioConfig
from scripts.simulation.enrollment import departures, enrollments, renewals, status_revocations
from scripts.simulation.messages import MessageFactory
from scripts.simulation.payments import contributions, deposit_releases, disbursements, subsidies
from scripts.simulation.plan import Phase, Planned
from scripts.simulation.reference import reference_data
from scripts.simulation.world import build_county

# January to December, then next January (December's disbursement, deposit release) and
# April (a late inspection about this year's claims).
MONTHS = (*range(1, 14), 16)


def county_year(config: ScenarioConfig) -> Iterator[Planned]:
    """Every message of the scenario, generated lazily in the order it is to be delivered."""
    county = build_county(config)
    books = Books()
    ids = MessageFactory(config.seed, config.region)
    casebook = Casebook(county, books, ids)
    bad = BadMessages(casebook, ids) if config.bad_messages else None
    claim_ids = ClaimIds(config.year)

    def with_bad(month: int, phase: Phase, good: Iterator[Planned]) -> Iterator[Planned]:
        yield from good
        if bad is not None:
            yield from bad.messages(month, phase)

    for month in MONTHS:
        in_year = month <= 12
        if in_year and month > 1:  # refusals and the bad input look one month back at most
            books.forget_before(f"{config.year}-{month - 1:02d}")
        if month == 1:
            yield from reference_data(county, ids)
        yield from with_bad(
            month,
            Phase.ENROLLMENT,
            itertools.chain(
                enrollments(county, books, ids, month) if in_year else iter(()),
                departures(county, books, ids, month),
                status_revocations(county, books, ids, month),
                renewals(county, books, ids, month),
                casebook.enrollment(month),
            ),
        )
        yield from with_bad(
            month,
            Phase.PAYMENTS,
            itertools.chain(
                disbursements(county, books, ids, month),
                contributions(county, books, ids, month) if in_year else iter(()),
                subsidies(county, ids, month),
                deposit_releases(county, books, ids, month),
            ),
        )
        visits = itertools.chain(
            random_visits(county, books, month) if in_year else iter(()), casebook.visits(month)
        )
        claims = settlements(county, books, ids, claim_ids, month, visits)
        if bad is not None and month == 1:
            claims = _kept(claims, bad)
        yield from with_bad(month, Phase.CLAIMS, claims)
        yield from with_bad(
            month,
            Phase.CLAWBACKS,
            itertools.chain(refusals(county, books, ids, month), casebook.clawbacks(month)),
        )
        yield from with_bad(month, Phase.SANCTIONS, casebook.sanctions(month))


def _kept(claims: Iterator[Planned], bad: BadMessages) -> Iterator[Planned]:
    for planned in claims:
        bad.remember(planned)
        yield planned
