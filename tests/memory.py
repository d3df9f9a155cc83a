"""Aggregates in memory for handler tests: what the batch's unit of work does, minus the store."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from consumers.lookups import AggregateLookups
from domain.commands import Command
from domain.handlers import handle
from domain.reasons import Reason, Rejected


class InMemoryAggregates(AggregateLookups):
    """Every aggregate recorded so far; `decide` applies a command and returns its events."""

    def __init__(self) -> None:
        self.aggregates: dict[UUID, Aggregate] = {}
        self.history: dict[UUID, list[Any]] = {}  # every collected event, per aggregate

    @classmethod
    def given(cls, *commands: Command) -> InMemoryAggregates:
        """Aggregates after deciding `commands` in order: the 'given' of a given/when/then test."""
        known = cls()
        for command in commands:
            known.decide(command)
        return known

    def get(self, aggregate_id: UUID) -> Aggregate | None:
        return self.aggregates.get(aggregate_id)

    def keep(self, aggregate: Aggregate) -> None:
        self.aggregates[aggregate.id] = aggregate

    def decide(self, command: Command) -> list[Any]:
        """Handle a command, keep what it touched, and return its events in order."""
        events: list[Any] = []
        for aggregate in handle(command, self):
            self.keep(aggregate)
            collected = aggregate.collect_events()
            self.history.setdefault(aggregate.id, []).extend(collected)
            events.extend(collected)
        return events

    def rejection(self, command: Command) -> Reason:
        """The reason a command is rejected; fails if it is accepted or half-applied."""
        try:
            self.decide(command)
        except Rejected as refusal:
            assert not self.pending(), "a rejected command left events behind"
            return refusal.reason
        raise AssertionError(f"{type(command).__name__} was accepted")

    def pending(self) -> bool:
        """Whether any kept aggregate has events not collected (a half-applied rejection)."""
        return any(a.pending_events for a in self.aggregates.values())
