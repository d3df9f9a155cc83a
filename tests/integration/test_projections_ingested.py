"""Acceptance through the real broker and worker: what the ledger said, and says, about 2019."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from psycopg.rows import tuple_row

from consumers.ingest import IngestStats, run_worker
from domain.postings import pooled_fund
from infra.queries import rejected
from infra.settings import Settings
from infra.store import Ledger
from projections import queries
from projections.asof import Bitemporal, parse_instant
from projections.check import check
from projections.runner import catch_up, open_projections
from tests.integration.helpers import create_topics, send
from tests.messages import HOSPITAL, designated, message

PERSON = "430422-R-00000001"
FUND = pooled_fund("430422", "resident")


def local(day: str) -> str:
    return f"{day}T00:00:00+08:00"


def policy() -> dict[str, Any]:
    levels = ("community", "1", "2", "3", "none")
    return message(
        "PolicyPublished",
        {
            "scheme": "resident",
            "deductible": dict(zip(levels, ("100", "100", "300", "500", "0"), strict=True)),
            "ratio": dict(zip(levels, ("0.65", "0.65", "0.60", "0.55", "0.55"), strict=True)),
            "outpatient_ratio": "0.50",
            "later_admission_reduction": "0.20",
            "special_status_ratio": "0.80",
            "registered_poor_bonus": "0.10",
            "annual_cap": "300000.00",
            "resident_contribution": "250.00",
            "deposit_rate": "0.10",
        },
        occurred_at=local("2019-01-01"),
    )


def sanction(kind: str, day: str, **payload: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "sanction_id": f"{kind}-1",
        "kind": kind,
        "target_kind": "institution",
        "target_id": HOSPITAL,
        "case_id": "HN-JC-2019-031",
        "decision_document": "HN-YB-JC-2019-31",
        "decision_date": day,
        "effective_from": day,
        "effective_to": None,
        "legal_basis": "article_38",
        "violation": "phantom_bed",
        "base_amount": None,
        "multiple": None,
        "fine_amount": None,
        "points": None,
        "suspension_months": None,
        "referred_to": None,
    }
    return message("SanctionImposed", base | payload, occurred_at=local(day))


def worker_on(settings: Settings, ledger: Ledger, day: str) -> IngestStats:
    """Ingest what was sent, with the worker's clock on `day` (its recorded_at)."""
    assert settings.kafka_bootstrap_servers is not None
    when = datetime.fromisoformat(f"{day}T10:00:00+08:00").astimezone(UTC)
    return run_worker(
        settings,
        settings.kafka_bootstrap_servers,
        ledger,
        threading.Event(),
        lambda: when,
        until_idle=1.0,
    )


def ingest_on(settings: Settings, ledger: Ledger, day: str) -> None:
    """Ingest what was sent on `day`; every message is accepted (or held)."""
    stats = worker_on(settings, ledger, day)
    assert stats.rejected == 0, [(r.reason, r.detail) for r in rejected(ledger)]


def history_through_kafka(settings: Settings, ledger: Ledger) -> None:
    create_topics(settings)
    budget = message(
        "BudgetAllocated",
        {"institution": HOSPITAL, "year": 2019, "amount": "100000.00"},
        occurred_at=local("2019-01-01"),
    )
    send(settings, "reference", [policy(), designated(occurred_at=local("2019-01-01"))])
    ingest_on(settings, ledger, "2019-01-02")
    # Kafka orders within a partition only: the budget follows the designation it cites.
    send(settings, "reference", [budget])
    person = {"person_id": PERSON, "scheme": "resident", "category": "adult",
              "employer_id": None, "primary_institution": None}  # fmt: skip
    send(
        settings, "enrollment", [message("PersonEnrolled", person, occurred_at=local("2019-01-15"))]
    )
    ingest_on(settings, ledger, "2019-01-15")
    claim = {"claim_id": "JS-1", "person_id": PERSON, "institution": HOSPITAL, "doctor_id": None,
             "claim_type": "inpatient", "total_cost": "13500.00", "in_policy_cost": "12000.00",
             "personal_account_amount": "0", "reported_fund_share": None}  # fmt: skip
    send(
        settings,
        "claims",
        [message("ClaimSettled", claim, occurred_at="2019-05-03T10:20:00+08:00")],
    )
    suspension = sanction("settlement_suspension", "2019-06-20", effective_from="2019-07-01",
                          effective_to="2019-12-31")  # fmt: skip
    send(settings, "sanctions", [suspension])
    ingest_on(settings, ledger, "2019-06-20")
    appeal = {"sanction_id": "settlement_suspension-1", "target_id": HOSPITAL, "appeal_id": "SS-1"}
    send(settings, "sanctions", [message("AppealFiled", appeal, occurred_at=local("2019-06-25"))])
    ingest_on(settings, ledger, "2019-06-25")
    decided = {"sanction_id": "settlement_suspension-1", "target_id": HOSPITAL,
               "outcome": "revoked", "decision_document": "HN-YB-FY-2019-5",
               "decision_date": "2019-09-15", "multiple": None, "fine_amount": None,
               "effective_to": None, "points": None}  # fmt: skip
    send(
        settings, "sanctions", [message("AppealDecided", decided, occurred_at=local("2019-09-15"))]
    )
    ingest_on(settings, ledger, "2019-09-16")
    # Decided and recorded on 2020-01-14, about the May 2019 claim.
    ordered = {"clawback_id": "ZH-1", "institution": HOSPITAL, "case_id": "HN-JC-2019-031",
               "decision_document": "HN-YB-JC-2020-1", "decision_date": "2020-01-14",
               "violation": "phantom_bed", "detection_source": "flight_inspection",
               "lines": [{"claim_id": "JS-1", "amount": "2000.00"}]}  # fmt: skip
    recovered = {"clawback_id": "ZH-1", "institution": HOSPITAL, "amount": "2000.00"}
    send(settings, "clawbacks", [
        message("ClawbackOrdered", ordered, occurred_at=local("2019-05-03")),
        message("ClawbackRecovered", recovered, occurred_at=local("2019-12-31")),
    ])  # fmt: skip
    fine = sanction("fine", "2020-01-14", base_amount="2000.00", multiple="1")
    fine["occurred_at"] = local("2019-05-03")  # the violation's period, decided in January
    send(settings, "sanctions", [fine])
    ingest_on(settings, ledger, "2020-01-14")
    catch_up(ledger, open_projections(ledger))


def at(ledger: Ledger, query: Any, *args: Any) -> Any:
    with ledger.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
        return query(curs, *args)


def point(as_of: str, known_at: str | None = None) -> Bitemporal:
    known = parse_instant(known_at) if known_at else datetime.now(UTC)
    return Bitemporal(parse_instant(as_of), known)


@pytest.mark.usefixtures("settings")
def test_a_clawback_recorded_in_january_changes_2019_only_as_known_after_it(
    settings: Settings, ledger: Ledger
) -> None:
    history_through_kafka(settings, ledger)
    then = at(ledger, queries.hospitals, [HOSPITAL], point("2019-12-31", "2020-01-01"))[0]
    now = at(ledger, queries.hospitals, [HOSPITAL], point("2019-12-31"))[0]
    # Level 3: (12000 - 500) x 0.55 = 6325.00.
    assert then.totals["fund_share"] == now.totals["fund_share"] == Decimal("6325.00")
    assert then.totals["settled_cost"] == Decimal("13500.00")
    assert then.totals["visits"] == 1
    assert (then.totals["recovered"], now.totals["recovered"]) == (0, Decimal("2000.00"))
    assert (then.totals["fines"], now.totals["fines"]) == (0, Decimal("2000.00"))
    assert at(ledger, queries.balance, FUND, point("2019-12-31", "2020-01-01")) == Decimal(
        "-6325.00"
    )
    assert at(ledger, queries.balance, FUND, point("2019-12-31")) == Decimal("-4325.00")
    penalties_then = at(ledger, queries.penalties, HOSPITAL, point("2019-12-31", "2020-01-01"))
    penalties_now = at(ledger, queries.penalties, HOSPITAL, point("2019-12-31"))
    assert (penalties_then.fines_due, penalties_now.fines_due) == (0, Decimal("2000.00"))
    # The suspension: active inside its window, ended by the revoked appeal from 2019-09-15 on,
    # while what was known before the appeal keeps it.
    assert at(ledger, queries.penalties, HOSPITAL, point("2019-08-01")).suspended
    assert not at(ledger, queries.penalties, HOSPITAL, point("2019-09-15")).suspended
    assert at(ledger, queries.penalties, HOSPITAL, point("2019-10-01", "2019-09-01")).suspended
    assert not at(ledger, queries.penalties, HOSPITAL, point("2020-01-02", "2019-09-01")).suspended
    report = check(ledger)
    assert report.ok, report.samples
    assert report.events > 8
