"""The CLI as a user runs it, in subprocesses, against real services."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from infra.settings import Settings
from tests.messages import designated, encode, enrolled

CLI = [sys.executable, "-m", "scripts.cli"]
ROOT = Path(__file__).resolve().parents[2]


def run(
    env: dict[str, str], *args: str, stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [*CLI, *args], env=env, cwd=ROOT, input=stdin, capture_output=True, timeout=180, check=False
    )


def run_json(env: dict[str, str], *args: str) -> Any:
    done = run(env, *args, "--json")
    assert done.returncode == 0, done.stderr.decode()
    return json.loads(done.stdout)


@pytest.fixture
def cli_env(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LEDGER_", "KAFKA_"))}
    env.update(
        {
            "LEDGER_DATABASE_URL": str(settings.database_url),
            "KAFKA_BOOTSTRAP_SERVERS": str(settings.kafka_bootstrap_servers),
            "LEDGER_TOPIC_PREFIX": settings.topic_prefix,
            "LEDGER_CONSUMER_GROUP": settings.consumer_group,
            "LEDGER_HOME": str(settings.home),
            "LEDGER_MAX_POLL_INTERVAL_MS": "3000",
        }
    )
    return env


def test_publish_ingest_history_and_rejected(cli_env: dict[str, str], tmp_path: Path) -> None:
    sample = tmp_path / "sample.jsonl"
    person = enrolled("CLI-1", primary_institution="H43042200011")
    sample.write_bytes(encode(designated()) + b"\n" + encode(person) + b"\n")
    published = run_json(cli_env, "publish", str(sample))
    assert published["published"] == 2
    hostile = tmp_path / "hostile.jsonl"
    hostile.write_bytes(b"{oops\n" + encode({**enrolled("CLI-2"), "type": "Nope"}) + b"\n")
    assert run_json(cli_env, "publish", str(hostile), "--topic", "enrollment")["published"] == 2
    stats = run_json(cli_env, "ingest", "--until-idle", "1.5")
    assert (stats["accepted"], stats["rejected"]) == (2, 2)
    [entry] = run_json(cli_env, "history", "CLI-1")
    assert entry["type"] == "Person.Enrolled"
    assert entry["message_id"] == person["message_id"]
    assert entry["kafka"]["topic"] == cli_env["LEDGER_TOPIC_PREFIX"] + "enrollment"
    assert {"occurred_at", "recorded_at", "recorded_by"} <= entry.keys()
    rejected = run_json(cli_env, "rejected")
    assert sorted(r["reason"] for r in rejected) == ["malformed_json", "unknown_type"]
    assert any(r["value_text"] == "{oops" for r in rejected)
    human = run(cli_env, "history", "H43042200011")
    assert b"Institution.Designated" in human.stdout


def test_an_unroutable_file_is_refused_before_anything_is_sent(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    sample = tmp_path / "bad.jsonl"
    sample.write_bytes(encode(enrolled("CLI-3")) + b"\nnot json\n")
    done = run(cli_env, "publish", str(sample))
    assert done.returncode == 2
    assert b"line 2" in done.stderr
    assert b"nothing was sent" in done.stderr
    stats = run_json(cli_env, "ingest", "--until-idle", "1.0")
    assert stats["consumed"] == 0


def test_the_demo_runs_on_embedded_services_and_down_stops_them(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LEDGER_", "KAFKA_"))}
    env["LEDGER_HOME"] = str(tmp_path / ".ledger")
    try:
        up = run_json(env, "up")
        assert up["embedded_database"] is True
        assert up["embedded_broker"] is True
        assert "embedded, not running" not in json.dumps(run_json(env, "status"))
        demo = run_json(env, "demo", "--scale", "tiny")
        assert demo["outcomes"]["surprises"] == []
        assert demo["outcomes"]["surprise_count"] == 0
        assert demo["outcomes"]["decisions_as_planned"]["paid"] > 100
        assert demo["outcomes"]["decisions_as_planned"]["refused"] > 0
        assert demo["feed"]["published"] == sum(demo["outcomes"]["as_planned"].values())
        assert demo["postings_total"] == "0.00"
        assert demo["accepted_by_type"]["ClaimSettled"] > 100
        again = run_json(env, "demo", "--scale", "tiny")  # the store holds it: nothing re-sent
        assert again["feed"] is None
        assert again["accepted_by_type"] == demo["accepted_by_type"]
    finally:
        stopped = run_json(env, "down")["stopped"]
    assert len(stopped) == 2
    assert run_json(env, "status")["kafka"] == "embedded, not running"
