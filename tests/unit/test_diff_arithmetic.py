"""The arithmetic of `diff`: which facts a figure as of a date counts, each event's share, and
what is left unexplained (no database: facts and windows built in memory)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID

import pytest

from projections import diff
from projections.asof import parse_instant
from projections.cumulative import Delta
from projections.facts import HOSPITAL_METRICS, Facts, hospital
from projections.terms import Resolved

H = "H43042200011"
AS_OF = parse_instant("2019-12-31T00:00:01+08:00")


def logged(position: int) -> diff.LoggedEvent:
    return diff.LoggedEvent(
        position, "Claim.Settled", UUID(int=position), None, datetime(2020, 2, position, tzinfo=UTC)
    )


def recorded(position: int, facts: Facts, taken_back: list[Delta] | None = None) -> diff.Recorded:
    return diff.Recorded(logged(position), facts, Resolved(), taken_back or [])


def test_the_two_known_times_are_ordered_and_may_not_be_the_same() -> None:
    early, late = parse_instant("2020-01-01"), parse_instant("2020-03-01")
    assert diff.ordered(late, early) == (early, late)
    assert diff.ordered(early, late) == (early, late)
    with pytest.raises(diff.SameTimeError, match="two different times"):
        diff.ordered(early, early)


def test_a_fact_counts_as_of_any_instant_of_its_local_day_and_not_before() -> None:
    evening = parse_instant("2019-12-31T20:00:00+08:00")  # after AS_OF, the same local day
    next_day = parse_instant("2020-01-01T00:00:00+08:00")
    deltas = [
        Delta(H, evening, (Decimal("1.10"),)),
        Delta(H, next_day, (Decimal("100.00"),)),
        Delta("H2", evening, (Decimal("7.00"),)),
    ]
    assert diff.seen_total(deltas, H, AS_OF) == Decimal("1.10")
    assert diff.seen_total(deltas, H, next_day) == Decimal("101.10")


def test_a_reversal_takes_back_its_claims_cost_or_nothing_for_an_unknown_claim() -> None:
    valid = parse_instant("2019-03-12")
    facts = Facts(reversals=[("claim-1", H, valid), ("claim-9", H, valid)])
    taken = diff.reversed_costs(facts, {"claim-1": Decimal("5000.00")})
    assert [d.amounts[0] for d in taken] == [Decimal("-5000.00"), Decimal(0)]
    assert all(len(d.amounts) == len(HOSPITAL_METRICS) for d in taken)


def test_shares_add_up_and_figures_that_did_not_change_are_left_out() -> None:
    day = parse_instant("2019-06-01")
    window = diff.Window(
        [
            recorded(1, Facts(hospitals=[hospital(H, day, recovered=Decimal("286.18"))])),
            recorded(2, Facts(hospitals=[hospital(H, day, visits=Decimal(1))])),
            recorded(3, Facts(hospitals=[hospital(H, day, visits=Decimal(-1))])),
            recorded(4, Facts(hospitals=[hospital("H2", day, recovered=Decimal("9.99"))])),
        ],
        {},
    )
    index = HOSPITAL_METRICS.index

    def share(metric: str) -> diff.Share:
        return lambda r: diff.seen_total(r.facts.hospitals, H, AS_OF, index(metric))

    zero, before = Decimal(0), {"recovered": Decimal(0), "visits": Decimal(3)}
    after = {"recovered": Decimal("286.18"), "visits": Decimal(3)}
    shares = {"recovered": share("recovered"), "visits": share("visits")}
    [change] = diff.figure_changes(window, before, after, shares)
    assert change.figure == "recovered"
    assert [(c.event.position, c.amount) for c in change.causes] == [(1, Decimal("286.18"))]
    assert (change.difference, change.unexplained) == (Decimal("286.18"), zero)


def test_a_difference_the_events_do_not_account_for_is_unexplained() -> None:
    change = diff.FigureChange(
        "fines", Decimal("0.00"), Decimal("858.54"), [diff.Cause(logged(1), Decimal("800.00"))]
    )
    assert change.unexplained == Decimal("58.54")
