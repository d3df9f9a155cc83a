"""Did each message meet the fate it was planned for? Read back by its Kafka coordinates.

A fate is `accepted`, a rejection reason or `duplicate`. For an accepted message whose plan
names a decision (decisions.py: a claim paid or refused with its reason and shares, a part
refused, a recovery), the decision the ledger recorded must equal it too: a claim paid that had
to be refused was accepted all the same, and only this comparison sees it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from infra import queries, tallies
from infra.store import Ledger
from infra.tallies import Coordinates
from scripts.simulation.decisions import DECIDING_EVENTS, Decision, decision_of
from scripts.simulation.plan import ACCEPTED, DUPLICATE
from scripts.simulation.publish import Sent


@dataclass
class OutcomeCheck:
    """How many messages met their planned fate and decision, and the first few that did not."""

    as_planned: Counter[str] = field(default_factory=Counter)
    decisions_as_planned: Counter[str] = field(default_factory=Counter)
    surprises: list[str] = field(default_factory=list)
    surprise_count: int = 0

    @property
    def all_as_planned(self) -> bool:
        return self.surprise_count == 0

    def surprise(self, line: str, limit: int) -> None:
        self.surprise_count += 1
        if len(self.surprises) < limit:
            self.surprises.append(line)


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


def actual_decisions(ledger: Ledger, sent: Sequence[Sent]) -> dict[Coordinates, list[Decision]]:
    """The decisions the ledger recorded, by the coordinates of the message that caused them."""
    events = queries.events_by_source(ledger, sorted({s.topic for s in sent}), DECIDING_EVENTS)
    return {
        coordinates: [d for d in map(decision_of, found) if d is not None]
        for coordinates, found in events.items()
    }


def check_outcomes(ledger: Ledger, sent: Sequence[Sent], limit: int = 20) -> OutcomeCheck:
    """Compare every sent message's planned fate, and decision, with what the ledger did."""
    check = OutcomeCheck()
    fates = actual_fates(ledger, sent)
    decisions = actual_decisions(ledger, sent)
    for s in sent:
        where = (s.topic, s.partition, s.offset)
        actual = fates[where]
        if actual != s.planned.expect:
            check.surprise(f"{_named(s)}: planned {s.planned.expect}, got {actual}", limit)
            continue
        check.as_planned[actual] += 1
        planned = s.planned.decision
        if actual != ACCEPTED or planned is None:
            continue
        decided = decisions.get(where, [])
        if decided == [planned]:
            check.decisions_as_planned[planned.outcome] += 1
        else:
            got = "; ".join(d.describe() for d in decided) or "no decision"
            check.surprise(f"{_named(s)}: planned {planned.describe()}, got {got}", limit)
    return check


def _named(s: Sent) -> str:
    """The message as a person finds it again: type, message id, Kafka coordinates."""
    document = s.planned.document
    message_id = f" {document.get('message_id')}" if document is not None else ""
    return f"{s.planned.type_name}{message_id} at {s.topic}/{s.partition}@{s.offset}"
