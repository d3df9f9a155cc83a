"""Aggregates in memory for handler tests: the batch's unit of work, minus the store."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.commands import Command
from domain.handlers import handle
from domain.reasons import Reason, Rejected
from infra.application.unit_of_work import UnitOfWork


class InMemoryAggregates(UnitOfWork):
    """Every aggregate recorded so far; `decide` applies a command and returns its events."""

    def __init__(self) -> None:
        super().__init__(load=lambda _aggregate_id: None)
        self.history: dict[UUID, list[Any]] = {}  # every collected event, per aggregate

    @classmethod
    def given(cls, *commands: Command) -> InMemoryAggregates:
        """Aggregates after deciding `commands` in order: the 'given' of a given/when/then test."""
        known = cls()
        for command in commands:
            known.decide(command)
        return known

    @property
    def aggregates(self) -> dict[UUID, Aggregate]:
        """Every aggregate recorded so far, by id."""
        return {i: a for i, a in self.loaded.items() if a is not None}

    def decide(self, command: Command) -> list[Any]:
        """Handle a command and return its events in the order the batch would store them."""
        try:
            handle(command, self)
        except Rejected:
            self.discard_message()  # fails if the command was half-applied
            raise
        events = self.collect_new_events()
        for event in events:
            self.history.setdefault(event.originator_id, []).append(event)
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
