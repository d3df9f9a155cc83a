"""What a person's misuse recovery and a deduction add to the supervision report: the real
domain events through `SUPERVISION_FACTS`, counted by decision date."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from domain.supervision import NO_VIOLATION, SupervisionReport, tally
from projections.supervision import SUPERVISION_FACTS
from tests.domain_builders import d, designate, enroll, publish, settle
from tests.memory import InMemoryAggregates
from tests.unit.test_deductions import deduct, disburse
from tests.unit.test_misuse_recovery import order, returned


def report_of(events: list[Any], year: int) -> SupervisionReport:
    items = [
        item
        for event in events
        if type(event).__qualname__ in SUPERVISION_FACTS
        for item in SUPERVISION_FACTS[type(event).__qualname__](event)
    ]
    return tally(items, year)


def test_a_persons_order_and_partial_return_count_by_the_orders_decision_date() -> None:
    ledger = InMemoryAggregates.given(publish(), designate(), enroll(), settle())
    events = [
        *ledger.decide(order("2000.00", ("C-1", "2000.00"))),  # decided 2020-04-15
        *ledger.decide(returned("1500.00")),
    ]
    y2020 = report_of(events, 2020)
    assert (y2020.total.cases, y2020.total.ordered, y2020.total.recovered) == (
        1,
        Decimal("2000.00"),
        Decimal("1500.00"),
    )
    assert y2020.by_source["tip_off"].ordered == Decimal("2000.00")
    assert y2020.by_violation["card_lending"].recovered == Decimal("1500.00")
    assert report_of(events, 2019).total.cases == 0


def test_an_indicator_deduction_is_found_and_recovered_at_once_under_its_own_source() -> None:
    ledger = InMemoryAggregates.given(publish(), designate(), disburse("2020-01", "100000.00"))
    events = ledger.decide(deduct("8000.00"))
    y2020 = report_of(events, 2020)
    source = y2020.by_source["indicator_deduction"]
    assert (source.cases, source.ordered, source.recovered) == (
        1,
        Decimal("8000.00"),
        Decimal("8000.00"),
    )
    assert y2020.by_violation[NO_VIOLATION].found == Decimal("8000.00")


def test_a_budget_deduction_is_not_counted_as_an_indicator_deduction() -> None:
    ledger = InMemoryAggregates.given(publish(), designate(), disburse("2020-01", "100000.00"))
    events = ledger.decide(deduct("500.00", kind="budget", decision_date=d("2021-01-05")))
    y2021 = report_of(events, 2021)
    assert "indicator_deduction" not in y2021.by_source
    assert y2021.by_source["other"].recovered == Decimal("500.00")
