"""Aggregate ids a command will probably look up, so a batch reads them in one query.

Each lookup a handler makes otherwise costs a round trip to the store (two with the pool's
pre-ping), and most lookups of a batch are misses of the aggregate cache: a new claim, an
unknown person. The ids are guessed from the command's field names; a wrong guess only reads
an aggregate that is not needed, a missed one is read when the handler asks, as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import fields, is_dataclass
from uuid import UUID

from domain import identity

# A command's field -> the aggregates named by its value.
BY_FIELD: dict[str, tuple[Callable[[str], UUID], ...]] = {
    "claim_id": (identity.claim_aggregate_id,),
    "person_id": (identity.person_aggregate_id, identity.person_account_aggregate_id),
    "institution": (identity.institution_aggregate_id,),
    "code": (identity.institution_aggregate_id,),
    "doctor_id": (identity.doctor_aggregate_id,),
    "clawback_id": (identity.clawback_aggregate_id,),
    "refund_id": (identity.refund_aggregate_id,),
    "subsidy_id": (identity.subsidy_aggregate_id,),
    "sanction_id": (identity.sanction_aggregate_id,),
    "recovery_id": (identity.misuse_recovery_aggregate_id,),
}


def likely_lookups(commands: Iterable[object]) -> list[UUID]:
    """The aggregate ids the commands' handlers will probably ask for, each once, in order."""
    found: dict[UUID, None] = {}
    for command in commands:
        if not is_dataclass(command):
            continue
        values = {f.name: getattr(command, f.name) for f in fields(command)}
        for name, value in values.items():
            if isinstance(value, str) and value:
                for make in BY_FIELD.get(name, ()):
                    found[make(value)] = None
        region, scheme = values.get("region"), values.get("scheme")
        if isinstance(region, str) and isinstance(scheme, str):
            found[identity.policy_aggregate_id(region, scheme)] = None
    return list(found)
