"""A read model that cannot apply an event stops there, naming it; `check` fails while behind."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from infra.settings import Settings
from infra.store import Ledger
from projections.models import NAMES
from scripts.cli import main
from tests.integration.test_projections import H, history_2019, settle
from tests.projection_events import Institution, open_test_ledger, record, utc


@pytest.fixture
def database(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> str:
    assert settings.database_url is not None
    monkeypatch.setenv("LEDGER_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9")  # read paths need no broker
    return settings.database_url


def check_report(capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    capsys.readouterr()
    code = main(["check", "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_check_fails_while_a_read_model_is_behind_the_log(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with open_test_ledger(database) as ledger:
        history_2019(ledger)  # recorded, not projected
    code, report = check_report(capsys)
    assert (code, report["ok"], report["stuck"]) == (1, False, None)
    assert set(report["behind"]) == set(NAMES)
    assert main(["project", "--until-idle", "0.5"]) == 0
    code, report = check_report(capsys)
    assert (code, report["ok"], report["behind"]) == (0, True, {})


def nul_in_a_code(ledger: Ledger) -> None:
    record(ledger, Institution, Institution.Designated, "2019-02-01", utc(2019, 2, 1),
           code="H43042200099\x00", region="430422", kind="hospital")  # fmt: skip


def a_settlement_in_the_year_10000(ledger: Ledger) -> None:
    settle(ledger, "9999-12-31T23:00:00-12:00", "10.00", "5.00", utc(2019, 2, 1))


@pytest.mark.parametrize(
    ("store", "event", "cause"),
    [
        (nul_in_a_code, "Institution.Designated", "DataError"),
        (a_settlement_in_the_year_10000, "Claim.Settled", "OverflowError"),
    ],
    ids=["nul", "overflow"],
)
def test_an_event_a_read_model_cannot_hold_stops_projection_at_its_position(
    database: str,
    capsys: pytest.CaptureFixture[str],
    store: Callable[[Ledger], None],
    event: str,
    cause: str,
) -> None:
    # Stored past the contract (which refuses both since): what an older ledger may hold.
    with open_test_ledger(database) as ledger:
        history_2019(ledger)
        store(ledger)
        position = ledger.recorder.max_notification_id() or 0
    capsys.readouterr()
    assert main(["project", "--until-idle", "0.5"]) == 1
    error = capsys.readouterr().err
    assert f"log position {position} (" in error
    assert (event in error, cause in error) == (True, True), error
    assert main(["rebuild"]) == 1
    assert f"log position {position} (" in capsys.readouterr().err
    code, report = check_report(capsys)
    assert (code, report["ok"]) == (1, False)
    assert f"log position {position} (" in str(report["stuck"])
    # Those that cannot hold it stand just before it, the others at the head; all checked.
    positions: dict[str, int] = report["positions"]
    stuck = {name for name, at in positions.items() if at == position - 1}
    assert set(positions) == set(NAMES)
    assert stuck
    assert set(positions.values()) <= {position - 1, position}
    assert report["behind"] == dict.fromkeys(stuck, 1)
    assert report["differences"] == {
        t: {"only_live": 0, "only_rebuilt": 0} for t in report["differences"]
    }
    assert main(["hospital", H, "--as-of", "2019-12-31", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["visits"] == 2
