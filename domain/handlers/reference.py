"""Handlers of reference data: policies, budgets and doctors."""

from __future__ import annotations

from domain.commands import AllocateBudget, PublishPolicy, RegisterDoctor
from domain.doctor import Doctor
from domain.handlers.lookup import Aggregates, known_institution
from domain.institution import Institution
from domain.policy import Policy


def publish_policy(command: PublishPolicy, aggregates: Aggregates) -> Policy:
    """Publish the first policy of a region and scheme, or a new version of it."""
    existing = aggregates.policy(command.region, command.scheme)
    if existing is None:
        return Policy(
            region=command.region,
            scheme=command.scheme,
            terms=command.terms,
            provenance=command.provenance,
        )
    existing.revise(terms=command.terms, provenance=command.provenance)
    return existing


def allocate_budget(command: AllocateBudget, aggregates: Aggregates) -> Institution:
    """Allocate the annual budget of a designated institution."""
    institution = known_institution(aggregates, command.institution)
    institution.allocate_budget(
        year=command.year, amount=command.amount, provenance=command.provenance
    )
    return institution


def register_doctor(command: RegisterDoctor, aggregates: Aggregates) -> Doctor:
    """Register a doctor at designated institutions, or replace where they practise."""
    for code in command.institutions:
        known_institution(aggregates, code)
    existing = aggregates.doctor(command.doctor_id)
    if existing is None:
        return Doctor(
            doctor_id=command.doctor_id,
            region=command.region,
            institutions=command.institutions,
            provenance=command.provenance,
        )
    existing.reregister(institutions=command.institutions, provenance=command.provenance)
    return existing
