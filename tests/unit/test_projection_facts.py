"""The read models read the domain's real events: facts of claims, payments and sanctions."""

from __future__ import annotations

import importlib
import pkgutil
from decimal import Decimal
from typing import Any

import pytest
from eventsourcing.domain import Aggregate

from domain.commands import (
    AllocateBudget,
    DecideAppeal,
    FileAppeal,
    LiftSanction,
    MakeDisbursement,
    ReverseClaim,
)
from domain.identity import institution_aggregate_id, sanction_aggregate_id
from domain.postings import is_pooled_fund
from projections.facts import HANDLERS, HOSPITAL_METRICS, Facts, facts_of
from projections.queries import FUND_LINES
from projections.sanction_facts import (
    AppealDecided,
    DoctorRestricted,
    Imposed,
    SanctionEnd,
    instant,
)
from tests.domain_builders import (
    DOCTOR,
    LEVEL_3,
    d,
    designate,
    enroll,
    on,
    publish,
    register_doctor,
    sanction,
    settle,
)
from tests.memory import InMemoryAggregates


@pytest.fixture
def ledger() -> InMemoryAggregates:
    """Given the default policy, a level-3 hospital, a doctor and an enrolled person."""
    return InMemoryAggregates.given(publish(), designate(), register_doctor(), enroll())


def facts(events: list[Any]) -> Facts:
    merged = Facts()
    for event in events:
        one = facts_of(event)
        for name in vars(merged):
            getattr(merged, name).extend(getattr(one, name))
    return merged


def metrics(f: Facts) -> dict[str, Decimal]:
    totals = dict.fromkeys(HOSPITAL_METRICS, Decimal(0))
    for delta in f.hospitals:
        for name, amount in zip(HOSPITAL_METRICS, delta.amounts, strict=True):
            totals[name] += amount
    return totals


def test_a_paid_claim_adds_cost_share_and_a_visit_and_balanced_postings(
    ledger: InMemoryAggregates,
) -> None:
    settled = facts(ledger.decide(settle("C-1", "12000.00", "13500.00")))
    assert {k: v for k, v in metrics(settled).items() if v} == {
        "settled_cost": Decimal("13500.00"),
        "fund_share": Decimal("6325.00"),
        "visits": Decimal(1),
    }
    assert sum(delta.amounts[0] for delta in settled.balances) == 0
    assert len(settled.claim_costs) == 1


def test_only_the_pooled_funds_flows_are_kept_for_the_fund_statement(
    ledger: InMemoryAggregates,
) -> None:
    settled = facts(ledger.decide(settle("C-1", "12000.00", "13500.00")))
    pooled = [d for d in settled.balances if is_pooled_fund(d.key)]
    assert pooled, "a settlement moves the pooled fund"
    assert len(settled.balances) > len(pooled), "and the institution's receivable"
    assert [(f.key, f.amounts) for f in settled.flows] == [
        (f"{d.key}|Claim.Settled", d.amounts) for d in pooled
    ]


def test_a_reversal_names_the_claim_whose_cost_it_takes_back(ledger: InMemoryAggregates) -> None:
    settled = facts(ledger.decide(settle("C-1")))
    reversed_ = facts(ledger.decide(ReverseClaim("C-1", "P-1", "wrong patient", on("2019-05-04"))))
    assert metrics(reversed_)["fund_share"] == Decimal("-6325.00")
    assert metrics(reversed_)["visits"] == -1
    assert [claim for claim, _, _ in reversed_.reversals] == [settled.claim_costs[0][0]]


def test_a_disbursement_pays_the_bank_and_holds_the_deposit(ledger: InMemoryAggregates) -> None:
    ledger.decide(settle("C-1"))
    made = facts(
        ledger.decide(
            MakeDisbursement(
                LEVEL_3, "430422", "2019-05", "resident", Decimal("6000.00"), on("2019-06-10")
            )
        )
    )
    assert metrics(made)["disbursed"] == Decimal("5400.00")
    assert metrics(made)["deposit_held"] == Decimal("600.00")


def test_a_budget_is_keyed_by_the_institutions_aggregate_and_year(
    ledger: InMemoryAggregates,
) -> None:
    allocated = facts(
        ledger.decide(AllocateBudget(LEVEL_3, 2019, Decimal("100000.00"), on("2019-01-01")))
    )
    [total] = allocated.budget_totals
    assert total.key == f"{institution_aggregate_id(LEVEL_3)}:2019"
    assert total.amounts == (Decimal("100000.00"),)


def test_a_suspension_its_lifting_and_an_appeal_become_window_versions(
    ledger: InMemoryAggregates,
) -> None:
    imposed = facts(ledger.decide(sanction("S-1", "settlement_suspension",
                                           effective_from="2019-06-01",
                                           effective_to="2019-11-30")))  # fmt: skip
    [terms] = imposed.sanctions
    assert isinstance(terms, Imposed)
    assert terms.sanction_id == str(sanction_aggregate_id("S-1"))
    assert terms.window is not None
    assert (terms.window.effective_from, terms.window.effective_until) == (
        instant(d("2019-06-01")),
        instant(d("2019-12-01")),
    )
    ledger.decide(FileAppeal("S-1", LEVEL_3, "AP-1", on("2019-06-05")))
    decided = facts(
        ledger.decide(
            DecideAppeal(
                "S-1",
                LEVEL_3,
                "revoked",
                "DOC-2",
                d("2019-07-15"),
                None,
                None,
                None,
                None,
                on("2019-07-15"),
            )
        )
    )
    [appeal] = [s for s in decided.sanctions if isinstance(s, AppealDecided)]
    assert appeal.revoked
    assert appeal.window_end is not None
    assert appeal.window_end <= instant(d("2019-07-15"))


def test_lifting_ends_the_window_after_its_new_last_day(ledger: InMemoryAggregates) -> None:
    ledger.decide(sanction("S-1", "settlement_suspension", effective_from="2019-06-01",
                           effective_to="2019-11-30"))  # fmt: skip
    lifted = facts(ledger.decide(LiftSanction("S-1", LEVEL_3, "rectified", on("2019-09-01"))))
    assert lifted.sanctions == [
        SanctionEnd(str(sanction_aggregate_id("S-1")), instant(d("2019-09-01")))
    ]


def test_nine_points_restrict_the_doctor_through_the_sanction_that_reached_them(
    ledger: InMemoryAggregates,
) -> None:
    def points(sanction_id: str, value: int, day: str) -> Any:
        return sanction(sanction_id, "doctor_points", target_kind="doctor", target_id=DOCTOR,
                        legal_basis="doctor_points", decided=day, effective_from=day,
                        points=value, suspension_months=2)  # fmt: skip

    ledger.decide(points("S-1", 6, "2019-03-01"))
    reached = facts(ledger.decide(points("S-2", 3, "2019-04-01")))
    [restricted] = [s for s in reached.sanctions if isinstance(s, DoctorRestricted)]
    assert restricted.trigger == str(sanction_aggregate_id("S-2"))
    assert restricted.kind == "doctor_suspension"
    assert restricted.effective_until == instant(d("2019-06-01"))


def domain_event_names() -> set[str]:
    import domain  # noqa: PLC0415

    names: set[str] = set()
    for module_info in pkgutil.walk_packages(domain.__path__, "domain."):
        module = importlib.import_module(module_info.name)
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, Aggregate):
                names.update(
                    f"{value.__name__}.{name}"
                    for name, member in vars(value).items()
                    if isinstance(member, type) and issubclass(member, Aggregate.Event)
                )
    return names


def test_every_event_the_read_models_name_is_one_the_domain_records() -> None:
    known = domain_event_names()
    assert set(HANDLERS) <= known, set(HANDLERS) - known
    assert set(FUND_LINES) <= known, set(FUND_LINES) - known
