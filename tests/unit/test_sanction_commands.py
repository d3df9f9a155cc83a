"""`claims-ledger sanction ...` checks input before anything is sent (here: --dry-run)."""

from __future__ import annotations

import json

import pytest

from scripts.cli import main

FINE = [
    "sanction", "--kind", "fine", "--target", "H43042200011", "--case-id", "HN-JC-2020-007",
    "--decision-document", "HN-F-2020-7", "--decision-date", "2020-04-15",
    "--recorded-by", "inspector:test", "--dry-run",
]  # fmt: skip


def dry_run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_fine_within_its_article_is_spelled_as_the_contract_wants(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = dry_run(
        capsys, *FINE, "--legal-basis", "38", "--multiple", "2", "--base", "15000"
    )
    document = json.loads(out)
    assert code == 0
    assert document["type"] == "SanctionImposed"
    assert document["region"] == "430422"  # read from the institution code
    payload = document["payload"]
    assert (payload["legal_basis"], payload["multiple"], payload["base_amount"]) == (
        "article_38",
        "2",
        "15000",
    )
    assert payload["target_kind"] == "institution"
    assert payload["effective_from"] == "2020-04-15"


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        (["--legal-basis", "40", "--multiple", "6", "--base", "100.00"], "out_of_range"),
        (["--legal-basis", "39", "--fine-amount", "9999.99"], "out_of_range"),
        (["--legal-basis", "38", "--multiple", "2", "--base", "-5"], "invalid_amount"),
        (["--legal-basis", "38", "--multiple", "2", "--base", "1,000"], "invalid_amount"),
        (["--legal-basis", "41", "--multiple", "2", "--base", "10.00"], "schema_invalid"),
        (["--legal-basis", "38", "--multiple", "2"], "schema_invalid"),
        (["--legal-basis", "article_99"], "--legal-basis must be one of"),
        (["--legal-basis", "38", "--multiple", "2", "--base", "1", "--effective-to", "2020-01-01"],
         "dates_out_of_order"),
    ],
)  # fmt: skip
def test_invalid_input_exits_2_with_its_reason_and_prints_no_message(
    capsys: pytest.CaptureFixture[str], extra: list[str], reason: str
) -> None:
    code, out, err = dry_run(capsys, *FINE, *extra)
    assert code == 2
    assert out == ""
    assert f"nothing sent: {reason}" in err


def test_doctor_points_infer_the_target_kind_but_need_a_region(
    capsys: pytest.CaptureFixture[str],
) -> None:
    points = [
        "sanction", "--kind", "doctor_points", "--target", "D4304220007", "--case-id", "C1",
        "--decision-document", "D1", "--decision-date", "2020-03-02",
        "--legal-basis", "doctor_points", "--points", "5", "--suspension-months", "2",
        "--recorded-by", "inspector:test", "--dry-run",
    ]  # fmt: skip
    code, _, err = dry_run(capsys, *points)
    assert code == 2
    assert "--region is needed" in err
    code, out, _ = dry_run(capsys, *points, "--region", "430422")
    assert code == 0
    assert json.loads(out)["payload"]["target_kind"] == "doctor"


def test_a_fine_payment_and_an_appeal_decision_are_checked_the_same_way(
    capsys: pytest.CaptureFixture[str],
) -> None:
    paid = ["sanction-fine-paid", "--target", "H43042200011", "--sanction-id", "CF-1",
            "--receipt-no", "GK-1", "--date", "2020-05-10", "--recorded-by", "treasury:430422",
            "--dry-run"]  # fmt: skip
    assert dry_run(capsys, *paid, "--amount", "11050.00")[0] == 0
    code, _, err = dry_run(capsys, *paid, "--amount", "1e3")
    assert (code, "invalid_amount" in err) == (2, True)
    decided = ["sanction-appeal-decided", "--target", "H43042200011", "--sanction-id", "CF-1",
               "--outcome", "reduced", "--decision-document", "F-2",
               "--recorded-by", "fund:appeals", "--dry-run"]  # fmt: skip
    code, out, _ = dry_run(capsys, *decided, "--decision-date", "2020-05-30", "--multiple", "2")
    assert code == 0
    assert json.loads(out)["payload"]["multiple"] == "2"


def test_days_after_today_and_bad_amounts_are_refused_naming_the_flags(
    capsys: pytest.CaptureFixture[str],
) -> None:
    lift = ["sanction-lift", "--target", "H43042200011", "--sanction-id", "SAN-1",
            "--reason", "rectified", "--recorded-by", "fund:audit", "--dry-run"]  # fmt: skip
    code, out, err = dry_run(capsys, *lift, "--date", "2999-01-01")
    assert (code, out) == (2, "")
    assert "--date 2999-01-01 is in the future" in err
    paid = ["sanction-fine-paid", "--target", "H43042200011", "--sanction-id", "SAN-1",
            "--receipt-no", "GK-1", "--date", "2020-05-10", "--recorded-by", "treasury:430422",
            "--dry-run"]  # fmt: skip
    code, _, err = dry_run(capsys, *paid, "--amount", "1e3")
    assert code == 2
    assert "--amount: invalid_amount" in err


def test_a_re_run_states_the_same_message_and_sanction_ids(
    capsys: pytest.CaptureFixture[str],
) -> None:
    line = [*FINE, "--legal-basis", "38", "--multiple", "2", "--base", "15000"]
    first, again = (json.loads(dry_run(capsys, *line)[1]) for _ in range(2))
    assert first == again
    assert first["payload"]["sanction_id"].startswith("SAN-")
    assert first["occurred_at"] == "2020-04-15T00:00:00+08:00"
    other_kind = json.loads(
        dry_run(capsys, *[*line[:2], "settlement_suspension", *line[3:-6]],
                "--legal-basis", "38", "--effective-to", "2020-10-14")[1]
    )  # fmt: skip
    assert other_kind["payload"]["sanction_id"] != first["payload"]["sanction_id"]
    assert other_kind["message_id"] != first["message_id"]
