"""The supervision figures by decision date, computed from the messages a scenario sent.

Independent of the ledger's code on purpose (domain/supervision.py, projections/supervision.py):
an integration test compares the two, so a fact the report drops or counts twice shows. The
rules are the documented ones (docs/events.md, docs/projections.md): a finding counts in the
year of its decision (a refusal or a refund: of the day it took effect), once per decision
however many messages carry it; money recovered counts in the year of the finding it returns;
a deduction is found and recovered at once, naming no violation.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

TOTAL = "total"


@dataclass
class Expected:
    """cases, refused, ordered, recovered: by 'total', 'source:X' and 'violation:Y'."""

    figures: dict[str, list[Any]] = field(default_factory=dict)
    sanctions: Counter[str] = field(default_factory=Counter)


def amount_of(payload: dict[str, Any]) -> Decimal:
    if "amount" in payload:
        return Decimal(payload["amount"])
    return sum((Decimal(line["amount"]) for line in payload["lines"]), Decimal(0))


class _Tally:
    def __init__(self, year: int) -> None:
        self.year = str(year)
        self.found: dict[str, tuple[str, str, str]] = {}
        self.expected = Expected()

    def _rows(self, key: str) -> list[list[Any]]:
        day, source, violation = self.found[key]
        if not day.startswith(self.year):
            return []
        names = [TOTAL, f"source:{source}", f"violation:{violation}"]
        figures = self.expected.figures
        return [figures.setdefault(n, [0, Decimal(0), Decimal(0), Decimal(0)]) for n in names]

    def finding(
        self,
        key: str,
        day: str,
        source: str,
        violation: str,
        refused: Decimal,
        ordered: Decimal,
    ) -> None:
        first = key not in self.found
        self.found.setdefault(key, (day, source, violation))
        for row in self._rows(key):
            row[0] += 1 if first else 0
            row[1] += refused
            row[2] += ordered

    def recovery(self, key: str, amount: Decimal) -> None:
        for row in self._rows(key):
            row[3] += amount


def expected_supervision(documents: list[dict[str, Any]], year: int) -> Expected:
    """What `report supervision --year` must say after these messages were all stored."""
    tally, zero = _Tally(year), Decimal(0)
    for d in documents:
        kind, p = d["type"], d["payload"]
        day = d["occurred_at"][:10]  # the local date: occurred_at carries the region's offset
        if kind == "ClaimRefused":
            found = p["detection_source"], p["violation"]
            tally.finding(d["message_id"], day, *found, refused=amount_of(p), ordered=zero)
        elif kind in ("ClawbackOrdered", "MisuseRecoveryOrdered"):
            key = p.get("clawback_id") or p["recovery_id"]
            found = p["detection_source"], p["violation"]
            tally.finding(key, p["decision_date"], *found, refused=zero, ordered=amount_of(p))
        elif kind == "ClawbackRecovered":
            tally.recovery(p["clawback_id"], amount_of(p))
        elif kind == "MisuseRecovered":
            tally.recovery(p["recovery_id"], amount_of(p))
        elif kind == "RefundVolunteered":
            found = "self_inspection", p["violation"]
            tally.finding(p["refund_id"], day, *found, refused=zero, ordered=amount_of(p))
            tally.recovery(p["refund_id"], amount_of(p))
        elif kind == "DeductionImposed":  # withheld from what the fund owes: recovered at once
            key = p["deduction_id"]
            source = "indicator_deduction" if p["kind"] == "indicator" else "other"
            found = source, "no_violation_named"  # 扣款, 未认定违规
            tally.finding(key, p["decision_date"], *found, refused=zero, ordered=amount_of(p))
            tally.recovery(key, amount_of(p))
        elif kind == "SanctionImposed" and p["decision_date"].startswith(str(year)):
            tally.expected.sanctions[p["kind"]] += 1
    return tally.expected
