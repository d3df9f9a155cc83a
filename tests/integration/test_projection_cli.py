"""The read-model commands print exactly the documented keys, as tables, JSON and CSV."""

from __future__ import annotations

import json

import psycopg
import pytest

from infra.settings import Settings
from projections.runner import catch_up, open_projections
from scripts.cli import main
from tests.integration.test_projections import FUND, H, history_2019, suspend_and_revoke
from tests.projection_events import open_test_ledger


@pytest.fixture
def projected(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    assert settings.database_url is not None
    assert settings.kafka_bootstrap_servers is not None
    monkeypatch.setenv("LEDGER_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", settings.kafka_bootstrap_servers)
    monkeypatch.setenv("LEDGER_TOPIC_PREFIX", settings.topic_prefix)
    with open_test_ledger(settings.database_url) as ledger:
        history_2019(ledger)
        suspend_and_revoke(ledger)
        catch_up(ledger, open_projections(ledger))


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> object:
    capsys.readouterr()
    assert main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.usefixtures("projected")
def test_hospital_json_has_exactly_the_documented_keys(capsys: pytest.CaptureFixture[str]) -> None:
    doc = run_json(capsys, "hospital", H, "--as-of", "2019-12-31", "--known-at", "2020-01-01")
    assert doc == {
        "institution": H,
        "as_of": "2019-12-31T23:59:59.999999+08:00",
        "known_at": "2020-01-01T23:59:59.999999+08:00",
        "settled_cost": "9000.00",
        "fund_share": "5500.00",
        "visits": 2,
        "refused": "0.00",
        "recovered": "0.00",
        "fines": "0.00",
        "disbursed": "0.00",
        "deposit_held": "0.00",
        "budget": "10000.00",
        "budget_used": "5500.00",
        "warning_level": "none",
    }


@pytest.mark.usefixtures("projected")
def test_balance_and_penalties_json(capsys: pytest.CaptureFixture[str]) -> None:
    doc = run_json(capsys, "balance", FUND, "--as-of", "2019-12-31")
    assert doc == {
        "account": FUND,
        "as_of": "2019-12-31T23:59:59.999999+08:00",
        "known_at": doc["known_at"],  # type: ignore[index]
        "balance": "-4700.00",
    }
    status = run_json(capsys, "penalties", H, "--as-of", "2019-08-01", "--known-at", "2019-09-01")
    assert isinstance(status, dict)
    assert list(status) == [
        "target", "as_of", "known_at", "suspended", "terminated", "active",
        "fines_due", "fines_paid", "doctor_points", "misuse_due", "measures",
    ]  # fmt: skip
    assert status["measures"] == []
    assert status["suspended"] is True
    assert status["active"] == [
        {
            "kind": "settlement_suspension",
            "case_id": "C-7",
            "effective_from": "2019-07-01",
            "effective_to": "2019-12-31",
            "legal_basis": "article_38",
        }
    ]


@pytest.mark.usefixtures("projected")
def test_reports_print_as_csv(capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["report", "hospitals", "--as-of", "2019-12-31", "--csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("institution,as_of,known_at,settled_cost")
    assert lines[1].startswith(f"{H},")
    fund = run_json(capsys, "report", "fund", "--region", "430422", "--year", "2019")
    assert isinstance(fund, list)
    resident = next(row for row in fund if row["scheme"] == "resident")
    assert resident["settlements"] == "5500.00"
    assert resident["recoveries"] == "800.00"


def test_a_datetime_without_offset_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["balance", FUND, "--as-of", "2019-12-31T10:00:00"])
    assert exit_.value.code == 2
    assert "no UTC offset" in capsys.readouterr().err


@pytest.mark.usefixtures("projected")
def test_check_passes_after_a_rebuild_and_fails_on_a_tampered_row(
    capsys: pytest.CaptureFixture[str], settings: Settings
) -> None:
    rebuilt = run_json(capsys, "rebuild", "balances")
    assert rebuilt["rebuilt"] == ["balances"]  # type: ignore[index]
    report = run_json(capsys, "check")
    assert report["ok"] is True  # type: ignore[index]
    assert report["postings_total"] == "0.00"  # type: ignore[index]
    assert settings.database_url is not None
    with psycopg.connect(settings.database_url) as conn:
        conn.execute("UPDATE hospital_totals_deltas SET amounts[1] = amounts[1] + 1")
    capsys.readouterr()
    assert main(["check"]) == 1
    assert "hospital_totals_deltas" in capsys.readouterr().out


def test_a_query_warns_when_a_read_model_is_behind_the_log_and_needs_no_broker(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert settings.database_url is not None
    monkeypatch.setenv("LEDGER_DATABASE_URL", settings.database_url)
    # Nothing listens there: reading the store must not need a broker (an auditor may have none).
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9")
    with open_test_ledger(settings.database_url) as ledger:
        history_2019(ledger)  # recorded, but no projection has run

    assert main(["balance", FUND, "--json"]) == 0
    behind = capsys.readouterr()
    assert json.loads(behind.out)["balance"] == "0.00"
    assert "read model balances is at position 0 of" in behind.err

    assert main(["project", "--until-idle", "0.5", "--json"]) == 0
    capsys.readouterr()
    assert main(["balance", FUND, "--json"]) == 0
    current = capsys.readouterr()
    assert json.loads(current.out)["balance"] != "0.00"
    assert "warning" not in current.err
    assert main(["verify", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["ok"] is True


@pytest.mark.usefixtures("projected")
def test_a_store_in_the_old_layout_is_told_to_rebuild_by_queries_and_check(
    capsys: pytest.CaptureFixture[str], settings: Settings
) -> None:
    assert settings.database_url is not None
    with psycopg.connect(settings.database_url) as conn:
        conn.execute("CREATE TABLE account_balances (key text)")  # left by the old layout
    capsys.readouterr()
    assert main(["balance", FUND, "--json"]) == 0
    assert "claims-ledger rebuild balances" in capsys.readouterr().err
    assert main(["check", "--json"]) == 1
    assert "balances" in json.loads(capsys.readouterr().out)["needs_rebuild"]
    assert main(["rebuild", "balances", "--json"]) == 0
    capsys.readouterr()
    assert main(["balance", FUND, "--json"]) == 0
    assert "warning" not in capsys.readouterr().err
