"""Sanction messages as inspectors send them: imposed, lifted, fines paid, appeals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from scripts.simulation.messages import MessageFactory, amount, at, document_number
from scripts.simulation.plan import Phase, Planned

INSPECTOR = "inspector:county-team"


@dataclass(frozen=True)
class Decision:
    """Who decided what, when, on which case: every sanction carries it (有案可查)."""

    sanction_id: str
    case_id: str
    decided: date

    @property
    def document(self) -> str:
        return document_number("医保处", self.decided.year, self.sanction_id.rsplit("-", 1)[-1])


def sanction_payload(
    decision: Decision,
    kind: str,
    target_kind: str,
    target_id: str,
    legal_basis: str,
    violation: str,
    effective_from: date,
    effective_to: date | None = None,
    *,
    base_amount: Decimal | None = None,
    multiple: str | None = None,
    fine_amount: Decimal | None = None,
    points: int | None = None,
    suspension_months: int | None = None,
    referred_to: str | None = None,
) -> dict[str, Any]:
    """A SanctionImposed payload; fields that do not belong to the kind are null."""
    return {
        "sanction_id": decision.sanction_id,
        "kind": kind,
        "target_kind": target_kind,
        "target_id": target_id,
        "case_id": decision.case_id,
        "decision_document": decision.document,
        "decision_date": decision.decided.isoformat(),
        "effective_from": effective_from.isoformat(),
        "effective_to": None if effective_to is None else effective_to.isoformat(),
        "legal_basis": legal_basis,
        "violation": violation,
        "base_amount": None if base_amount is None else amount(base_amount),
        "multiple": multiple,
        "fine_amount": None if fine_amount is None else amount(fine_amount),
        "points": points,
        "suspension_months": suspension_months,
        "referred_to": referred_to,
    }


class SanctionMessages:
    """Builds the sanctions topic's messages of one month."""

    def __init__(self, ids: MessageFactory, month: int) -> None:
        self._ids = ids
        self._month = month

    def imposed(self, payload: dict[str, Any]) -> Planned:
        decided = date.fromisoformat(payload["decision_date"])
        return self._ids.planned(
            self._month,
            Phase.SANCTIONS,
            payload["target_id"],
            "SanctionImposed",
            at(decided, 0),
            INSPECTOR,
            payload,
        )

    def lifted(self, sanction_id: str, target_id: str, day: date, reason: str) -> Planned:
        payload = {"sanction_id": sanction_id, "target_id": target_id, "reason": reason}
        return self._ids.planned(
            self._month,
            Phase.SANCTIONS,
            target_id,
            "SanctionLifted",
            at(day, 0),
            "fund:audit",
            payload,
        )

    def fine_paid(
        self, sanction_id: str, target_id: str, paid: Decimal, day: date, receipt: str
    ) -> Planned:
        payload = {
            "sanction_id": sanction_id,
            "target_id": target_id,
            "amount": amount(paid),
            "receipt_no": receipt,
        }
        return self._ids.planned(
            self._month,
            Phase.SANCTIONS,
            target_id,
            "FinePaid",
            at(day, 0),
            "treasury:county",
            payload,
        )

    def appeal_filed(self, sanction_id: str, target_id: str, day: date) -> Planned:
        payload = {
            "sanction_id": sanction_id,
            "target_id": target_id,
            "appeal_id": f"SS-{sanction_id}",
        }
        return self._ids.planned(
            self._month,
            Phase.SANCTIONS,
            target_id,
            "AppealFiled",
            at(day, 0),
            f"appellant:{target_id}",
            payload,
        )

    def appeal_decided(
        self,
        sanction_id: str,
        target_id: str,
        outcome: str,
        day: date,
        *,
        multiple: str | None = None,
        fine_amount: Decimal | None = None,
        effective_to: date | None = None,
        points: int | None = None,
    ) -> Planned:
        payload = {
            "sanction_id": sanction_id,
            "target_id": target_id,
            "outcome": outcome,
            "decision_document": document_number(
                "医保复", day.year, sanction_id.rsplit("-", 1)[-1]
            ),
            "decision_date": day.isoformat(),
            "multiple": multiple,
            "fine_amount": None if fine_amount is None else amount(fine_amount),
            "effective_to": None if effective_to is None else effective_to.isoformat(),
            "points": points,
        }
        return self._ids.planned(
            self._month,
            Phase.SANCTIONS,
            target_id,
            "AppealDecided",
            at(day, 0),
            "fund:appeals",
            payload,
        )
