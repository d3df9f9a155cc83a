"""`claims-ledger sanctions TARGET`: every measure imposed on a target, as the ledger holds it
now, with the id the follow-up commands (`sanction-lift`, `-fine-paid`, `-appeal`) take."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from domain.sanction_rules import WINDOW_KINDS


@dataclass(frozen=True)
class SanctionSummary:
    """One sanction's terms after its later events (lifted, paid, appealed)."""

    sanction_id: str
    kind: str
    legal_basis: str
    case_id: str
    decision_document: str
    decision_date: date
    effective_from: date
    effective_to: date | None
    base_amount: Decimal | None
    multiple: Decimal | None
    fine: Decimal | None  # due after appeals
    paid: Decimal = Decimal("0.00")
    points: int | None = None
    referred_to: str | None = None
    events: tuple[str, ...] = field(default=())  # lifted, appeal filed, appeal reduced, ...

    def state(self, today: date) -> str:
        """What the measure is now: `revoked`, `in force`, `ended`, `due 100.00`, ..."""
        if "appeal revoked" in self.events:
            return "revoked on appeal"
        notes = [e for e in self.events if e.startswith("appeal")][-1:]
        if self.kind == "fine" and self.fine is not None:
            due = self.fine - self.paid
            notes.insert(0, f"due {due:.2f}" if due > 0 else "paid")
        elif self.kind in WINDOW_KINDS:
            if today < self.effective_from:
                notes.insert(0, "not yet in force")
            elif self.effective_to is not None and today > self.effective_to:
                notes.insert(0, "lifted" if "lifted" in self.events else "ended")
            else:
                notes.insert(0, "in force")
        else:
            notes.insert(0, "recorded")
        return ", ".join(notes)


def summaries(events: Iterable[tuple[UUID, str, dict[str, Any]]]) -> list[SanctionSummary]:
    """Fold each sanction's events, in log order, into its summary; oldest decision first."""
    found: dict[UUID, SanctionSummary] = {}
    for aggregate, event_type, data in events:
        if event_type == "Sanction.Imposed":
            found[aggregate] = _imposed(data)
        elif aggregate in found:
            found[aggregate] = _after(found[aggregate], event_type, data)
    return sorted(found.values(), key=lambda s: (s.decision_date, s.sanction_id))


def _imposed(d: dict[str, Any]) -> SanctionSummary:
    return SanctionSummary(
        sanction_id=d["sanction_id"],
        kind=d["kind"],
        legal_basis=d["legal_basis"],
        case_id=d["case_id"],
        decision_document=d["decision_document"],
        decision_date=d["decision_date"],
        effective_from=d["effective_from"],
        effective_to=d["effective_to"],
        base_amount=d["base_amount"],
        multiple=d["multiple"],
        fine=d["fine_amount"],
        points=d["points"],
        referred_to=d["referred_to"],
    )


def _after(s: SanctionSummary, event_type: str, d: dict[str, Any]) -> SanctionSummary:
    if event_type == "Sanction.Lifted":
        return replace(s, effective_to=d["effective_to"], events=(*s.events, "lifted"))
    if event_type == "Sanction.FinePaid":
        return replace(s, paid=s.paid + d["amount"])
    if event_type == "Sanction.AppealFiled":
        return replace(s, events=(*s.events, "appeal filed"))
    if event_type == "Sanction.AppealDecided":
        # The event states the terms from now on; None leaves a term as it was.
        return replace(
            s,
            fine=s.fine if d["fine_amount"] is None else d["fine_amount"],
            multiple=s.multiple if d["multiple"] is None else d["multiple"],
            effective_to=s.effective_to if d["effective_to"] is None else d["effective_to"],
            points=s.points if d["points"] is None else d["points"],
            events=(*s.events, f"appeal {d['outcome']}"),
        )
    return s


HEADERS = ("sanction id", "kind", "basis", "case", "decision", "effective", "fine", "paid", "state")


def row(s: SanctionSummary, today: date) -> Sequence[str]:
    """A table row: amounts with two places, a window as inclusive local days."""
    # Only window kinds have a span; other measures take effect on one day.
    window = str(s.effective_from)
    if s.kind in WINDOW_KINDS:
        window = f"{window}..{s.effective_to or ''}"
    fine = "" if s.fine is None else f"{s.fine:.2f}"
    if s.base_amount is not None and s.multiple is not None:
        fine = f"{fine} ({s.base_amount:.2f} x {s.multiple})"
    extra = f"{s.points} points" if s.points is not None else s.referred_to or ""
    kind = f"{s.kind} ({extra})" if extra else s.kind
    decision = f"{s.decision_document} {s.decision_date}"
    paid = f"{s.paid:.2f}" if s.kind == "fine" else ""
    return (s.sanction_id, kind, s.legal_basis, s.case_id, decision, window, fine, paid,
            s.state(today))  # fmt: skip


def as_json(s: SanctionSummary, today: date) -> dict[str, Any]:
    """The `sanctions --json` entry: amounts as decimal strings, days in ISO 8601."""
    return {
        "sanction_id": s.sanction_id,
        "kind": s.kind,
        "legal_basis": s.legal_basis,
        "case_id": s.case_id,
        "decision_document": s.decision_document,
        "decision_date": s.decision_date.isoformat(),
        "effective_from": s.effective_from.isoformat(),
        "effective_to": s.effective_to and s.effective_to.isoformat(),
        "base_amount": _money(s.base_amount),
        "multiple": None if s.multiple is None else str(s.multiple),
        "fine": _money(s.fine),
        "paid": _money(s.paid) if s.kind == "fine" else None,
        "points": s.points,
        "referred_to": s.referred_to,
        "events": list(s.events),
        "state": s.state(today),
    }


def _money(amount: Decimal | None) -> str | None:
    return None if amount is None else f"{amount:.2f}"
