"""Commands started at the same moment, as operators and schedulers start them: setup happens
once under its lock, read-only commands run no DDL, and none of them fails."""

from __future__ import annotations

import logging
import os
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

import psycopg

from tests.e2e.test_cli import CLI, ROOT, cli_env, run, run_json
from tests.messages import HOSPITAL, designated, encode, enrolled

__all__ = ["cli_env"]  # the fixture, shared with the other CLI tests
LOG = logging.getLogger(__name__)

FUND = "fund:430422:resident:pooled"
READ_ONLY: list[tuple[str, ...]] = [
    ("digest",),
    ("verify",),
    ("rejected",),
    ("history", HOSPITAL),
    ("balance", FUND),
    ("hospital", HOSPITAL),
    ("penalties", HOSPITAL),
    ("report", "hospitals"),
]
# The mix of the acceptance test of issue 11, started together round after round.
MIX: list[tuple[str, ...]] = [
    ("digest",),
    ("verify",),
    ("rejected",),
    ("history", HOSPITAL),
    ("balance", FUND),
    ("relay", "--until-idle", "1"),
    ("ingest", "--until-idle", "1"),
]
ROUNDS = 10

# Any DDL or GRANT in the database fails while this event trigger is in place.
REFUSE_DDL = """
CREATE FUNCTION test_refuse_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'test: % refused, read paths run no DDL', tg_tag;
END $$;
CREATE EVENT TRIGGER test_refuse_ddl ON ddl_command_start EXECUTE FUNCTION test_refuse_ddl();
"""


def together(env: dict[str, str], commands: Sequence[tuple[str, ...]]) -> list[tuple[int, str]]:
    """Start the commands at the same moment; (exit code, stderr) of each, in order."""
    processes = [
        subprocess.Popen(
            [*CLI, *command, "--json"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for command in commands
    ]
    out = []
    for process in processes:
        _, stderr = process.communicate(timeout=180)
        out.append((process.returncode, stderr.decode()))
    return out


def failures(commands: Sequence[tuple[str, ...]], results: list[tuple[int, str]]) -> dict[str, str]:
    return {
        " ".join(command): stderr[-2000:]
        for command, (code, stderr) in zip(commands, results, strict=True)
        if code != 0 and not not_known_yet(code, stderr)
    }


def not_known_yet(code: int, stderr: str) -> bool:
    """A query about what the store does not hold yet (exit 3) answered; it did not fail."""
    return code == 3 and ": the ledger knows no " in stderr


def public_tables(database_url: str) -> list[str]:
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
        ).fetchall()
    return [r[0] for r in rows]


def test_read_only_commands_on_a_store_never_set_up_say_so_in_one_line_and_create_nothing(
    cli_env: dict[str, str], database_url: str
) -> None:
    for command, (code, stderr) in zip(READ_ONLY, together(cli_env, READ_ONLY), strict=True):
        assert code != 0, command
        [line] = stderr.strip().splitlines()
        assert line.startswith(f"claims-ledger {command[0]}: the store is not set up"), line
        assert "claims-ledger up" in line
    assert public_tables(database_url) == []


def test_a_read_only_command_without_embedded_services_says_so_and_starts_nothing(
    tmp_path: Path,
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LEDGER_", "KAFKA_"))}
    env["LEDGER_HOME"] = str(tmp_path / ".ledger")
    done = run(env, "digest")
    assert done.returncode != 0
    [line] = done.stderr.decode().strip().splitlines()
    assert "not set up" in line
    assert "claims-ledger up" in line
    assert not (tmp_path / ".ledger" / "pg").exists()


def test_read_only_commands_run_no_ddl_and_read_as_the_reader_role(
    cli_env: dict[str, str], database_url: str
) -> None:
    run_json(cli_env, "up")
    with psycopg.connect(database_url, autocommit=True) as admin:
        admin.execute(REFUSE_DDL.encode())
        assert failures(READ_ONLY, together(cli_env, READ_ONLY)) == {}
        admin.execute("DROP EVENT TRIGGER test_refuse_ddl")
        # The test's login is a superuser: only the reader role is refused what it was not granted.
        admin.execute("REVOKE SELECT ON ledger_chain FROM claims_ledger_reader")
    refused = run(cli_env, "digest")
    assert refused.returncode != 0
    assert b"permission denied for table ledger_chain" in refused.stderr


def test_long_running_commands_started_together_on_a_fresh_store_set_it_up_once(
    cli_env: dict[str, str], database_url: str
) -> None:
    starts = [
        ("up",),
        ("up",),
        ("ingest", "--until-idle", "1"),
        ("relay", "--until-idle", "1"),
        ("project", "--until-idle", "1"),
    ]
    assert failures(starts, together(cli_env, starts)) == {}
    assert {"ledger_events", "ledger_chain", "projection_balances_tracking"} <= set(
        public_tables(database_url)
    )


def test_commands_started_together_on_a_fresh_embedded_home_share_one_server_and_broker(
    tmp_path: Path,
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LEDGER_", "KAFKA_"))}
    env |= {"LEDGER_HOME": str(tmp_path / ".ledger"), "LEDGER_MAX_POLL_INTERVAL_MS": "3000"}
    starts = [("up",), ("ingest", "--until-idle", "1"), ("relay", "--until-idle", "1")]
    try:
        assert failures(starts, together(env, starts)) == {}
        assert failures(MIX, together(env, MIX)) == {}
    finally:
        stopped = run_json(env, "down")["stopped"]
    assert len(stopped) == 2  # the broker and the server that all of them used


def test_any_mix_of_commands_started_together_ten_times_over_fails_none(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    sample = tmp_path / "sample.jsonl"
    lines = [designated(), *(enrolled(f"P-{i}", primary_institution=HOSPITAL) for i in range(3))]
    sample.write_bytes(b"".join(encode(m) + b"\n" for m in lines))
    run_json(cli_env, "up")
    run_json(cli_env, "publish", str(sample))
    seconds = []
    for round_ in range(ROUNDS):
        started = time.monotonic()
        results = together(cli_env, MIX)
        seconds.append(time.monotonic() - started)
        assert failures(MIX, results) == {}, f"round {round_ + 1} of {ROUNDS}"
    # Shown with `pytest --log-cli-level=INFO`: how long a round of parallel starts takes here.
    LOG.info(
        "%d rounds of %d commands, seconds: %s", ROUNDS, len(MIX), [round(s, 1) for s in seconds]
    )
    assert run_json(cli_env, "verify")["checked"] == len(lines)
