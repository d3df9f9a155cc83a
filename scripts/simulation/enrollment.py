"""Enrollment through the year: New Year and late enrollments, statuses, ends and renewals."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta

from domain.calendar import DayWindow
from scripts.simulation.books import Books
from scripts.simulation.messages import MessageFactory, at
from scripts.simulation.plan import Phase, Planned
from scripts.simulation.world import County, Person

CIVIL_AFFAIRS = "civil-affairs:{region}"


def enrollments(county: County, books: Books, ids: MessageFactory, month: int) -> Iterator[Planned]:
    """Persons whose coverage starts this month, with the statuses certified for them."""
    for person in county.persons:
        if person.enrolled_on.month != month:
            continue
        payload = {
            "person_id": person.person_id,
            "scheme": person.scheme,
            "category": person.category,
            "employer_id": person.employer_id,
            "primary_institution": person.primary_institution,
        }
        by = "tax:collection" if person.scheme == "resident" else f"employer:{person.employer_id}"
        yield ids.planned(
            month,
            Phase.ENROLLMENT,
            person.person_id,
            "PersonEnrolled",
            at(person.enrolled_on, 0),
            by,
            payload,
        )
        books.coverage[person.person_id] = DayWindow(
            effective_from=person.enrolled_on, effective_to=None
        )
        for status, since in person.statuses.items():
            yield certified(county, books, ids, month, person, status, since)


def certified(
    county: County,
    books: Books,
    ids: MessageFactory,
    month: int,
    person: Person,
    status: str,
    since: date,
) -> Planned:
    """A status certified from `since` to the end of the year."""
    region = county.config.region
    last = date(county.config.year, 12, 31)
    number = f"{status[:2].upper()}-{county.config.year}-{person.person_id[-5:]}"
    payload = {
        "person_id": person.person_id,
        "status": status,
        "certified_by": CIVIL_AFFAIRS.format(region=region),
        "certificate_no": number,
        "effective_to": last.isoformat(),
    }
    books.statuses[person.person_id][status] = DayWindow(effective_from=since, effective_to=last)
    return ids.planned(
        month,
        Phase.ENROLLMENT,
        person.person_id,
        "StatusCertified",
        at(since, 8),
        CIVIL_AFFAIRS.format(region=region),
        payload,
    )


def departures(county: County, books: Books, ids: MessageFactory, month: int) -> Iterator[Planned]:
    """A few persons leave each month from March: moved away, deceased, switched scheme."""
    if month < 3 or month > 11:
        return
    rng = random.Random(f"{county.config.seed}:departures:{month}")  # noqa: S311
    year = county.config.year
    for person in county.persons:
        window = books.coverage.get(person.person_id)
        if window is None or window.effective_to is not None or rng.random() > 0.004:
            continue
        if person.person_id in books.protected:
            continue
        day = date(year, month, rng.randint(1, 28))
        if day <= window.effective_from:
            continue
        reason = rng.choice(["moved_away", "deceased", "moved_away", "lapsed"])
        # Coverage ends at the start of that day.
        books.coverage[person.person_id] = replace(window, effective_to=day - timedelta(days=1))
        yield ids.planned(
            month,
            Phase.ENROLLMENT,
            person.person_id,
            "EnrollmentEnded",
            at(day, 0),
            "fund:enrollment-office",
            {"person_id": person.person_id, "reason": reason},
        )


def status_revocations(
    county: County, books: Books, ids: MessageFactory, month: int
) -> Iterator[Planned]:
    """In September a few minimum-income statuses end (income above the threshold)."""
    if month != 9:
        return
    day = date(county.config.year, 9, 1)
    region = county.config.region
    revoked = 0
    for person_id, statuses in books.statuses.items():
        window = statuses.get("min_income")
        if window is None or not window.in_force_on(day) or revoked >= 3:
            continue
        statuses["min_income"] = replace(window, effective_to=day - timedelta(days=1))
        revoked += 1
        payload = {
            "person_id": person_id,
            "status": "min_income",
            "reason": "income above threshold",
        }
        yield ids.planned(
            month,
            Phase.ENROLLMENT,
            person_id,
            "StatusRevoked",
            at(day, 0),
            CIVIL_AFFAIRS.format(region=region),
            payload,
        )


def renewals(county: County, books: Books, ids: MessageFactory, month: int) -> Iterator[Planned]:
    """In December everyone still covered renews for next year (children may become students)."""
    if month != 12:
        return
    year = county.config.year
    day = date(year, 12, 20)
    for person in county.persons:
        if not books.covered(person.person_id, day):
            continue
        category = (
            "student" if person.category == "child" and person.person_id.endswith("7") else None
        )
        payload = {"person_id": person.person_id, "year": year + 1, "category": category}
        yield ids.planned(
            month,
            Phase.ENROLLMENT,
            person.person_id,
            "EnrollmentRenewed",
            at(day, 0),
            "tax:collection",
            payload,
        )
