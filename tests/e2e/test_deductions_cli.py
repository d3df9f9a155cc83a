"""A deduction not tied to claims as a user sees it: published, ingested, projected, and shown
in `report hospitals` (recovered), `report fund` (recoveries) and the institution's history."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.e2e.test_cli import cli_env, run, run_json
from tests.examples import documented
from tests.messages import HOSPITAL, designated, encode, message

__all__ = ["cli_env"]  # the fixture, used by name


def disbursement(month: str, paid_on: str) -> dict[str, Any]:
    payload = {"institution": HOSPITAL, "period": month, "scheme": "resident",
               "amount": "100000.00"}  # fmt: skip
    return message("DisbursementMade", payload, occurred_at=f"{paid_on}T00:00:00+08:00")


def test_a_deduction_shows_as_recovered_and_among_the_funds_recoveries(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    sample = tmp_path / "quarter.jsonl"
    documents = [
        documented("PolicyPublished"),
        designated(occurred_at="2019-01-01T00:00:00+08:00"),
        disbursement("2020-01", "2020-02-10"),
        disbursement("2020-02", "2020-03-10"),
        disbursement("2020-03", "2020-04-10"),
        documented("DeductionImposed"),
    ]
    sample.write_bytes(b"".join(encode(d) + b"\n" for d in documents))
    assert run_json(cli_env, "publish", str(sample))["published"] == len(documents)
    stats = run_json(cli_env, "ingest", "--until-idle", "1.5")
    assert (stats["accepted"], stats["rejected"]) == (len(documents), 0)
    assert run(cli_env, "project", "--until-idle", "1").returncode == 0

    [row] = run_json(cli_env, "report", "hospitals", "--as-of", "2020-03-31")
    assert (row["institution"], row["recovered"]) == (HOSPITAL, "186420.50")
    [before] = run_json(cli_env, "report", "hospitals", "--as-of", "2020-03-30")
    assert before["recovered"] == "0.00"
    fund = run_json(cli_env, "report", "fund", "--region", "430422", "--year", "2020")
    resident = next(r for r in fund if r["scheme"] == "resident")
    assert resident["recoveries"] == "186420.50", fund
    history = run(cli_env, "history", HOSPITAL)
    assert b"Institution.DeductionImposed" in history.stdout, history.stdout
