"""Stand-ins for the domain's events, shaped as docs/events.md describes them, stored through the
real Ledger so the projections read them from its notification log. They let a test state a
history directly (a clawback recorded on a given day) without the commands' own checks."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

from domain.postings import Posting
from domain.provenance import Provenance
from infra.setup import set_up
from infra.store import Ledger, open_ledger
from tests.seeds import seeded_uuid


def open_test_ledger(database_url: str) -> Ledger:
    set_up(database_url)
    return open_ledger(database_url)


class StandIn(Aggregate.Event):
    """An event whose payload fields are read as attributes, like the domain's."""

    provenance: Provenance
    postings: tuple[Posting, ...]
    data: dict[str, Any]

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["data"][name]
        except KeyError:
            raise AttributeError(name) from None


class Fact(Aggregate):
    """Any stand-in aggregate: it records whichever event it is given."""

    def record(self, event_class: type[Aggregate.Event], **kwargs: Any) -> None:
        self.trigger_event(event_class, **kwargs)


class Institution(Fact):
    class Designated(StandIn):
        pass

    class BudgetAllocated(StandIn):
        pass

    class DisbursementMade(StandIn):
        pass


class Claim(Fact):
    class Settled(StandIn):
        pass

    class Reversed(StandIn):
        pass

    class Refused(StandIn):
        pass


class Clawback(Fact):
    class Ordered(StandIn):
        pass

    class Recovered(StandIn):
        pass


class Sanction(Fact):
    class Imposed(StandIn):
        pass

    class FinePaid(StandIn):
        pass

    class AppealDecided(StandIn):
        pass

    class Lifted(StandIn):
        pass


class Doctor(Fact):
    class Suspended(StandIn):
        pass

    class Terminated(StandIn):
        pass

    class RestrictionCut(StandIn):
        pass


def at(text: str) -> datetime:
    """A local (+08:00) date or datetime."""
    return datetime.fromisoformat(text if "T" in text else f"{text}T12:00:00+08:00")


def record(
    ledger: Ledger,
    aggregate: type[Fact],
    event_class: type[Aggregate.Event],
    occurred: str,
    recorded: datetime,
    postings: tuple[Posting, ...] = (),
    aggregate_id: uuid.UUID | None = None,
    **fields: Any,
) -> None:
    """Store one stand-in event with its provenance and postings (appended to the aggregate
    `aggregate_id` when given, as the domain appends to an institution or a sanction)."""
    provenance = Provenance(
        message_id=seeded_uuid(),
        recorded_by="test",
        occurred_at=at(occurred),
        recorded_at=recorded,
        source_topic="test",
        source_partition=0,
        source_offset=0,
    )
    if aggregate_id is None:
        fact = aggregate()
    else:
        try:
            fact = ledger.repository.get(aggregate_id)
        except AggregateNotFoundError:
            fact = aggregate._create(aggregate.Created, id=aggregate_id)
    fact.record(event_class, provenance=provenance, postings=postings, data=fields)
    ledger.save(fact)


def utc(year: int, month: int, day: int, hour: int = 3) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def d(text: str) -> date:
    return date.fromisoformat(text)


def money(text: str) -> Decimal:
    return Decimal(text)
