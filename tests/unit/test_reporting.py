"""The reporting consumer puts `ledger.events` back in order, drops re-sends, re-checks the
chain, and sums fund income and spending from postings."""

from __future__ import annotations

import ast
import json
import random
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consumers import outbound_types
from consumers.reporting import (
    CONTRACT,
    BrokenChainError,
    FundStatement,
    InOrder,
    LedgerEvent,
    UnknownContractError,
)
from infra.chain import GENESIS, link
from tests.seeds import seeded_uuid

FUND = "fund:430422:resident:pooled"


def posting(account: str, amount: str) -> dict[str, Any]:
    """A posting as the outbound contract writes it in `data`."""
    return {"account": account, "amount": amount}


def stream(states: list[dict[str, Any]], first: int = 3, gap: int = 2) -> list[LedgerEvent]:
    """Events with positions that have gaps, chained like the recorder chains them."""
    events, previous_position, previous = [], 0, GENESIS
    for i, state in enumerate(states):
        position = first + i * gap
        originator, raw = seeded_uuid(), json.dumps(state).encode()
        chain_hash = link(previous, position, originator, 1, "domain:Event", raw)
        events.append(
            LedgerEvent(
                *(position, previous_position, originator, 1, "domain:Event", raw, chain_hash),
                data=state,
            )
        )
        previous_position, previous = position, chain_hash
    return events


@given(st.randoms(use_true_random=False), st.integers(min_value=1, max_value=30))
def test_any_arrival_order_with_resends_comes_out_in_global_order_once(
    rng: random.Random, count: int
) -> None:
    events = stream([{"n": i} for i in range(count)])
    arrivals = events + rng.sample(events, k=min(count, 5))
    rng.shuffle(arrivals)
    order = InOrder()
    out = [e.position for a in arrivals for e in order.add(a)]
    assert out == [e.position for e in events]
    assert order.waiting == 0


def test_a_record_whose_chain_hash_does_not_follow_is_refused() -> None:
    first, second = stream([{"n": 1}, {"n": 2}])
    forged = LedgerEvent(
        second.position,
        second.previous_position,
        second.originator_id,
        second.originator_version,
        second.topic,
        b'{"n": 3}',
        second.chain_hash,
    )
    order = InOrder()
    list(order.add(first))
    with pytest.raises(BrokenChainError):
        list(order.add(forged))


def test_fund_income_and_spending_come_from_postings_and_other_events_are_ignored() -> None:
    statement = FundStatement()
    for event in stream(
        [
            {"person_id": "P-1"},  # an enrollment: no postings
            {"postings": [posting(FUND, "250.00"), posting("external:payer:P-1", "-250.00")]},
            {"postings": [posting(FUND, "-80.50"), posting("institution:H1:receivable", "80.50")]},
            {"postings": []},
            {"postings": [posting(FUND, "0.10"), posting("external:bank", "-0.10")]},
        ]
    ):
        statement.apply(event)
    assert (statement.events, statement.monetary_events) == (5, 3)
    assert statement.income == {FUND: Decimal("250.10")}
    assert statement.spending == {FUND: Decimal("80.50")}
    assert statement.as_dict()["funds"] == {FUND: {"income": "250.10", "spending": "80.50"}}


def test_a_record_of_another_contract_version_is_refused_not_misread() -> None:
    assert CONTRACT == outbound_types.CONTRACT
    record = SimpleNamespace(value=json.dumps({"contract": "claims-ledger.events/2"}).encode())
    with pytest.raises(UnknownContractError, match="events/2"):
        LedgerEvent.from_record(record)


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    return names | {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}


def test_the_reporting_consumer_reads_the_contract_without_the_domain_or_the_store() -> None:
    consumers = Path(__file__).resolve().parents[2] / "consumers"
    imported = imported_modules(consumers / "reporting.py")
    assert {
        m for m in imported if m.split(".")[0] in {"domain", "eventsourcing", "consumers"}
    } == set()
    assert imported & {"infra.chain", "infra.kafka"} == {"infra.chain", "infra.kafka"}
    # The chain layout it re-checks with is the standard library's hashing and nothing else.
    chain = imported_modules(consumers.parent / "infra" / "chain.py")
    assert chain == {"__future__", "hashlib", "dataclasses", "uuid"}
