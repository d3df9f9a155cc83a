"""A person's misuse (条例 art. 41) through the real broker, worker and database: the order to
return the loss and its partial return reach the person's balance, penalty status and history
and the fund report; the fine stays with the treasury; every bad order or return is kept with
its own reason."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from domain.postings import misuse_due, pooled_fund
from infra.held_reads import held_messages
from infra.queries import history, rejected
from infra.related import history_with_related
from infra.settings import Settings
from infra.store import Ledger
from projections import queries
from projections.check import check
from tests.examples import documented
from tests.integration.helpers import create_topics, ingest, send
from tests.integration.test_projections import lookup, point, project
from tests.messages import designated

PERSON = "430422-R-00038174"
CLAIM = "JS-H43042200011-2019-000123"  # paid 6325.00 by the resident pooled fund
FUND = pooled_fund("430422", "resident")
RETURNED_ON = "2020-07-01T00:00:00+08:00"


def order(recovery_id: str, amount: str, **changes: Any) -> dict[str, Any]:
    """An order against PERSON without named claims, unless `lines` is given."""
    values: dict[str, Any] = {
        "recovery_id": recovery_id,
        "amount": amount,
        "lines": [],
        "no_claims_reason": "medicines resold; the prescriptions were not kept",
    }
    return documented("MisuseRecoveryOrdered", **(values | changes))


def returned(recovery_id: str, amount: str) -> dict[str, Any]:
    return documented("MisuseRecovered", RETURNED_ON, recovery_id=recovery_id, amount=amount)


def test_a_persons_misuse_is_ordered_back_returned_in_part_and_reported(
    settings: Settings, ledger: Ledger
) -> None:
    create_topics(settings)
    a_person_with_a_paid_claim(settings, ledger)
    send(
        settings,
        "clawbacks",
        [
            documented("MisuseRecoveryOrdered"),  # 2000.00 of the claim
            returned("GR-2020-003", "1500.00"),
            returned("GR-2020-003", "500.01"),  # exceeds_ordered: 500.00 remain
            order("GR-2", "4325.01"),  # exceeds_paid: 6325.00 paid, 2000.00 ordered already
            order("GR-3", "100.00", lines=[{"claim_id": CLAIM, "amount": "90.00"}],
                  no_claims_reason=None),  # out_of_range: lines sum to 90.00
            order("GR-4", "4325.00"),
            returned("GR-404", "1.00"),  # held: no such order yet
        ],
    )  # fmt: skip
    send(
        settings,
        "sanctions",
        [
            documented(
                "SanctionImposed",
                sanction_id="FK-41",
                target_kind="person",
                target_id=PERSON,
                legal_basis="article_41",
                violation="drug_reselling",
                base_amount="2000.00",
                multiple="2",
            )
        ],
    )
    outcome = ingest(settings, ledger)
    assert (outcome.accepted, outcome.rejected) == (4, 3)  # and one held
    assert sorted(r.reason for r in rejected(ledger)) == [
        "exceeds_ordered",
        "exceeds_paid",
        "out_of_range",
    ]
    assert [h.awaits for h in held_messages(ledger)] == ["recovery:GR-404"]

    project(ledger)
    the_person_owes_what_was_not_returned(ledger)
    the_fund_report_counts_the_return_as_a_recovery(ledger)
    the_persons_history_shows_the_orders_and_the_return(ledger)
    assert check(ledger).ok


def a_person_with_a_paid_claim(settings: Settings, ledger: Ledger) -> None:
    send(
        settings,
        "reference",
        [documented("PolicyPublished"), designated(occurred_at="2019-01-01T00:00:00+08:00")],
    )
    send(settings, "enrollment", [documented("PersonEnrolled", primary_institution=None)])
    assert ingest(settings, ledger).accepted == 3
    send(
        settings,
        "claims",
        [
            documented(
                "ClaimSettled",
                "2019-05-03T10:20:00+08:00",
                reported_fund_share=None,
                doctor_id=None,
            )
        ],
    )
    assert ingest(settings, ledger).accepted == 1


def the_person_owes_what_was_not_returned(ledger: Ledger) -> None:
    # The orders are about May 2019 (their valid time), the return was made in July 2020.
    before_return = lookup(ledger, queries.penalties, PERSON, point("2019-12-31"))
    assert before_return.misuse_due == Decimal("6325.00")
    after_return = lookup(ledger, queries.penalties, PERSON, point("2020-12-31"))
    assert after_return.misuse_due == Decimal("4825.00")
    # The fine is due to the treasury, apart from the loss returned to the fund.
    assert (after_return.fines_due, after_return.fines_paid) == (Decimal("4000.00"), Decimal(0))
    unknown_then = lookup(ledger, queries.penalties, PERSON, point("2020-12-31", "2019-01-01"))
    assert unknown_then.misuse_due == Decimal(0)
    owed = lookup(ledger, queries.balance, misuse_due(PERSON), point("2020-12-31"))
    assert owed == Decimal("-4825.00")


def the_fund_report_counts_the_return_as_a_recovery(ledger: Ledger) -> None:
    report = lookup(ledger, queries.fund_statement, "430422", 2020, point("2020-12-31"))
    resident = report["resident"]
    assert resident["recoveries"] == Decimal("1500.00")
    assert resident["closing_balance"] - resident["opening_balance"] == Decimal("1500.00")
    assert lookup(ledger, queries.balance, FUND, point("2020-12-31")) == Decimal("-4825.00")


def the_persons_history_shows_the_orders_and_the_return(ledger: Ledger) -> None:
    entries = history_with_related(ledger, f"person:{PERSON}")
    misuse = [(e.entity, e.event_type) for e in entries if e.event_type.startswith("Misuse")]
    assert misuse == [
        ("recovery:GR-2020-003", "MisuseRecovery.Ordered"),
        ("recovery:GR-2020-003", "MisuseRecovery.Recovered"),
        ("recovery:GR-4", "MisuseRecovery.Ordered"),
    ]
    order = [e.event_type for e in history(ledger, "recovery:GR-2020-003")]
    assert order == ["MisuseRecovery.Ordered", "MisuseRecovery.Recovered"]
    noted = [e.event_type for e in entries if e.event_type.endswith("MisuseNoted")]
    assert noted == ["Claim.MisuseNoted", "PersonAccount.MisuseNoted", "PersonAccount.MisuseNoted"]
