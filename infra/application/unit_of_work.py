"""The unit of work of one batch: every aggregate it loaded and added, and per message the
aggregates that message saw, so handlers return nothing and the batch still knows what changed.

Events of a message are collected aggregate by aggregate in the order the message first looked
each up (or added it): a deterministic order that depends only on the handler's code and the
facts. Handlers look an id up before they create an aggregate under it (to refuse a duplicate),
so a new aggregate takes the place of its look-up; `add` refuses an id never looked up.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain import identity
from domain.account import PersonAccount
from domain.claim import Claim
from domain.clawback import Clawback, Refund
from domain.decision import ClawbackDecision, ClawbackParts
from domain.doctor import Doctor
from domain.institution import Institution
from domain.misuse import MisuseRecovery
from domain.person import Person
from domain.policy import Policy
from domain.sanction import Sanction
from domain.subsidy import Subsidy
from infra.application.cache import AggregateCache

A = TypeVar("A", bound=Aggregate)
Load = Callable[[UUID], Aggregate | None]
LoadMany = Callable[[Sequence[UUID]], Mapping[UUID, Aggregate | None]]


class AggregateLookups:
    """Implements the handlers' `Aggregates` look-ups on top of `get`."""

    def get(self, aggregate_id: UUID) -> Aggregate | None:
        raise NotImplementedError

    def _typed(self, aggregate_id: UUID, kind: type[A]) -> A | None:
        found = self.get(aggregate_id)
        return found if isinstance(found, kind) else None

    def institution(self, code: str) -> Institution | None:
        return self._typed(identity.institution_aggregate_id(code), Institution)

    def person(self, person_id: str) -> Person | None:
        return self._typed(identity.person_aggregate_id(person_id), Person)

    def account(self, person_id: str) -> PersonAccount | None:
        return self._typed(identity.person_account_aggregate_id(person_id), PersonAccount)

    def doctor(self, doctor_id: str) -> Doctor | None:
        return self._typed(identity.doctor_aggregate_id(doctor_id), Doctor)

    def policy(self, region: str, scheme: str) -> Policy | None:
        return self._typed(identity.policy_aggregate_id(region, scheme), Policy)

    def claim(self, claim_id: str) -> Claim | None:
        return self._typed(identity.claim_aggregate_id(claim_id), Claim)

    def clawback(self, clawback_id: str) -> Clawback | None:
        return self._typed(identity.clawback_aggregate_id(clawback_id), Clawback)

    def refund(self, refund_id: str) -> Refund | None:
        return self._typed(identity.refund_aggregate_id(refund_id), Refund)

    def clawback_parts(self, clawback_id: str) -> ClawbackParts | None:
        return self._typed(identity.clawback_parts_aggregate_id(clawback_id), ClawbackParts)

    def clawback_decision(self, clawback_id: str) -> ClawbackDecision | None:
        return self._typed(identity.clawback_aggregate_id(clawback_id), ClawbackDecision)

    def subsidy(self, subsidy_id: str) -> Subsidy | None:
        return self._typed(identity.subsidy_aggregate_id(subsidy_id), Subsidy)

    def sanction(self, sanction_id: str) -> Sanction | None:
        return self._typed(identity.sanction_aggregate_id(sanction_id), Sanction)

    def misuse_recovery(self, recovery_id: str) -> MisuseRecovery | None:
        return self._typed(identity.misuse_recovery_aggregate_id(recovery_id), MisuseRecovery)


class UnitOfWork(AggregateLookups):
    """Aggregates as recorded plus this batch's uncommitted changes, loaded at most once:
    from the cache of committed aggregates if there, else from `load` (the store)."""

    def __init__(self, load: Load, cache: AggregateCache | None = None) -> None:
        self._load = load
        self._cache = cache
        self._loaded: dict[UUID, Aggregate | None] = {}
        self._seen: dict[UUID, None] = {}  # what the current message saw, in order
        self._added: list[UUID] = []  # what the current message created

    @property
    def loaded(self) -> dict[UUID, Aggregate | None]:
        """Every aggregate the batch looked up or added, None for ids with no aggregate."""
        return self._loaded

    def get(self, aggregate_id: UUID) -> Aggregate | None:
        self._seen.setdefault(aggregate_id)
        if aggregate_id not in self._loaded:
            cached, aggregate = (
                self._cache.take(aggregate_id) if self._cache is not None else (False, None)
            )
            self._loaded[aggregate_id] = aggregate if cached else self._load(aggregate_id)
        return self._loaded[aggregate_id]

    def add(self, aggregate: Aggregate) -> None:
        """Take in an aggregate the current message created under an id it looked up."""
        if aggregate.id not in self._seen:
            raise RuntimeError(f"{aggregate.id} was added without being looked up first")
        if self._loaded[aggregate.id] is not None:
            raise RuntimeError(f"{aggregate.id} was added, but it exists already")
        self._loaded[aggregate.id] = aggregate
        self._added.append(aggregate.id)

    def prefetch(self, aggregate_ids: Sequence[UUID], load: LoadMany) -> None:
        """Read the aggregates neither loaded nor cached in one go, for later `get`s."""
        missing = [i for i in aggregate_ids if i not in self._loaded]
        if self._cache is not None:
            for aggregate_id in missing:
                cached, aggregate = self._cache.take(aggregate_id)
                if cached:
                    self._loaded[aggregate_id] = aggregate
            missing = [i for i in missing if i not in self._loaded]
        self._loaded.update(load(missing))

    def collect_new_events(self) -> list[Any]:
        """The current message's events, aggregate by aggregate in the order it first saw
        them; the next `get` starts the next message."""
        events: list[Any] = []
        for aggregate_id in self._seen:
            aggregate = self._loaded[aggregate_id]
            if aggregate is not None:
                events.extend(aggregate.collect_events())
        self._seen.clear()
        self._added.clear()
        return events

    def message_left_changes(self) -> bool:
        """Whether an aggregate the current message saw, and did not create, holds events no
        message collected."""
        return any(
            aggregate is not None and aggregate.pending_events
            for aggregate in (self._loaded.get(i) for i in self._seen if i not in self._added)
        )

    def discard_message(self) -> None:
        """Forget what a rejected message created; it must have changed nothing else."""
        for aggregate_id in self._added:
            self._loaded[aggregate_id] = None
        self._added.clear()
        # Handlers decide before they trigger; a rejection that left events behind is a bug,
        # and committing anything of that batch could half-apply a message.
        self._assert_nothing_pending(self._seen, "a rejected command")
        self._seen.clear()

    def assert_nothing_pending(self) -> None:
        """Fail if an aggregate holds events no message collected: they would not be saved,
        yet the cache would keep the aggregate with them applied."""
        self._assert_nothing_pending(self._loaded, "the batch")

    def _assert_nothing_pending(self, ids: Mapping[UUID, object], after: str) -> None:
        for aggregate_id in ids:
            aggregate = self._loaded[aggregate_id]
            if aggregate is not None and aggregate.pending_events:
                raise RuntimeError(f"{after} left pending events on {aggregate.id}")
