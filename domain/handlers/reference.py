"""Handlers of reference data: policies, budgets and doctors."""

from __future__ import annotations

from domain.commands import AllocateBudget, PublishPolicy, RegisterDoctor
from domain.doctor import Doctor
from domain.handlers.lookup import Aggregates, known_institution
from domain.policy import Policy


def publish_policy(command: PublishPolicy, aggregates: Aggregates) -> None:
    """Publish the first policy of a region and scheme, or a new version of it."""
    existing = aggregates.policy(command.region, command.scheme)
    if existing is None:
        policy = Policy(
            region=command.region,
            scheme=command.scheme,
            terms=command.terms,
            provenance=command.provenance,
        )
        aggregates.add(policy)
        return
    existing.revise(terms=command.terms, provenance=command.provenance)


def allocate_budget(command: AllocateBudget, aggregates: Aggregates) -> None:
    """Allocate the annual budget of a designated institution."""
    institution = known_institution(aggregates, command.institution)
    institution.allocate_budget(
        year=command.year, amount=command.amount, provenance=command.provenance
    )


def register_doctor(command: RegisterDoctor, aggregates: Aggregates) -> None:
    """Register a doctor at designated institutions, or replace where they practise."""
    for code in command.institutions:
        known_institution(aggregates, code)
    existing = aggregates.doctor(command.doctor_id)
    if existing is None:
        doctor = Doctor(
            doctor_id=command.doctor_id,
            region=command.region,
            institutions=command.institutions,
            provenance=command.provenance,
        )
        aggregates.add(doctor)
        return
    existing.reregister(institutions=command.institutions, provenance=command.provenance)
