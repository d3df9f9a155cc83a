"""Typed lookups of every aggregate kind by its source identifiers, over any `get(id)`."""

from __future__ import annotations

from typing import TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain import identity
from domain.account import PersonAccount
from domain.claim import Claim
from domain.clawback import Clawback, Refund
from domain.doctor import Doctor
from domain.institution import Institution
from domain.person import Person
from domain.policy import Policy
from domain.sanction import Sanction
from domain.subsidy import Subsidy

A = TypeVar("A", bound=Aggregate)


class AggregateLookups:
    """Implements the handlers' `Aggregates` protocol on top of `get`."""

    def get(self, aggregate_id: UUID) -> Aggregate | None:
        raise NotImplementedError

    def _typed(self, aggregate_id: UUID, kind: type[A]) -> A | None:
        found = self.get(aggregate_id)
        return found if isinstance(found, kind) else None

    def institution(self, code: str) -> Institution | None:
        return self._typed(identity.institution_aggregate_id(code), Institution)

    def person(self, person_id: str) -> Person | None:
        return self._typed(identity.person_aggregate_id(person_id), Person)

    def account(self, person_id: str) -> PersonAccount | None:
        return self._typed(identity.person_account_aggregate_id(person_id), PersonAccount)

    def doctor(self, doctor_id: str) -> Doctor | None:
        return self._typed(identity.doctor_aggregate_id(doctor_id), Doctor)

    def policy(self, region: str, scheme: str) -> Policy | None:
        return self._typed(identity.policy_aggregate_id(region, scheme), Policy)

    def claim(self, claim_id: str) -> Claim | None:
        return self._typed(identity.claim_aggregate_id(claim_id), Claim)

    def clawback(self, clawback_id: str) -> Clawback | None:
        return self._typed(identity.clawback_aggregate_id(clawback_id), Clawback)

    def refund(self, refund_id: str) -> Refund | None:
        return self._typed(identity.refund_aggregate_id(refund_id), Refund)

    def subsidy(self, subsidy_id: str) -> Subsidy | None:
        return self._typed(identity.subsidy_aggregate_id(subsidy_id), Subsidy)

    def sanction(self, sanction_id: str) -> Sanction | None:
        return self._typed(identity.sanction_aggregate_id(sanction_id), Sanction)
