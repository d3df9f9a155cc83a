"""`diff` names the events behind every figure that changed between two known times, and their
shares add up exactly to each figure's difference (real PostgreSQL, events from the real log)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from uuid import UUID

import pytest

from domain.identity import institution_aggregate_id, sanction_aggregate_id
from domain.postings import Posting
from infra.settings import Settings
from infra.store import Ledger
from projections import diff
from projections.asof import parse_instant
from projections.check import check
from scripts.cli import main
from tests.integration.test_penalty_status import DOCTOR, doctor_history
from tests.integration.test_projections import (
    FUND,
    H,
    history_2019,
    project,
    reverse_first_settlement,
    settle,
)
from tests.projection_events import Institution, Sanction, d, open_test_ledger, record, utc

AS_OF = "2019-12-31"
BEFORE = "2020-01-01"  # before the clawback, the fine, the payment and the lifting were recorded
AFTER = "2020-03-01"


def later_history(ledger: Ledger) -> None:
    """2019's history (a clawback and a fine recorded on 2020-01-14), then, recorded in
    February 2020: a 2019 claim reversed, part of the fine paid, a raised 2019 budget and a
    suspension lifted; and one fact recorded after AFTER, which no diff up to AFTER may name."""
    history_2019(ledger)
    record(ledger, Sanction, Sanction.Imposed, "2019-07-01", utc(2019, 7, 1),
           aggregate_id=sanction_aggregate_id("S-5"), sanction_id="S-5",
           kind="settlement_suspension", target_kind="institution", target_id=H,
           case_id="C-5", legal_basis="article_38", fine_amount=None,
           effective_from=d("2019-07-01"), effective_to=d("2020-06-30"),
           decision_document="JD-2019-05")  # fmt: skip
    reverse_first_settlement(ledger, "2019-03-12", utc(2020, 2, 3))
    record(ledger, Sanction, Sanction.FinePaid, "2019-12-30", utc(2020, 2, 5),
           (Posting(f"external:institution:{H}", Decimal("-600.00")),
            Posting("treasury:430422:fines", Decimal("600.00"))),
           aggregate_id=sanction_aggregate_id("F-1"), amount=Decimal("600.00"))  # fmt: skip
    record(ledger, Institution, Institution.BudgetAllocated, "2019-01-01", utc(2020, 2, 7),
           aggregate_id=institution_aggregate_id(H), year=2019,
           amount=Decimal("12500.00"))  # fmt: skip
    record(ledger, Sanction, Sanction.Lifted, "2019-12-16", utc(2020, 2, 10),
           aggregate_id=sanction_aggregate_id("S-5"), effective_to=d("2019-12-15"),
           reason="rectified", decision_document="JD-2020-02")  # fmt: skip
    settle(ledger, "2019-12-01", "700.00", "400.00", utc(2020, 4, 1))


@pytest.fixture
def ledger(database_url: str) -> Iterator[Ledger]:
    with open_test_ledger(database_url) as ledger:
        later_history(ledger)
        project(ledger)
        yield ledger


def computed(ledger: Ledger, kind: str, subject: str, *known: str) -> diff.Diff:
    times = (parse_instant(known[0]), parse_instant(known[1]))
    return diff.explained(ledger, kind, subject, parse_instant(AS_OF), times)


def shares(result: diff.Diff) -> dict[str, list[tuple[str, Decimal]]]:
    return {f.figure: [(c.event.event_type, c.amount) for c in f.causes] for f in result.figures}


def assert_adds_up(result: diff.Diff) -> None:
    for f in result.figures:
        assert sum((c.amount for c in f.causes), Decimal(0)) == f.after - f.before, f.figure
        assert f.unexplained == 0


def test_every_changed_hospital_figure_is_the_sum_of_the_events_recorded_in_between(
    ledger: Ledger,
) -> None:
    result = computed(ledger, "hospital", H, BEFORE, AFTER)
    assert_adds_up(result)
    assert shares(result) == {
        "settled_cost": [("Claim.Reversed", Decimal("-5000.00"))],
        "fund_share": [("Claim.Reversed", Decimal("-3000.00"))],
        "visits": [("Claim.Reversed", Decimal(-1))],
        "recovered": [("Clawback.Ordered", Decimal("800.00"))],
        # Imposed, then partly paid: the hospital's fines count what was imposed.
        "fines": [("Sanction.Imposed", Decimal("1600.00"))],
        "budget": [("Institution.BudgetAllocated", Decimal("2500.00"))],
        "budget_used": [("Claim.Reversed", Decimal("-3000.00"))],
    }
    [recovered] = [f for f in result.figures if f.figure == "recovered"]
    assert (recovered.before, recovered.after) == (Decimal("0.00"), Decimal("800.00"))
    event = recovered.causes[0].event
    assert event.known_at == utc(2020, 1, 14)
    assert event.position > 0
    assert isinstance(event.message_id, UUID)


def test_penalties_show_fines_paid_and_the_suspension_that_ended(ledger: Ledger) -> None:
    result = computed(ledger, "penalties", H, AFTER, BEFORE)  # either order
    assert_adds_up(result)
    assert shares(result) == {
        "fines_due": [
            ("Sanction.Imposed", Decimal("1600.00")),
            ("Sanction.FinePaid", Decimal("-600.00")),
        ],
        "fines_paid": [("Sanction.FinePaid", Decimal("600.00"))],
    }
    [measure] = result.measures
    assert (measure.change, measure.sanction.case_id) == ("ended", "C-5")
    assert [(e.event_type, e.document) for e in measure.events] == [
        ("Sanction.Lifted", "JD-2020-02")
    ]


def test_an_appeal_takes_a_doctors_points_and_the_suspension_they_triggered(
    database_url: str,
) -> None:
    with open_test_ledger(database_url) as doctors:
        doctor_history(doctors)  # 6 + 3 points, suspended; the 3 revoked on 2019-06-15
        project(doctors)
        times = (parse_instant("2019-06-20"), parse_instant("2019-05-10"))
        result = diff.explained(doctors, "penalties", DOCTOR, parse_instant("2019-06-20"), times)
    assert_adds_up(result)
    assert shares(result) == {"doctor_points": [("Sanction.AppealDecided", Decimal(-3))]}
    [measure] = result.measures
    assert (measure.change, measure.sanction.kind) == ("ended", "doctor_suspension")
    assert [e.event_type for e in measure.events] == ["Doctor.RestrictionCut"]


def test_balances_and_an_unchanged_figure(ledger: Ledger) -> None:
    fund = computed(ledger, "balance", FUND, BEFORE, AFTER)
    assert_adds_up(fund)
    assert shares(fund) == {
        "balance": [
            ("Clawback.Recovered", Decimal("800.00")),
            ("Claim.Reversed", Decimal("3000.00")),
        ]
    }
    # Nothing recorded between March and April 2019 is about 2019's balance of the fund.
    assert computed(ledger, "balance", FUND, "2019-03-20", "2019-04-20").unchanged


def test_a_fact_recorded_after_the_later_time_is_not_named(ledger: Ledger) -> None:
    result = computed(ledger, "hospital", H, BEFORE, "2020-05-01")
    assert_adds_up(result)
    # One visit reversed, one settled in April: the count is back where it was, not listed.
    assert "visits" not in shares(result)
    assert shares(result)["settled_cost"] == [
        ("Claim.Reversed", Decimal("-5000.00")), ("Claim.Settled", Decimal("700.00"))
    ]  # fmt: skip
    assert check(ledger).ok


def test_the_same_time_twice_is_refused() -> None:
    moment = datetime.fromisoformat("2020-01-01T00:00:00+08:00")
    with pytest.raises(diff.SameTimeError, match="2020-01-01T00:00"):
        diff.ordered(moment, moment)


@pytest.fixture
def cli_env(settings: Settings, monkeypatch: pytest.MonkeyPatch, database_url: str) -> None:
    monkeypatch.setenv("LEDGER_DATABASE_URL", database_url)
    assert settings.kafka_bootstrap_servers is not None
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", settings.kafka_bootstrap_servers)
    monkeypatch.setenv("LEDGER_TOPIC_PREFIX", settings.topic_prefix)
    with open_test_ledger(database_url) as ledger:
        later_history(ledger)
        project(ledger)


@pytest.mark.usefixtures("cli_env")
def test_the_command_prints_each_figure_with_its_events(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["diff", "hospital", H, "--known-at", AFTER, "--known-at", BEFORE, "--as-of", AS_OF]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "recovered  0.00 → 800.00  (+800.00)" in out
    assert "Clawback.Ordered" in out
    assert "Sanction.Imposed" in out
    assert main([*argv, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    recovered = next(f for f in doc["figures"] if f["figure"] == "recovered")
    assert recovered["difference"] == "800.00"
    assert [e["event"] for e in recovered["events"]] == ["Clawback.Ordered"]
    assert doc["known_at"][0].startswith("2020-01-01T23:59:59")
    penalties = ["diff", "penalties", H, "--known-at", BEFORE, "--known-at", AFTER, "--json"]
    assert main([*penalties, "--as-of", AS_OF]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["target"] == H
    [measure] = doc["measures"]
    assert (measure["change"], measure["case_id"], measure["effective_to"]) == (
        "ended", "C-5", "2020-06-30",
    )  # fmt: skip
    assert [e["document"] for e in measure["events"]] == ["JD-2020-02"]


@pytest.mark.usefixtures("cli_env")
def test_the_command_refuses_one_known_time_and_says_no_difference(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["diff", "balance", FUND, "--known-at", BEFORE]) == 2
    assert "--known-at twice" in capsys.readouterr().err
    assert main(["diff", "balance", FUND, "--known-at", BEFORE, "--known-at", BEFORE]) == 2
    assert "2020-01-01" in capsys.readouterr().err
    argv = ["diff", "balance", FUND, "--as-of", AS_OF]
    assert main([*argv, "--known-at", "2019-03-20", "--known-at", "2019-04-20"]) == 0
    assert "no difference" in capsys.readouterr().out
    # Zeros for a typo would read as "nothing changed": an unknown subject exits 3, named.
    assert main(["diff", "hospital", "H-NOPE", "--known-at", BEFORE, "--known-at", AFTER]) == 3
    assert "H-NOPE" in capsys.readouterr().err
