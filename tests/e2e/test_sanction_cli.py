"""`claims-ledger sanction`: valid input reaches the sanctions topic, invalid input nothing."""

from __future__ import annotations

import json
from pathlib import Path

from infra.settings import Settings
from tests.e2e.test_cli import cli_env, run, run_json  # noqa: F401 - cli_env is a fixture
from tests.integration.helpers import create_topics, read_topic

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


def test_invalid_sanctions_exit_2_and_send_nothing_then_a_valid_one_is_on_the_topic(
    cli_env: dict[str, str],  # noqa: F811
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
        done = run(cli_env, *FINE, *extra)
        assert done.returncode == 2, done.stderr.decode()
        assert f"nothing sent: {reason}" in done.stderr.decode()
    sent = run_json(cli_env, *FINE, "--multiple", "2")
    assert sent["topic"] == topics.inbound("sanctions")
    [record] = read_topic(settings, topics.inbound("sanctions"), expected=1, timeout_s=5)
    document = json.loads(record.value)
    assert record.key == b"H43042200011"
    assert document["message_id"] == sent["message_id"]
    assert document["payload"]["multiple"] == "2"
    assert document["payload"]["legal_basis"] == "article_38"
    # The ledger decides what needs its state: this hospital was never designated.
    stats = run_json(cli_env, "ingest", "--until-idle", "1.5")
    assert (stats["accepted"], stats["rejected"]) == (0, 1)
    [rejection] = run_json(cli_env, "rejected")
    assert rejection["reason"] == "unknown_target"
    assert rejection["message_id"] == sent["message_id"]
