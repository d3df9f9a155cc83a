"""A decision over two institutions, in two parts arriving last part first, through the real
broker, worker and database: nothing is owed until the last part is in, then each institution
owes its share, the recovery that came early is applied, and a wrong line is refused alone."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from psycopg.rows import tuple_row

from domain.postings import pooled_fund
from infra.held_reads import held_messages
from infra.queries import history, rejected
from infra.settings import Settings
from infra.store import Ledger
from projections import queries
from projections.asof import Bitemporal, parse_instant
from projections.check import check
from projections.runner import catch_up, open_projections
from tests.integration.helpers import create_topics, send
from tests.integration.test_projections_ingested import local, policy, worker_on
from tests.messages import HOSPITAL, designated, message

CENTRE = "H43042200012"  # a township centre, inspected with the county hospital
PERSON = "430422-R-00000001"
FUND = pooled_fund("430422", "resident")
LINE = ("institution", "claim_id", "amount")


def claim(claim_id: str, institution: str) -> dict[str, Any]:
    payload = {"claim_id": claim_id, "person_id": PERSON, "institution": institution,
               "doctor_id": None, "claim_type": "inpatient", "total_cost": "12000.00",
               "in_policy_cost": "12000.00", "personal_account_amount": "0",
               "reported_fund_share": None}  # fmt: skip
    return message("ClaimSettled", payload, occurred_at="2019-05-03T10:20:00+08:00")


def part(order: str, k: int, n: int, *lines: tuple[str, str, str]) -> dict[str, Any]:
    payload = {"clawback_id": order, "part": k, "parts": n, "case_id": "HN-LHJC-2020-012",
               "decision_document": "HN-YB-JC-2020-12", "decision_date": "2020-04-15",
               "violation": "phantom_bed", "detection_source": "onsite_inspection",
               "lines": [dict(zip(LINE, values, strict=True)) for values in lines]}  # fmt: skip
    return message("ClawbackOrdered", payload, schema_version=2, occurred_at=local("2019-05-03"))


def recovery(order: str, institution: str, amount: str) -> dict[str, Any]:
    payload = {"clawback_id": order, "institution": institution, "amount": amount}
    return message("ClawbackRecovered", payload, occurred_at=local("2020-05-20"))


def at(ledger: Ledger, query: Any, *args: Any) -> Any:
    with ledger.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
        return query(curs, *args)


def now() -> Bitemporal:
    return Bitemporal(parse_instant("2020-12-31"), datetime.now(UTC))


@pytest.mark.usefixtures("settings")
def test_a_decision_over_two_institutions_takes_effect_when_its_last_part_is_in(
    settings: Settings, ledger: Ledger
) -> None:
    create_topics(settings)
    hospitals = [designated(occurred_at=local("2019-01-01")),
                 designated(CENTRE, occurred_at=local("2019-01-01"))]  # fmt: skip
    send(settings, "reference", [policy(), *hospitals])
    assert worker_on(settings, ledger, "2019-01-02").rejected == 0
    person = {"person_id": PERSON, "scheme": "resident", "category": "adult",
              "employer_id": None, "primary_institution": None}  # fmt: skip
    send(
        settings, "enrollment", [message("PersonEnrolled", person, occurred_at=local("2019-01-15"))]
    )
    assert worker_on(settings, ledger, "2019-01-15").rejected == 0
    send(settings, "claims", [claim("JS-1", HOSPITAL), claim("JS-2", CENTRE)])
    assert worker_on(settings, ledger, "2019-05-04").rejected == 0

    # The last part first, then a recovery before the decision is complete, a part sent again
    # (a new message id, the same content), and another decision with a line of the wrong
    # institution.
    second = part("LH-1", 2, 2, (CENTRE, "JS-2", "860.00"))
    again = part("LH-1", 2, 2, (CENTRE, "JS-2", "860.00"))
    wrong = part("LH-BAD", 1, 1, (HOSPITAL, "JS-1", "10.00"), (HOSPITAL, "JS-2", "10.00"))
    send(settings, "clawbacks", [second, recovery("LH-1", CENTRE, "500.00"), again, wrong])
    stats = worker_on(settings, ledger, "2020-04-16")
    assert stats.rejected == 1, [(r.reason, r.detail) for r in rejected(ledger)]
    [refused] = rejected(ledger)
    assert refused.reason == "claim_not_at_institution", refused.detail
    assert refused.detail.startswith(
        f"part 1, line 2: claim JS-2 was settled at {CENTRE}, not {HOSPITAL}"
    )
    assert [h.awaits for h in held_messages(ledger)] == ["clawback:LH-1"]
    kinds = [e.event_type for e in history(ledger, "clawback:LH-1")]
    assert kinds == ["ClawbackParts.Started", "ClawbackParts.PartReceived"]
    assert history(ledger, f"clawback:LH-1/{CENTRE}") == []  # nothing owed yet

    send(settings, "clawbacks", [part("LH-1", 1, 2, (HOSPITAL, "JS-1", "1200.00"))])
    assert worker_on(settings, ledger, "2020-04-17").rejected == 0
    assert held_messages(ledger) == []
    decision = [e for e in history(ledger, "clawback:LH-1") if e.event_type.endswith("Ordered")]
    [ordered] = decision
    assert ordered.data["total"] == Decimal("2060.00")
    assert ordered.data["shares"] == {HOSPITAL: Decimal("1200.00"), CENTRE: Decimal("860.00")}
    centre = [e.event_type for e in history(ledger, f"clawback:LH-1/{CENTRE}")]
    assert centre == ["Clawback.Ordered", "Clawback.Recovered"]

    catch_up(ledger, open_projections(ledger))
    hospital, township = at(ledger, queries.hospitals, [HOSPITAL, CENTRE], now())
    assert hospital.totals["recovered"] == Decimal("1200.00")
    assert township.totals["recovered"] == Decimal("860.00")
    # Level 3: (12000 - 500) x 0.55 = 6325.00, then the person's second admission of the year
    # (deductible 500 x 0.8): (12000 - 400) x 0.55 = 6380.00; of the 12705.00, 500.00 came back.
    assert hospital.totals["fund_share"] + township.totals["fund_share"] == Decimal("12705.00")
    assert at(ledger, queries.balance, FUND, now()) == Decimal("-12205.00")
    report = check(ledger)
    assert report.ok, report.samples
