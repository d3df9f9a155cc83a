"""Restrictions a sanction places on its target, with the window in which they are in force."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from domain.calendar import DayWindow


class RestrictionKind(StrEnum):
    """What a restriction stops: each one refuses settlements while it is in force."""

    SETTLEMENT_SUSPENSION = "settlement_suspension"
    AGREEMENT_TERMINATION = "agreement_termination"
    NETWORKED_SETTLEMENT_SUSPENSION = "networked_settlement_suspension"
    DOCTOR_SUSPENSION = "doctor_suspension"
    DOCTOR_TERMINATION = "doctor_termination"


@dataclass(frozen=True)
class Restriction(DayWindow):
    """What a sanction stops, in force over its window (both ends inclusive)."""

    sanction_id: str
    kind: str


def in_force(restrictions: Iterable[Restriction], kind: str, day: date) -> Restriction | None:
    """The first restriction of a kind in force on a day, if any."""
    return next((r for r in restrictions if r.kind == kind and r.in_force_on(day)), None)


def cut(
    restrictions: tuple[Restriction, ...], sanction_id: str, last_day: date
) -> tuple[Restriction, ...]:
    """The restrictions with those of a sanction ending no later than `last_day`."""
    return tuple(
        replace(r, effective_to=last_day)
        if r.sanction_id == sanction_id and (r.effective_to is None or r.effective_to > last_day)
        else r
        for r in restrictions
    )
