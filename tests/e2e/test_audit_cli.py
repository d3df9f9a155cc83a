"""The auditor's commands as an auditor runs them: digest, verify, verify --from-digest, and the
relay, reporting consumer and dead-letter replay behind the same CLI."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg

from tests.e2e.test_cli import cli_env, run, run_json
from tests.messages import HOSPITAL, designated, encode, enrolled

__all__ = ["cli_env"]  # the fixture, shared with the other CLI tests


def test_an_auditor_keeps_a_digest_and_catches_a_later_edit(
    cli_env: dict[str, str], tmp_path: Path, database_url: str
) -> None:
    sample = tmp_path / "sample.jsonl"
    lines = [designated(), *(enrolled(f"A-{i}", primary_institution=HOSPITAL) for i in range(5))]
    sample.write_bytes(b"".join(encode(m) + b"\n" for m in lines))
    run_json(cli_env, "publish", str(sample))
    assert run_json(cli_env, "ingest", "--until-idle", "1.5")["accepted"] == 6
    kept = run_json(cli_env, "digest")["digest"]
    assert run_json(cli_env, "verify", "--from-digest", kept)["ok"] is True

    relayed = run_json(cli_env, "relay", "--until-idle", "0.5")
    assert relayed["published"] == 6
    report = run_json(cli_env, "report-consumer", "--until-idle", "1")
    assert (report["events"], report["duplicates_dropped"]) == (6, 0)

    with psycopg.connect(database_url, autocommit=True) as admin:
        admin.execute("ALTER TABLE ledger_events DISABLE TRIGGER USER")
        edited = admin.execute(
            "UPDATE ledger_events SET originator_version = 2 WHERE notification_id ="
            " (SELECT min(notification_id) + 2 FROM ledger_events) RETURNING notification_id"
        ).fetchone()
    failed = run(cli_env, "verify", "--from-digest", kept, "--json")
    assert failed.returncode == 1
    verdict = json.loads(failed.stdout)
    assert edited is not None
    assert (verdict["ok"], verdict["first_bad_position"], verdict["checked"]) == (
        False,
        edited[0],
        2,
    )
    assert "edited" in verdict["problem"]

    garbled = run(cli_env, "verify", "--from-digest", "12:not-hex")
    assert garbled.returncode == 2
    assert b"not a digest" in garbled.stderr


def test_rejected_still_lists_and_replay_resends_once_the_cause_is_fixed(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    # A hold limit of none: a reference not known yet is a dead letter at once, as one held
    # past the limit becomes (the hold itself: tests/integration/test_held.py).
    cli_env = {**cli_env, "LEDGER_HOLD_MAX_MESSAGES": "0"}
    early = tmp_path / "early.jsonl"
    early.write_bytes(encode(enrolled("R-1", primary_institution=HOSPITAL)) + b"\n")
    run_json(cli_env, "publish", str(early))
    run_json(cli_env, "ingest", "--until-idle", "1.5")
    listed = run_json(cli_env, "rejected", "--reason", "unknown_reference")
    assert [r["reason"] for r in listed] == ["unknown_reference"]
    reference = tmp_path / "reference.jsonl"
    reference.write_bytes(encode(designated()) + b"\n")
    run_json(cli_env, "publish", str(reference))
    run_json(cli_env, "ingest", "--until-idle", "1.5")
    replayed = run_json(cli_env, "rejected", "replay", "--reason", "unknown_reference")
    assert [r["rejected_id"] for r in replayed] == [listed[0]["id"]]
    assert run_json(cli_env, "ingest", "--until-idle", "1.5")["accepted"] == 1
    assert run_json(cli_env, "rejected", "replay") == []
