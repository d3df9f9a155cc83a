"""Did each message meet the fate it was planned for? Read back by its Kafka coordinates."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from infra import tallies
from infra.store import Ledger
from infra.tallies import Coordinates
from scripts.simulation.feed import Sent
from scripts.simulation.plan import ACCEPTED, DUPLICATE


@dataclass
class OutcomeCheck:
    """How many messages met their planned fate, and the first few that did not."""

    as_planned: Counter[str] = field(default_factory=Counter)
    surprises: list[str] = field(default_factory=list)

    @property
    def all_as_planned(self) -> bool:
        return not self.surprises


def actual_fates(ledger: Ledger, sent: Sequence[Sent]) -> dict[Coordinates, str]:
    """`accepted`, a reason code, or `duplicate` (in neither table) per coordinate sent."""
    accepted, rejected = tallies.fates(ledger, sorted({s.topic for s in sent}))
    fates: dict[Coordinates, str] = dict.fromkeys(accepted, ACCEPTED)
    # A coordinate in both tables cannot happen; were it to, the dead letter shows.
    fates.update(rejected)
    return {
        (s.topic, s.partition, s.offset): fates.get((s.topic, s.partition, s.offset), DUPLICATE)
        for s in sent
    }


def check_outcomes(ledger: Ledger, sent: Sequence[Sent], limit: int = 20) -> OutcomeCheck:
    """Compare every sent message's planned fate with what the ledger did."""
    check = OutcomeCheck()
    fates = actual_fates(ledger, sent)
    for s in sent:
        actual = fates[(s.topic, s.partition, s.offset)]
        if actual == s.planned.expect:
            check.as_planned[actual] += 1
        elif len(check.surprises) < limit:
            check.surprises.append(
                f"{s.planned.type_name} at {s.topic}/{s.partition}@{s.offset}:"
                f" planned {s.planned.expect}, got {actual}"
            )
    return check
