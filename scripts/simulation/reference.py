"""Reference data at New Year: designations, both schemes' policies, budgets, doctors."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from domain.policy import PolicyTerms
from scripts.simulation.books import TERMS
from scripts.simulation.messages import MessageFactory, amount, at
from scripts.simulation.plan import Phase, Planned
from scripts.simulation.world import County

# Annual budget per institution (总额控制指标), by level, in yuan per insured person served.
BUDGET_PER_PERSON = {"3": 900, "2": 600, "1": 300, "community": 150, "none": 60}


def policy_payload(scheme: str, terms: PolicyTerms) -> dict[str, object]:
    """A PolicyPublished payload stating every term as the contract spells it."""
    return {
        "scheme": scheme,
        "deductible": {level: amount(v) for level, v in terms.deductible.items()},
        "ratio": {level: str(v) for level, v in terms.ratio.items()},
        "outpatient_ratio": str(terms.outpatient_ratio),
        "later_admission_reduction": str(terms.later_admission_reduction),
        "special_status_ratio": str(terms.special_status_ratio),
        "registered_poor_bonus": str(terms.registered_poor_bonus),
        "annual_cap": amount(terms.annual_cap),
        "resident_contribution": amount(terms.resident_contribution),
        "deposit_rate": str(terms.deposit_rate),
    }


def reference_data(county: County, ids: MessageFactory) -> Iterator[Planned]:
    """Everything settlement needs, effective on New Year's Day."""
    config = county.config
    rng = random.Random(f"{config.seed}:reference")  # noqa: S311 - reproducible data
    new_year = at(date(config.year, 1, 1), 0)
    office = "fund:designation-office"
    for i in county.institutions:
        payload: dict[str, object] = {
            "code": i.code,
            "name": i.name,
            "kind": i.kind,
            "level": i.level,
            "ownership": i.ownership,
            "agreement_no": f"XY-{config.year}-{i.code[-5:]}",
        }
        yield ids.planned(
            1, Phase.REFERENCE, i.code, "InstitutionDesignated", new_year, office, payload
        )
    for scheme, terms in TERMS.items():
        payload = policy_payload(scheme, terms)
        yield ids.planned(
            1, Phase.REFERENCE, scheme, "PolicyPublished", new_year, "fund:policy-office", payload
        )
    served = max(1, config.persons // max(1, len(county.hospitals)))
    for i in county.institutions:
        base = BUDGET_PER_PERSON[i.level] * served * rng.uniform(0.8, 1.2)
        payload = {
            "institution": i.code,
            "year": config.year,
            "amount": amount(Decimal(round(base))),
        }
        yield ids.planned(
            1, Phase.REFERENCE, i.code, "BudgetAllocated", new_year, "fund:budget-office", payload
        )
    for d in county.doctors:
        yield ids.planned(
            1,
            Phase.REFERENCE,
            d.doctor_id,
            "DoctorRegistered",
            new_year,
            office,
            {"doctor_id": d.doctor_id, "institutions": list(d.institutions)},
            needs=frozenset(d.institutions),
        )
