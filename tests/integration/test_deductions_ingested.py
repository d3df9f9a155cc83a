"""Deductions not tied to claims through the real broker, worker and database: the indicator
deduction of docs/events.md is recorded against the receivable, counted in the hospital's
`recovered` and the fund's recoveries as of its period and as known from its recording, and the
deductions above what was paid, misspelt or for an institution not designated are kept apart."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from domain.postings import institution_receivable, pooled_fund
from infra.held_reads import held_messages
from infra.queries import history, rejected
from infra.settings import Settings
from infra.store import Ledger
from projections import queries
from projections.check import check
from projections.runner import catch_up, open_projections
from tests.examples import documented
from tests.integration.helpers import create_topics, ingest, send
from tests.integration.test_projections_ingested import at, ingest_on, local, point
from tests.messages import HOSPITAL, designated, message

FUND = pooled_fund("430422", "resident")
DEDUCTED = Decimal("186420.50")  # the documented example's amount
ELSEWHERE = "H43042299999"


def disbursement(month: str, paid_on: str) -> dict[str, Any]:
    payload = {"institution": HOSPITAL, "period": month, "scheme": "resident",
               "amount": "100000.00"}  # fmt: skip
    return message("DisbursementMade", payload, occurred_at=local(paid_on))


def deduction(**changes: Any) -> dict[str, Any]:
    return documented("DeductionImposed", **changes)


def a_quarter_paid_then_deducted(settings: Settings, ledger: Ledger) -> None:
    create_topics(settings)
    send(
        settings,
        "reference",
        [documented("PolicyPublished"), designated(occurred_at=local("2019-01-01"))],
    )
    ingest_on(settings, ledger, "2020-01-02")
    months = [("2020-01", "2020-02-10"), ("2020-02", "2020-03-10"), ("2020-03", "2020-04-10")]
    send(settings, "payments", [disbursement(month, paid_on) for month, paid_on in months])
    ingest_on(settings, ledger, "2020-04-10")
    send(
        settings, "clawbacks", [deduction(), deduction(deduction_id="ZB-2", institution=ELSEWHERE)]
    )
    ingest_on(settings, ledger, "2020-04-15")  # the second is held for its institution
    send(
        settings,
        "clawbacks",
        [
            # 300 000.00 paid for Q1, 186 420.50 deducted: a cent more than what is left.
            deduction(deduction_id="ZB-3", amount="113579.51"),
            deduction(deduction_id="ZB-4", period="2020-Q5"),
        ],
    )
    assert (ingest(settings, ledger).accepted, len(rejected(ledger))) == (0, 2)
    catch_up(ledger, open_projections(ledger))


def test_an_indicator_deduction_is_recovered_in_its_quarter_as_known_from_its_recording(
    settings: Settings, ledger: Ledger
) -> None:
    a_quarter_paid_then_deducted(settings, ledger)

    def recovered(as_of: str, known_at: str | None = None) -> Decimal:
        [position] = at(ledger, queries.hospitals, [HOSPITAL], point(as_of, known_at))
        return Decimal(position.totals["recovered"])

    assert recovered("2020-03-31") == DEDUCTED
    assert recovered("2020-03-30") == 0  # before the period's booking day
    assert recovered("2020-03-31", "2020-04-14") == 0  # before it was recorded
    # The receivable: three disbursements drew 300 000.00, the deduction 186 420.50 more.
    receivable = institution_receivable(HOSPITAL)
    assert at(ledger, queries.balance, receivable, point("2020-04-30")) == Decimal("-486420.50")
    assert at(ledger, queries.balance, FUND, point("2020-04-30")) == DEDUCTED
    resident = at(ledger, queries.fund_statement, "430422", 2020, point("2020-12-31"))["resident"]
    assert resident["recoveries"] == DEDUCTED
    assert resident["closing_balance"] == resident["opening_balance"] + DEDUCTED
    before = at(ledger, queries.fund_statement, "430422", 2020, point("2020-12-31", "2020-04-14"))
    assert before["resident"]["recoveries"] == 0
    report = check(ledger)
    assert report.ok, report.samples


def test_the_deduction_is_in_the_institutions_history_and_the_bad_ones_are_kept_apart(
    settings: Settings, ledger: Ledger
) -> None:
    a_quarter_paid_then_deducted(settings, ledger)
    events = history(ledger, f"institution:{HOSPITAL}")
    assert [e.event_type for e in events][-1] == "Institution.DeductionImposed"
    imposed = events[-1].data
    assert (imposed["period"], imposed["amount"], imposed["paid_for_period"]) == (
        "2020-Q1",
        DEDUCTED,
        Decimal("300000.00"),
    )
    assert sorted((r.reason, r.detail) for r in rejected(ledger)) == [
        (
            "exceeds_paid",
            f"deduction of 113579.51 from {HOSPITAL} for resident 2020-Q1 exceeds what was paid "
            "for 2020-Q1 (300000.00 disbursed, 186420.50 deducted before)",
        ),
        (
            "schema_invalid",
            'payload: {"period": ["must be a month YYYY-MM, a quarter YYYY-Qn or a year YYYY, '
            '1900 to 2199"]}',
        ),
    ]
    assert [h.awaits for h in held_messages(ledger)] == [f"institution:{ELSEWHERE}"]
