"""The entities a message is about: a message held for a reference that is not known yet keeps
later messages of the same entities waiting behind it, so each entity's facts keep their order.

A message's keys are the entity it creates or changes and, for a settlement, also its person
(the person's year usage counts the settlements in order, against the annual cap). A reversal
and a refusal are about their claim only (they undo what the claim counted, in its terms), and a
sanction's messages about the sanction. Keys are "kind:id" strings (docs/events.md lists
them per type).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from domain import commands as c
from domain.commands import Command


def _person(m: Any) -> tuple[str, ...]:
    return (f"person:{m.person_id}",)


def _institution(m: Any) -> tuple[str, ...]:
    return (f"institution:{m.institution}",)


def _claim_and_person(m: Any) -> tuple[str, ...]:
    return (f"claim:{m.claim_id}", f"person:{m.person_id}")


def _sanction(m: Any) -> tuple[str, ...]:
    return (f"sanction:{m.sanction_id}",)


def _clawback(m: Any) -> tuple[str, ...]:
    return (f"clawback:{m.clawback_id}",)


def _recovery(m: Any) -> tuple[str, ...]:
    return (f"recovery:{m.recovery_id}",)


ENTITY_KEYS: dict[type, Callable[[Any], tuple[str, ...]]] = {
    c.DesignateInstitution: lambda m: (f"institution:{m.code}",),
    c.EnrollPerson: _person,
    c.EndEnrollment: _person,
    c.RenewEnrollment: _person,
    c.CertifyStatus: _person,
    c.RevokeStatus: _person,
    c.PublishPolicy: lambda m: (f"policy:{m.region}/{m.scheme}",),
    c.AllocateBudget: _institution,
    c.RegisterDoctor: lambda m: (f"doctor:{m.doctor_id}",),
    c.PayContribution: _person,
    c.GrantSubsidy: lambda m: (f"subsidy:{m.subsidy_id}",),
    c.MakeDisbursement: _institution,
    c.ReleaseDeposit: _institution,
    c.SettleClaim: _claim_and_person,
    c.ReverseClaim: lambda m: (f"claim:{m.claim_id}",),
    c.RefuseClaim: lambda m: (f"claim:{m.claim_id}",),
    c.OrderClawback: _clawback,
    c.RecoverClawback: _clawback,
    c.VolunteerRefund: lambda m: (f"refund:{m.refund_id}",),
    c.ImposeSanction: _sanction,
    c.LiftSanction: _sanction,
    c.PayFine: _sanction,
    c.FileAppeal: _sanction,
    c.DecideAppeal: _sanction,
    # An order is bounded by what the fund paid for the person: it waits behind the person's
    # held settlements.
    c.OrderMisuseRecovery: lambda m: (*_recovery(m), *_person(m)),
    c.RecoverMisuse: _recovery,
    c.ImposeDeduction: _institution,
    c.OrderClawbackPart: _clawback,
}


def entity_keys(command: Command) -> tuple[str, ...]:
    """The "kind:id" keys of the entities this command is about."""
    return ENTITY_KEYS[type(command)](command)
