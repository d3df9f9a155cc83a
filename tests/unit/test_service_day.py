"""The local day is the region's (+08:00), whatever UTC offset a message was written in.

2019-12-31T20:00-12:00 and 2019-12-31T20:00Z are both 1 January 2020 in the pooling region: they
count toward 2020's usage and cap, as the read models count them (tests/integration/
test_local_day.py runs the same instants through the worker and the read models).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

import pytest

from domain.calendar import service_day
from domain.claim import Claim
from domain.commands import LiftSanction
from domain.sanction import Sanction
from projections.asof import region_year, start_of_day
from tests.domain_builders import PHARMACY, designate, enroll, publish, sanction, settle
from tests.memory import InMemoryAggregates
from tests.messages import provenance

NEW_YEAR_ELSEWHERE = ("2019-12-31T20:00-12:00", "2019-12-31T20:00Z")


@pytest.mark.parametrize("text", NEW_YEAR_ELSEWHERE)
def test_an_evening_of_31_december_west_of_the_region_is_1_january_there(text: str) -> None:
    moment = datetime.fromisoformat(text)
    assert service_day(moment) == date(2020, 1, 1)
    assert region_year(moment) == 2020  # the read models' year is the same day's year
    assert start_of_day(moment).date() == service_day(moment)


def test_the_last_instant_of_31_december_in_the_region_is_still_2019() -> None:
    assert service_day(datetime.fromisoformat("2019-12-31T15:59:59.999999+00:00")) == date(
        2019, 12, 31
    )


def test_a_moment_without_an_offset_has_no_day() -> None:
    with pytest.raises(ValueError, match="no UTC offset"):
        service_day(datetime(2019, 12, 31, 20))  # noqa: DTZ001 - naive on purpose


@pytest.mark.parametrize("text", NEW_YEAR_ELSEWHERE)
def test_a_claim_on_the_regions_1_january_counts_toward_2020_usage_and_cap(text: str) -> None:
    ledger = InMemoryAggregates.given(publish(), designate(), enroll())
    ledger.decide(settle("C-1", "600000.00", day="2019-06-01"))  # 2019's cap reached
    events = ledger.decide(
        replace(settle("C-2"), provenance=provenance(datetime.fromisoformat(text)))
    )
    [paid] = [e for e in events if isinstance(e, Claim.Settled)]
    # A new year: the full deductible and no cap yet, (12000 - 500) x 0.55.
    assert (paid.deductible, paid.fund_share, paid.cap_limited) == (
        Decimal("500.00"),
        Decimal("6325.00"),
        False,
    )
    account = ledger.account("P-1")
    assert account is not None
    assert account.usage_in(2019).fund_paid == Decimal("300000.00")
    assert account.usage_in(2020).fund_paid == Decimal("6325.00")


@pytest.mark.parametrize("text", NEW_YEAR_ELSEWHERE)
def test_a_suspension_ending_on_31_december_does_not_refuse_the_regions_1_january(
    text: str,
) -> None:
    ledger = InMemoryAggregates.given(publish(), designate(), enroll())
    ledger.decide(
        sanction(
            kind="settlement_suspension",
            effective_from="2019-07-01",
            effective_to="2019-12-31",
        )
    )
    events = ledger.decide(
        replace(settle("C-1"), provenance=provenance(datetime.fromisoformat(text)))
    )
    [claim] = [e for e in events if isinstance(e, Claim.Settled)]
    assert (claim.outcome, claim.refusal_reason) == ("paid", None)


@pytest.mark.parametrize("text", NEW_YEAR_ELSEWHERE)
def test_a_lift_on_the_regions_1_january_keeps_31_december_in_the_window(text: str) -> None:
    ledger = InMemoryAggregates.given(
        publish(), designate(), designate(PHARMACY, "none", "pharmacy")
    )
    ledger.decide(
        sanction(
            kind="settlement_suspension",
            effective_from="2019-07-01",
            effective_to="2020-06-30",
        )
    )
    lift = LiftSanction(
        "S-1", "H43042200011", "rectified", provenance(datetime.fromisoformat(text))
    )
    [lifted, *_] = ledger.decide(lift)
    assert isinstance(lifted, Sanction.Lifted)
    assert lifted.effective_to == date(2019, 12, 31)
