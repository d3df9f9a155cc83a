"""`claims-ledger sanction`: valid input reaches the sanctions topic, invalid input nothing."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from infra.settings import Settings
from tests.e2e.test_cli import CLI, ROOT, cli_env, run, run_json  # noqa: F401 - a fixture
from tests.integration.helpers import create_topics, read_topic
from tests.messages import designated, encode

FINE = [
    "sanction",
    "--kind", "fine",
    "--target", "H43042200011",
    "--case-id", "HN-JC-2020-007",
    "--decision-document", "衡南医保罚〔2020〕7号",  # noqa: RUF001 - the real bracket
    "--decision-date", "2020-04-15",
    "--legal-basis", "38",
    "--base", "15000.00",
]  # fmt: skip

# A hold limit of none: the sanction on a target not known yet is a dead letter at once, as it
# becomes past the limit; these tests are about the verdicts the CLI shows (held: test_held.py).
NO_HOLD = {"LEDGER_HOLD_MAX_MESSAGES": "0"}


INTERVIEW = [
    "sanction",
    "--kind", "interview",
    "--target", "H43042200011",
    "--case-id", "HN-JC-2020-007",
    "--decision-document", "衡南医保约〔2020〕3号",  # noqa: RUF001 - the real bracket
    "--decision-date", "2020-04-16",
    "--legal-basis", "agreement",
]  # fmt: skip


@pytest.fixture
def inspector_env(cli_env: dict[str, str]) -> dict[str, str]:  # noqa: F811
    """The CLI's environment with the recorder's identity set, as an inspector's would be."""
    return {**cli_env, "LEDGER_RECORDED_BY": "inspector:zhang"}


def test_invalid_sanctions_exit_2_and_send_nothing_then_a_valid_one_is_on_the_topic(
    inspector_env: dict[str, str],
    settings: Settings,
    tmp_path: Path,
) -> None:
    topics = create_topics(settings)
    for extra, reason in (
        (["--multiple", "3"], "out_of_range"),
        (["--multiple", "2", "--base", "1e3"], "invalid_amount"),
        (["--multiple", "2", "--effective-from", "2020-05-01", "--effective-to", "2020-04-01"],
         "dates_out_of_order"),
        (["--multiple", "2", "--target-kind", "doctor"], "schema_invalid"),
    ):  # fmt: skip
        done = run(inspector_env, *FINE, *extra)
        assert done.returncode == 2, done.stderr.decode()
        assert f"nothing sent: {reason}" in done.stderr.decode()
    sent = run_json(inspector_env, *FINE, "--multiple", "2")
    assert sent["topic"] == topics.inbound("sanctions")
    [record] = read_topic(settings, topics.inbound("sanctions"), expected=1, timeout_s=5)
    document = json.loads(record.value)
    # Keyed by its pooling region: a region's records of every topic share a partition number.
    assert record.key == document["region"].encode() == b"430422"
    assert document["message_id"] == sent["message_id"]
    assert document["payload"]["multiple"] == "2"
    assert document["payload"]["legal_basis"] == "article_38"
    assert document["recorded_by"] == "inspector:zhang"
    # The ledger decides what needs its state: this hospital was never designated.
    stats = run_json(NO_HOLD | inspector_env, "ingest", "--until-idle", "1.5")
    assert (stats["accepted"], stats["rejected"]) == (0, 1)
    [rejection] = run_json(inspector_env, "rejected")
    assert rejection["reason"] == "unknown_target"
    assert rejection["message_id"] == sent["message_id"]


def waiting(env: dict[str, str], *args: str) -> subprocess.Popen[bytes]:
    """A `--wait` command started in the background, for a worker to decide meanwhile."""
    return subprocess.Popen(
        [*CLI, *args, "--wait", "--wait-timeout", "60"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def test_the_same_sanction_twice_is_one_sanction_listed_with_its_id_and_other_terms_are_refused(
    inspector_env: dict[str, str], settings: Settings, tmp_path: Path
) -> None:
    topics = create_topics(settings)
    reference = tmp_path / "reference.jsonl"
    reference.write_bytes(encode(designated()) + b"\n")
    run_json(inspector_env, "publish", str(reference))
    first = run_json(inspector_env, *FINE, "--multiple", "2")
    again = run_json(inspector_env, *FINE, "--multiple", "2")
    assert (again["message_id"], again["sanction_id"]) == (
        first["message_id"],
        first["sanction_id"],
    )
    assert first["sanction_id"].startswith("SAN-")
    stats = run_json(NO_HOLD | inspector_env, "ingest", "--until-idle", "1.5")
    assert (stats["accepted"], stats["duplicates"], stats["rejected"]) == (2, 1, 0)
    # Once recorded, the same command sends nothing; other terms for its key are refused.
    third = run_json(inspector_env, *FINE, "--multiple", "2")
    assert third["verdict"] == "already recorded (nothing sent)"
    conflict = run(inspector_env, *FINE, "--multiple", "1.5")
    assert conflict.returncode == 2
    assert "--multiple 2 recorded, 1.5 given" in conflict.stderr.decode()
    assert len(read_topic(settings, topics.inbound("sanctions"), expected=2, timeout_s=5)) == 2
    # A payment, and an interview waited for while a worker runs (started once it is sent).
    paid = ["sanction-fine-paid", "--target", "H43042200011", "--sanction-id",
            first["sanction_id"], "--receipt-no", "GK-2020-0518",
            "--date", "2020-05-10"]  # fmt: skip
    run_json(inspector_env, *paid, "--amount", "100.00")
    interview = waiting(inspector_env, *INTERVIEW)
    read_topic(settings, topics.inbound("sanctions"), expected=4, timeout_s=30)
    run_json(NO_HOLD | inspector_env, "ingest", "--until-idle", "1.5")
    out, err = interview.communicate(timeout=90)
    assert interview.returncode == 0, err.decode()
    assert "recorded" in out.decode()
    listed = run_json(inspector_env, "sanctions", "H43042200011")
    assert [(s["sanction_id"], s["kind"], s["fine"], s["state"]) for s in listed] == [
        (first["sanction_id"], "fine", "30000.00", "due 29900.00"),
        (listed[1]["sanction_id"], "interview", None, "recorded"),
    ]
    table = run(inspector_env, "sanctions", "H43042200011").stdout.decode()
    assert first["sanction_id"] in table
    assert "interview" in table
    recorded = run_json(inspector_env, "history", f"sanction:{first['sanction_id']}")
    assert [e["type"] for e in recorded] == ["Sanction.Imposed", "Sanction.FinePaid"]
    # A follow-up's key (here the receipt) is checked the same way.
    assert run_json(inspector_env, *paid, "--amount", "100.00")["verdict"].startswith("already")
    other = run(inspector_env, *paid, "--amount", "200.00")
    assert other.returncode == 2
    assert "is recorded with other content" in other.stderr.decode()


def test_wait_prints_the_ledgers_verdict_and_input_errors_name_the_flags(
    inspector_env: dict[str, str], settings: Settings
) -> None:
    topics = create_topics(settings)
    undecided = run(inspector_env, *FINE, "--multiple", "2", "--wait", "--wait-timeout", "1")
    assert undecided.returncode == 4
    assert "did not decide within 1 s (is a worker running?" in undecided.stderr.decode()
    rejected = waiting(inspector_env, *FINE, "--multiple", "2")
    read_topic(settings, topics.inbound("sanctions"), expected=2, timeout_s=30)
    run_json(NO_HOLD | inspector_env, "ingest", "--until-idle", "1.5")
    _, err = rejected.communicate(timeout=90)
    assert rejected.returncode == 1, err.decode()
    assert "rejected by the ledger: unknown_target" in err.decode()
    for extra, says in (
        (["--multiple", "2", "--decision-date", "2999-01-01"], "--decision-date 2999-01-01 is in"
         " the future"),
        (["--multiple", "2", "--base", "1e3"], "--base: invalid_amount"),
        (["--multiple", "2", "--fine-amount", "10000"], "states --base and --multiple only"),
    ):  # fmt: skip
        done = run(inspector_env, *FINE, *extra)
        assert done.returncode == 2
        assert says in done.stderr.decode()
        assert "base_amount" not in done.stderr.decode()
    anonymous = {k: v for k, v in inspector_env.items() if k != "LEDGER_RECORDED_BY"}
    done = run(anonymous, *FINE, "--multiple", "2", "--dry-run")
    assert done.returncode == 2
    assert "set LEDGER_RECORDED_BY" in done.stderr.decode()
