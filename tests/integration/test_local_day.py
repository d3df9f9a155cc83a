"""The region's day, through the real worker and every read model: 2019-12-31T20:00-12:00 and
2019-12-31T20:00Z are 1 January 2020 in the pooling region (+08:00), for the domain's usage and
cap year as for the budget used, the fund statement, day-bucketed totals and penalty windows."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from domain.account import PersonAccount
from domain.identity import person_account_aggregate_id
from infra.settings import Settings
from infra.store import Ledger
from projections import queries
from projections.asof import Bitemporal
from projections.runner import catch_up, open_projections
from tests.integration.helpers import create_topics, send
from tests.integration.test_projections_ingested import (
    PERSON,
    at,
    ingest_on,
    local,
    point,
    policy,
    sanction,
)
from tests.messages import HOSPITAL, designated, message

SUSPENDED = "H43042200012"  # a second hospital, suspended until the lift


def budget(year: int, amount: str) -> dict[str, object]:
    payload = {"institution": HOSPITAL, "year": year, "amount": amount}
    return message("BudgetAllocated", payload, occurred_at=local(f"{year}-01-01"))


def claim(claim_id: str, cost: str, occurred_at: str) -> dict[str, object]:
    payload = {"claim_id": claim_id, "person_id": PERSON, "institution": HOSPITAL,
               "doctor_id": None, "claim_type": "inpatient", "total_cost": cost,
               "in_policy_cost": cost, "personal_account_amount": "0",
               "reported_fund_share": None}  # fmt: skip
    return message("ClaimSettled", payload, occurred_at=occurred_at)


def history(settings: Settings, ledger: Ledger, new_year_elsewhere: str) -> None:
    """2019's cap reached in June; a suspension of another hospital; then, at the instant under
    test, a claim and the suspension's lift."""
    create_topics(settings)
    send(settings, "reference", [
        policy(),
        designated(occurred_at=local("2019-01-01")),
        designated(SUSPENDED, occurred_at=local("2019-01-01")),
    ])  # fmt: skip
    ingest_on(settings, ledger, "2019-01-02")
    send(settings, "reference", [budget(2019, "400000.00"), budget(2020, "500000.00")])
    person = {"person_id": PERSON, "scheme": "resident", "category": "adult",
              "employer_id": None, "primary_institution": None}  # fmt: skip
    send(
        settings, "enrollment", [message("PersonEnrolled", person, occurred_at=local("2019-01-15"))]
    )
    ingest_on(settings, ledger, "2019-01-15")
    send(settings, "claims", [claim("JS-1", "600000.00", "2019-06-01T10:00:00+08:00")])
    suspension = sanction("settlement_suspension", "2019-06-20", target_id=SUSPENDED,
                          effective_from="2019-07-01", effective_to="2020-06-30")  # fmt: skip
    send(settings, "sanctions", [suspension])
    ingest_on(settings, ledger, "2019-06-20")
    lift = {"sanction_id": "settlement_suspension-1", "target_id": SUSPENDED,
            "reason": "rectified"}  # fmt: skip
    send(settings, "claims", [claim("JS-2", "12000.00", new_year_elsewhere)])
    send(settings, "sanctions", [message("SanctionLifted", lift, occurred_at=new_year_elsewhere)])
    ingest_on(settings, ledger, "2020-01-02")
    catch_up(ledger, open_projections(ledger))


@pytest.mark.parametrize("new_year_elsewhere", ["2019-12-31T20:00-12:00", "2019-12-31T20:00Z"])
@pytest.mark.usefixtures("settings")
def test_the_domain_and_every_read_model_put_the_instant_on_1_january_2020(
    settings: Settings, ledger: Ledger, new_year_elsewhere: str
) -> None:
    history(settings, ledger, new_year_elsewhere)
    # The domain: 2020's usage, with the full deductible and no cap: (12000 - 500) x 0.55.
    account: object = ledger.repository.get(person_account_aggregate_id(PERSON))
    assert isinstance(account, PersonAccount)
    assert account.usage_in(2019).fund_paid == Decimal("300000.00")
    assert account.usage_in(2020).fund_paid == Decimal("6325.00")
    # Budget used per year.
    [in_2019] = at(ledger, queries.hospitals, [HOSPITAL], point("2019-12-31"))
    [in_2020] = at(ledger, queries.hospitals, [HOSPITAL], point("2020-01-31"))
    assert (in_2019.budget, in_2019.budget_used) == (Decimal("400000.00"), Decimal("300000.00"))
    assert (in_2020.budget, in_2020.budget_used) == (Decimal("500000.00"), Decimal("6325.00"))
    # Totals bucket by the region's day: the claim counts from 2020-01-01 00:00 +08:00.
    assert in_2019.totals["visits"] == 1
    [first_instant] = at(ledger, queries.hospitals, [HOSPITAL], point("2020-01-01T00:00+08:00"))
    assert first_instant.totals["visits"] == 2
    # The fund statement of each year.
    now = Bitemporal.of(None, None, datetime.now(UTC))
    statement_2019 = at(ledger, queries.fund_statement, "430422", 2019, now)["resident"]
    statement_2020 = at(ledger, queries.fund_statement, "430422", 2020, now)["resident"]
    assert statement_2019["settlements"] == Decimal("300000.00")
    assert statement_2020["settlements"] == Decimal("6325.00")
    # The year after opens where the year before closed.
    assert statement_2020["opening_balance"] == statement_2019["closing_balance"]
    # Penalties: lifted on the region's 1 January, so 31 December stays in the window.
    assert at(ledger, queries.penalties, SUSPENDED, point("2019-12-31")).suspended
    assert not at(ledger, queries.penalties, SUSPENDED, point("2020-01-01")).suspended
