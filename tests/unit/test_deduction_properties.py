"""Over random disbursements and deductions of 2020: whatever is accepted, no month, quarter or
year any deduction names lost more than it was paid; postings balance; replaying the stored
events (through the store's transcoding) rebuilds the institution."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from eventsourcing.persistence import Mapper
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.commands import ImposeDeduction, MakeDisbursement
from domain.deduction import Period
from domain.institution import Institution
from domain.money import ZERO
from domain.reasons import Rejected
from infra.transcodings import ledger_transcoder
from tests.domain_builders import LEVEL_3, REGION, d, designate, on, publish
from tests.memory import InMemoryAggregates

# Few periods, so that random plans often nest a month in a quarter in the year.
MONTHS = ["2020-02", "2020-03", "2020-04"]
PERIODS = [*MONTHS, "2020-Q1", "2020-Q2", "2020"]
schemes = st.sampled_from(["resident", "resident", "employee"])
paid = st.sampled_from([Decimal("5000.00"), Decimal("12000.00"), Decimal("30000.00")])
# Of a month's payment's size (random decimals would mostly be cents): deductions are often
# accepted, and often meet the bound later, some at a payment or a cent around one.
deducted = st.one_of(
    st.sampled_from(
        [Decimal("4999.99"), Decimal("5000.00"), Decimal("7000.01"), Decimal("12000.00")]
    ),
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal(20000), places=2),
)


@dataclass(frozen=True)
class Step:
    disburse: bool
    scheme: str
    period: str
    amount: Decimal


disbursements = st.builds(Step, st.just(True), schemes, st.sampled_from(MONTHS), paid)
deductions = st.builds(Step, st.just(False), schemes, st.sampled_from(PERIODS), deducted)
# Payments first, then deductions mixed with later payments: most deductions meet payments.
plans = st.tuples(
    st.lists(disbursements, min_size=2, max_size=6),
    st.lists(st.one_of(deductions, deductions, disbursements), min_size=4, max_size=24),
).map(lambda parts: [*parts[0], *parts[1]])


def command(n: int, step: Step) -> MakeDisbursement | ImposeDeduction:
    if step.disburse:
        return MakeDisbursement(
            LEVEL_3, REGION, step.period, step.scheme, step.amount, on(d("2021-01-05"))
        )
    last = max(Period.parse(step.period).months)
    return ImposeDeduction(
        deduction_id=f"ZB-{n}",
        region=REGION,
        institution=LEVEL_3,
        kind="indicator",
        scheme=step.scheme,
        period=step.period,
        basis="cost per visit",
        case_id="CASE",
        decision_document="DOC",
        decision_date=d("2021-01-10"),
        amount=step.amount,
        provenance=on(f"{last}-28"),
    )


def within(events: Iterable[Any], scheme: str, period: Period, kind: type[Any]) -> Decimal:
    """The amounts of the events of a kind and scheme whose period lies inside `period`."""
    inside = [e for e in events if isinstance(e, kind) and e.scheme == scheme]
    return sum((e.amount for e in inside if Period.parse(e.period).months <= period.months), ZERO)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(plans)
def test_accepted_deductions_never_exceed_what_any_period_they_name_was_paid(
    plan: list[Step],
) -> None:
    known = InMemoryAggregates.given(publish(), publish("employee"), designate())
    log: list[Any] = []
    for n, step in enumerate(plan):
        try:
            log.extend(known.decide(command(n, step)))
        except Rejected:
            assert not known.pending()
    for event in log:
        assert sum((p.amount for p in getattr(event, "postings", ())), ZERO) == 0
    for imposed in (e for e in log if isinstance(e, Institution.DeductionImposed)):
        period = Period.parse(imposed.period)
        paid = within(log, imposed.scheme, period, Institution.DisbursementMade)
        assert within(log, imposed.scheme, period, Institution.DeductionImposed) <= paid
    institution = known.institution(LEVEL_3)
    assert institution is not None
    stored: Mapper[Any] = Mapper(transcoder=ledger_transcoder())
    replayed: Any = None
    for event in known.history[institution.id]:
        replayed = cast(Any, stored.to_domain_event(stored.to_stored_event(event))).mutate(replayed)
    assert (replayed.disbursed, replayed.deductions) == (
        institution.disbursed,
        institution.deductions,
    )
