"""What an office sees of a person's misuse at the terminal: the penalty status with the money
still owed, the statement of the person's debt with each order and return, the order's history."""

from __future__ import annotations

import re
from pathlib import Path

from tests.e2e.test_cli import cli_env, run, run_json
from tests.e2e.test_cli_errors import publish
from tests.e2e.test_cli_output import lines_of
from tests.examples import documented
from tests.messages import designated

__all__ = ["cli_env"]

PERSON = "430422-R-00038174"
OWED = f"person:{PERSON}:misuse_due"


def test_a_persons_misuse_shows_in_penalties_statement_and_history(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    publish(
        cli_env,
        tmp_path,
        documented("PolicyPublished"),
        designated(occurred_at="2019-01-01T00:00:00+08:00"),
        documented("PersonEnrolled", primary_institution=None),
    )
    claim = documented("ClaimSettled", "2019-05-03T10:20:00+08:00", reported_fund_share=None)
    publish(cli_env, tmp_path, claim | {"payload": claim["payload"] | {"doctor_id": None}})
    publish(
        cli_env,
        tmp_path,
        documented("MisuseRecoveryOrdered"),
        documented("MisuseRecovered", "2020-07-01T00:00:00+08:00"),
    )
    assert run(cli_env, "project", "--until-idle", "1").returncode == 0

    status = run_json(cli_env, "penalties", PERSON, "--as-of", "2020-12-31")
    assert status["misuse_due"] == "500.00"
    shown = run(cli_env, "penalties", PERSON, "--as-of", "2020-12-31")
    assert shown.stderr == b""
    assert re.search(r"^misuse_due\s+500\.00$", shown.stdout.decode(), re.MULTILINE), shown.stdout

    statement = run_json(cli_env, "statement", OWED)
    assert isinstance(statement, dict)
    moves = [(p["event"], p["amount"]) for p in statement["postings"]]
    assert moves == [
        ("MisuseRecovery.Ordered", "-2000.00"),
        ("MisuseRecovery.Recovered", "1500.00"),
    ]

    history = lines_of(run(cli_env, "history", "recovery:GR-2020-003").stdout)
    assert sum("MisuseRecovery." in line for line in history) == 2, history
