"""Envelopes with deterministic message ids, and the shape of amounts and times on the wire."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid5

from consumers.envelope import envelope
from domain.calendar import REGION_TZ
from domain.money import CENT
from scripts.simulation.decisions import Decision
from scripts.simulation.plan import ACCEPTED, Phase, Planned

SCENARIO_NAMESPACE = UUID("5b0f7d1e-9c3a-4e55-8d61-2f4a8e7c9b30")


def amount(value: Decimal | int | str) -> str:
    """An amount as the contract spells it: a decimal string with two places, never a float."""
    return str(Decimal(value).quantize(CENT))


def at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    """A local time (UTC+8) on a day: the valid time of a fact."""
    return datetime.combine(day, time(hour, minute), tzinfo=REGION_TZ)


def document_number(office: str, year: int, number: str) -> str:
    """A decision document number as offices write them: office, year in brackets, number."""
    return f"{office}\u3014{year}\u3015{number}号"


class MessageFactory:
    """Builds envelopes; message ids come from the seed and a counter, so runs repeat exactly."""

    def __init__(self, seed: int, region: str) -> None:
        self._seed = seed
        self._region = region
        self._counter = 0

    def next_id(self) -> str:
        self._counter += 1
        return str(uuid5(SCENARIO_NAMESPACE, f"{self._seed}:{self._region}:{self._counter}"))

    def document(
        self, type_: str, occurred_at: datetime, recorded_by: str, payload: dict[str, Any]
    ) -> dict[str, Any]:
        return envelope(
            type_, occurred_at, self._region, recorded_by, payload, message_id=self.next_id()
        )

    def planned(
        self,
        month: int,
        phase: Phase,
        key: str,
        type_: str,
        occurred_at: datetime,
        recorded_by: str,
        payload: dict[str, Any],
        *,
        expect: str = ACCEPTED,
        needs: frozenset[str] = frozenset(),
        decision: Decision | None = None,
    ) -> Planned:
        """A message of a month's phase, keyed by the entity it is about."""
        document = self.document(type_, occurred_at, recorded_by, payload)
        return Planned(
            (month, phase), phase.topic_suffix, key, document, expect, None, needs, decision
        )
