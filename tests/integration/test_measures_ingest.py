"""Measures and supervision figures through the real broker, worker and database: every measure
kind in the penalty status as of any date and as known at any time, and the supervision report
by decision date equal, to the cent, to what was recorded."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest

from domain.supervision import SupervisionReport
from infra.related import history_with_related
from infra.settings import Settings
from infra.store import Ledger
from projections import queries
from projections.check import check
from projections.supervision import supervision_report
from scripts.cli import display, main
from tests.examples import documented
from tests.integration.helpers import create_topics, ingest, send
from tests.integration.test_projections import lookup, point, project
from tests.messages import designated

H = "H43042200011"
CLAIM = "JS-H43042200011-2019-000123"
SERVICE_DAY = "2019-05-03T10:20:00+08:00"


def known(document: dict[str, Any], day: str) -> dict[str, Any]:
    """The message as a migrating source sends it: on record at the source on `day`."""
    return document | {"recorded_at": f"{day}T09:00:00+08:00"}


def measure(sanction_id: str, kind: str, day: str, **changes: Any) -> dict[str, Any]:
    """A measure decided and in effect on `day`, known that day."""
    payload: dict[str, Any] = {
        "sanction_id": sanction_id,
        "kind": kind,
        "case_id": f"HN-JC-{sanction_id}",
        "decision_document": f"HN-YB-2020-{sanction_id}",
        "decision_date": day,
        "effective_from": day,
        "legal_basis": "agreement",
        "base_amount": None,
        "multiple": None,
    }
    occurred = f"{day}T00:00:00+08:00"
    return known(documented("SanctionImposed", occurred, **(payload | changes)), day)


def test_measures_and_supervision_figures_through_kafka(
    settings: Settings,
    ledger: Ledger,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    create_topics(settings)
    a_hospital_with_two_paid_claims(settings, ledger)
    every_measure_kind_is_accepted(settings, ledger)
    refusals_clawbacks_and_a_refund_are_accepted(settings, ledger)
    project(ledger)
    the_penalty_status_shows_each_measure_as_of_and_as_known(ledger)
    the_history_shows_each_measure(ledger)
    the_supervision_report_is_the_sum_of_what_was_recorded(ledger)
    assert check(ledger).ok
    the_cli_prints_them(settings, monkeypatch, capsys)


def a_hospital_with_two_paid_claims(settings: Settings, ledger: Ledger) -> None:
    send(settings, "reference", [known(documented("PolicyPublished"), "2019-01-01")])
    send(settings, "reference", [designated(recorded_at="2019-01-01T09:00:00+08:00")])
    send(settings, "enrollment", [known(documented("PersonEnrolled"), "2019-01-15")])
    assert ingest(settings, ledger).accepted == 3
    claims = [
        known(documented("ClaimSettled", SERVICE_DAY, claim_id=claim, doctor_id=None), "2019-05-03")
        for claim in (CLAIM, "JS-2")
    ]
    send(settings, "claims", claims)
    assert ingest(settings, ledger).accepted == 2


def every_measure_kind_is_accepted(settings: Settings, ledger: Ledger) -> None:
    send(
        settings,
        "sanctions",
        [
            measure("YT-1", "interview", "2020-03-02"),
            measure("TB-1", "public_criticism", "2020-03-10"),
            measure("ZG-1", "rectification", "2020-03-10", effective_to="2020-05-31"),
            measure("ZH-1", "deferred_settlement", "2020-04-01", effective_to=None),
            measure("YS-1", "referral", "2020-04-15", referred_to="health_commission"),
            known(
                documented(
                    "SanctionLifted",
                    "2020-05-20T00:00:00+08:00",
                    sanction_id="ZG-1",
                    reason="整改验收合格",
                ),
                "2020-05-20",
            ),
            measure("ZG-2", "rectification", "2020-06-01", effective_to="2020-06-30"),
            # Refused: a deferral is an agreement measure, and a deferral of a person's is none.
            measure("ZH-2", "deferred_settlement", "2020-06-02", legal_basis="article_38"),
        ],
    )
    stats = ingest(settings, ledger)
    assert (stats.accepted, stats.rejected) == (7, 1)


def refusals_clawbacks_and_a_refund_are_accepted(settings: Settings, ledger: Ledger) -> None:
    line = [{"claim_id": "JS-2", "amount": "100.00"}]
    send(
        settings,
        "clawbacks",
        [
            known(
                documented(
                    "ClawbackOrdered",
                    clawback_id="ZH-2019-9",
                    lines=line,
                    decision_date="2019-12-20",
                ),
                "2020-06-02",
            ),
            recovered("ZH-2019-9", "100.00", "2020-06-02"),
            known(
                documented("ClaimRefused", "2020-06-03T00:00:00+08:00", claim_id="JS-2"),
                "2020-06-03",
            ),
            known(documented("ClawbackOrdered"), "2020-06-04"),
            recovered("ZH-2020-007", "3000.00", "2020-06-05"),
            known(
                documented(
                    "RefundVolunteered",
                    "2020-11-30T00:00:00+08:00",
                    refund_id="TH-2020-2",
                    lines=[{"claim_id": "JS-2", "amount": "120.00"}],
                ),
                "2020-11-30",
            ),
            recovered("ZH-2020-007", "1000.00", "2021-02-01"),  # paid the next year
        ],
    )
    stats = ingest(settings, ledger)
    assert (stats.accepted, stats.rejected) == (7, 0)


def recovered(clawback_id: str, amount: str, day: str) -> dict[str, Any]:
    occurred = f"{day}T00:00:00+08:00"
    message = documented("ClawbackRecovered", occurred, clawback_id=clawback_id, amount=amount)
    return known(message, day)


def states(ledger: Ledger, as_of: str, known_at: str | None = None) -> dict[str, str]:
    status = lookup(ledger, queries.penalties, H, point(as_of, known_at))
    assert not status.suspended
    return {m.case_id.removeprefix("HN-JC-"): m.state for m in status.measures}


def the_penalty_status_shows_each_measure_as_of_and_as_known(ledger: Ledger) -> None:
    may = lookup(ledger, queries.penalties, H, point("2020-05-01"))
    assert sorted(s.kind for s in may.active) == ["deferred_settlement", "rectification"]
    assert states(ledger, "2020-05-01") == {
        "YT-1": "taken",
        "TB-1": "taken",
        "ZG-1": "in_force",
        "ZH-1": "in_force",
        "YS-1": "taken",
    }
    [referral] = [m for m in may.measures if m.kind == "referral"]
    assert (referral.referred_to, referral.decision_document) == (
        "health_commission",
        "HN-YB-2020-YS-1",
    )
    june = states(ledger, "2020-06-15")
    assert (june["ZG-1"], june["ZG-2"]) == ("done", "in_force")
    july = lookup(ledger, queries.penalties, H, point("2020-07-01"))
    assert [s.kind for s in july.active] == ["deferred_settlement"]
    assert states(ledger, "2020-07-01")["ZG-2"] == "overdue"
    # Before the office recorded it done, the first rectification read as overdue.
    assert states(ledger, "2020-06-15", "2020-05-01T00:00:00+08:00") == {
        "YT-1": "taken",
        "TB-1": "taken",
        "ZG-1": "overdue",
        "ZH-1": "in_force",
        "YS-1": "taken",
    }
    assert states(ledger, "2020-03-05", "2020-03-05T00:00:00+08:00") == {"YT-1": "taken"}


def the_history_shows_each_measure(ledger: Ledger) -> None:
    entries = history_with_related(ledger, H)
    imposed = [e.data["kind"] for e in entries if e.event_type == "Sanction.Imposed"]
    assert sorted(imposed) == sorted(
        [
            "interview",
            "public_criticism",
            "rectification",
            "deferred_settlement",
            "referral",
            "rectification",
        ]
    )
    assert [e.event_type for e in entries].count("Sanction.Lifted") == 1


def figures(report: SupervisionReport, name: str) -> tuple[int, Decimal, Decimal, Decimal]:
    f = report.by_source.get(name) or report.by_violation[name]
    return f.cases, f.refused, f.ordered, f.recovered


def the_supervision_report_is_the_sum_of_what_was_recorded(ledger: Ledger) -> None:
    now = supervision_report(ledger, 2020, datetime.fromisoformat("2100-01-01T00:00:00+08:00"))
    total = now.total
    # Refused 800.00 (the documented ClaimRefused); ordered 5525.00 + refunded 120.00;
    # recovered 3000.00 + 1000.00 (in 2021, on a 2020 decision) + the refund's 120.00. The
    # 2019 decision's 100.00, recovered in 2020, is 2019's.
    assert (total.cases, total.refused, total.ordered, total.recovered) == (
        3,
        Decimal("800.00"),
        Decimal("5645.00"),
        Decimal("4120.00"),
    )
    assert total.found == Decimal("6445.00")
    zero = Decimal("0.00")
    assert figures(now, "flight_inspection") == (1, zero, Decimal("5525.00"), Decimal("4000.00"))
    assert figures(now, "smart_review") == (1, Decimal("800.00"), zero, zero)
    assert figures(now, "self_inspection") == (1, zero, Decimal("120.00"), Decimal("120.00"))
    assert figures(now, "over_standard_charging")[1] == Decimal("800.00")
    assert now.sanctions == {
        "interview": 1,
        "public_criticism": 1,
        "rectification": 2,
        "deferred_settlement": 1,
        "referral": 1,
    }
    published = supervision_report(ledger, 2020, datetime.fromisoformat("2021-01-15T00:00+08:00"))
    assert published.total.recovered == Decimal("3120.00")
    last_year = supervision_report(ledger, 2019, datetime.fromisoformat("2100-01-01T00:00+08:00"))
    assert (last_year.total.ordered, last_year.total.recovered) == (Decimal("100.00"),) * 2


def the_cli_prints_them(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert settings.database_url is not None
    monkeypatch.setenv("LEDGER_DATABASE_URL", settings.database_url)
    capsys.readouterr()
    assert main(["report", "supervision", "--year", "2020", "--csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    [total] = [r for r in rows if r["section"] == "total"]
    assert (total["label"], total["found"], total["recovered"]) == ("合计", "6445.00", "4120.00")
    [flight] = [r for r in rows if r["name"] == "flight_inspection"]
    assert (flight["label"], flight["ordered"]) == ("飞行检查", "5525.00")
    assert main(["report", "supervision", "--year", "2020"]) == 0
    printed = capsys.readouterr().out
    table = printed.split("\n\n", 1)[1].splitlines()
    # Chinese labels take two columns each: every line of the table is as wide as its header.
    assert len({display.width(line) for line in table}) == 1
    assert main(["penalties", H, "--as-of", "2020-05-01"]) == 0
    shown = capsys.readouterr().out
    assert "measures on record:" in shown
    assert "HN-YB-2020-ZG-1" in shown
    assert main(["report", "supervision", "--year", "2020", "--as-of", "2020-12-31"]) == 2
    assert "not --as-of" in capsys.readouterr().err
