"""Aggregates in memory for handler tests: what the batch's unit of work does, minus the store."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from consumers.lookups import AggregateLookups
from domain.commands import Command
from domain.handlers import handle


class InMemoryAggregates(AggregateLookups):
    """Every aggregate recorded so far; `decide` applies a command and returns its events."""

    def __init__(self) -> None:
        self.aggregates: dict[UUID, Aggregate] = {}

    def get(self, aggregate_id: UUID) -> Aggregate | None:
        return self.aggregates.get(aggregate_id)

    def keep(self, aggregate: Aggregate) -> None:
        self.aggregates[aggregate.id] = aggregate

    def decide(self, command: Command) -> list[Any]:
        """Handle a command, keep what it touched, and return its events in order."""
        events: list[Any] = []
        for aggregate in handle(command, self):
            self.keep(aggregate)
            events.extend(aggregate.collect_events())
        return events

    def pending(self) -> bool:
        """Whether any kept aggregate has events not collected (a half-applied rejection)."""
        return any(a.pending_events for a in self.aggregates.values())
