"""Invariants over random histories: postings balance, shares stay within cost and cap, and
replaying stored events (through the store's transcoding) reproduces every aggregate."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any, cast

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import (
    Mapper,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.commands import (
    ClaimAmount,
    DecideAppeal,
    FileAppeal,
    MakeDisbursement,
    OrderClawback,
    PayContribution,
    PayFine,
    RecoverClawback,
    RefuseClaim,
    ReverseClaim,
    VolunteerRefund,
)
from domain.money import ZERO
from domain.reasons import Rejected
from domain.settlement import SPECIAL_STATUSES, Status, YearUsage, fund_share
from infra.transcodings import ledger_transcoder
from tests.domain_builders import (
    DOCTOR,
    LEVEL_2,
    LEVEL_3,
    PHARMACY,
    certify,
    default_terms,
    designate,
    enroll,
    on,
    publish,
    register_doctor,
    sanction,
    settle,
)
from tests.memory import InMemoryAggregates

amounts = st.decimals(min_value=0, max_value=400000, places=2)
ratios = st.decimals(min_value=0, max_value=1, places=2)


@given(
    in_policy=amounts,
    fund_paid=amounts,
    admissions=st.integers(0, 5),
    level=st.sampled_from(["community", "1", "2", "3", "none"]),
    claim_type=st.sampled_from(["inpatient", "outpatient", "pharmacy"]),
    statuses=st.sets(st.sampled_from(list(Status))),
    ratio=ratios,
    bonus=ratios,
)
def test_a_fund_share_never_exceeds_the_in_policy_cost_nor_the_cap_left(
    in_policy: Decimal,
    fund_paid: Decimal,
    admissions: int,
    level: str,
    claim_type: str,
    statuses: set[str],
    ratio: Decimal,
    bonus: Decimal,
) -> None:
    terms = default_terms(special_status_ratio=ratio, registered_poor_bonus=bonus)
    share = fund_share(
        terms, level, claim_type, in_policy, statuses, YearUsage(admissions, fund_paid)
    )
    assert ZERO <= share.fund_share <= in_policy
    assert share.fund_share <= max(ZERO, terms.annual_cap - fund_paid)
    assert share.fund_share == share.fund_share.quantize(Decimal("0.01"))
    if statuses & SPECIAL_STATUSES and claim_type == "inpatient":
        assert share.deductible == 0


def mapper() -> Mapper[Any]:
    return Mapper(transcoder=ledger_transcoder())


START = date(2019, 1, 1)
days = st.integers(0, 700).map(lambda n: START + timedelta(days=n))
money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(200000), places=2)
claim_ids = st.sampled_from([f"C-{i}" for i in range(8)])
sanction_ids = st.sampled_from(["S-2", "S-3", "S-4"])
small = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(3000), places=2)


institutions = st.sampled_from([LEVEL_3, LEVEL_3, LEVEL_3, LEVEL_2, PHARMACY])
persons = st.sampled_from(["P-1", "P-2", "E-1"])
claim_lines = st.lists(
    st.tuples(claim_ids, small), min_size=1, max_size=3, unique_by=lambda t: t[0]
)
clawback_ids = st.sampled_from(["K-1", "K-2"])


def settlements() -> st.SearchStrategy[Any]:
    return st.builds(
        lambda c, amount, day, p, i, t, pa: settle(
            c,
            str(amount),
            str(amount * 2),
            day.isoformat(),
            person_id=p,
            institution=i,
            claim_type=t,
            personal_account=pa,
        ),
        claim_ids,
        money,
        days,
        persons,
        institutions,
        st.sampled_from(["inpatient", "outpatient", "pharmacy"]),
        st.sampled_from(["0.00", "0.00", "25.00"]),
    )


def corrections() -> st.SearchStrategy[Any]:
    """Reversals, refusals, clawbacks ordered and recovered, and refunds volunteered."""
    return st.one_of(
        st.builds(lambda c, p, day: ReverseClaim(c, p, "x", on(day)), claim_ids, persons, days),
        st.builds(
            lambda c, i, amount, day: RefuseClaim(
                c, i, amount, "K", "other", "smart_review", on(day)
            ),
            claim_ids,
            institutions,
            money,
            days,
        ),
        st.builds(
            lambda k, i, ls, day: OrderClawback(
                k,
                "430422",
                i,
                "K",
                "D",
                day + timedelta(days=30),
                "other",
                "tip_off",
                tuple(ClaimAmount(c, a) for c, a in ls),
                on(day),
            ),
            clawback_ids,
            institutions,
            claim_lines,
            days,
        ),
        st.builds(
            lambda k, i, amount, day: RecoverClawback(k, i, amount, on(day)),
            clawback_ids,
            institutions,
            money,
            days,
        ),
        st.builds(
            lambda r, i, ls, day: VolunteerRefund(
                r, "430422", i, None, "other", tuple(ClaimAmount(c, a) for c, a in ls), on(day)
            ),
            st.sampled_from(["R-1", "R-2"]),
            institutions,
            claim_lines,
            days,
        ),
    )


def payments() -> st.SearchStrategy[Any]:
    """Contributions paid and disbursements made."""
    return st.one_of(
        st.builds(
            lambda p, amount, day: PayContribution(
                p, "430422", day.year, "individual", amount, ZERO, on(day)
            ),
            persons,
            money,
            days,
        ),
        st.builds(
            lambda i, amount, day: MakeDisbursement(
                i, "430422", "2019-05", "resident", amount, on(day)
            ),
            institutions,
            money,
            days,
        ),
    )


def sanctions() -> st.SearchStrategy[Any]:
    """Doctor points, fines and their payment, appeals, and a suspension."""
    return st.one_of(
        st.builds(
            lambda sid, value, day: sanction(
                sid,
                "doctor_points",
                target_kind="doctor",
                target_id=DOCTOR,
                legal_basis="doctor_points",
                decided=day.isoformat(),
                effective_from=day.isoformat(),
                points=value,
                suspension_months=2,
            ),
            sanction_ids,
            st.integers(1, 12),
            days,
        ),
        st.builds(
            lambda sid, multiple, day: sanction(
                sid,
                legal_basis="article_40",
                decided=day.isoformat(),
                effective_from=day.isoformat(),
                base_amount=Decimal(1000),
                multiple=multiple,
            ),
            sanction_ids,
            st.sampled_from([Decimal(1), Decimal(2), Decimal(5)]),
            days,
        ),
        st.builds(
            lambda sid, amount, day: PayFine(sid, LEVEL_3, amount, "R", on(day)),
            sanction_ids,
            small,
            days,
        ),
        st.builds(appealed, sanction_ids, st.sampled_from(["upheld", "reduced", "revoked"]), days),
        st.builds(
            lambda day: sanction(
                "S-1",
                "settlement_suspension",
                effective_from=day.isoformat(),
                decided=day.isoformat(),
                effective_to=(day + timedelta(days=200)).isoformat(),
            ),
            days,
        ),
    )


def operations() -> st.SearchStrategy[Any]:
    """Any command of the claims, clawback, payment and sanction flows: hypothesis flattens the
    groups into one choice among all thirteen kinds, shrinking toward the first."""
    return st.one_of(settlements(), corrections(), payments(), sanctions())


def appealed(sanction_id: str, outcome: str, day: date) -> list[Any]:
    """A suspension appealed two days after its decision, decided a month later."""
    imposed = sanction(
        sanction_id,
        "settlement_suspension",
        decided=day.isoformat(),
        effective_from=day.isoformat(),
        effective_to=(day + timedelta(days=250)).isoformat(),
    )
    decided = day + timedelta(days=30)
    shorter = day + timedelta(days=100)
    return [
        imposed,
        FileAppeal(sanction_id, LEVEL_3, "A", on(day + timedelta(days=2))),
        DecideAppeal(
            sanction_id, LEVEL_3, outcome, "D", decided, None, None, shorter, None, on(decided)
        ),
    ]


def given_reference() -> InMemoryAggregates:
    known = InMemoryAggregates()
    for command in (
        publish(),
        publish("employee"),
        designate(),
        designate(LEVEL_2, "2"),
        designate(PHARMACY, "none", "pharmacy"),
        enroll(),
        enroll("P-2"),
        enroll("E-1", "employee"),
        certify("min_income", "P-2"),
        register_doctor(),
    ):
        known.decide(command)
    known.decide(
        PayContribution(
            "E-1", "430422", 2019, "employer", Decimal(900), Decimal(300), on("2019-01-02")
        )
    )
    for n in range(4):  # claims the corrections can name; C-4 to C-7 are left to settle
        person = f"P-{n % 2 + 1}"
        known.decide(settle(f"C-{n}", "9000.00", day=f"2019-0{n + 2}-10", person_id=person))
    return known


@settings(max_examples=100, deadline=None)
@given(st.lists(operations(), max_size=25))
def test_every_event_balances_and_replaying_the_log_reproduces_every_aggregate(
    commands: list[Any],
) -> None:
    known = given_reference()
    log: list[Any] = []
    flat = [c for op in commands for c in (op if isinstance(op, list) else [op])]
    for command in flat:
        try:
            log.extend(known.decide(command))
        except Rejected:
            assert not known.pending()
    for event in log:
        postings = getattr(event, "postings", ())
        assert sum((p.amount for p in postings), ZERO) == 0
    stored = mapper()
    replayed: dict[Any, Aggregate | None] = {}
    everything = [e for a in known.aggregates.values() for e in _history_of(a, known)]
    for event in everything:
        copy = stored.to_domain_event(stored.to_stored_event(event))
        replayed[copy.originator_id] = cast(Any, copy).mutate(replayed.get(copy.originator_id))
    for aggregate_id, aggregate in known.aggregates.items():
        assert _state(replayed[aggregate_id]) == _state(aggregate)


def _history_of(aggregate: Aggregate, known: InMemoryAggregates) -> list[Any]:
    return known.history[aggregate.id]


def _state(aggregate: Aggregate | None) -> dict[str, Any]:
    assert aggregate is not None
    return {k: v for k, v in vars(aggregate).items() if k != "_pending_events"}
