"""How the CLI fails, as a user meets it: one line on stderr, no traceback, the exit code of the
failure's class (docs/operations.md, "Exit codes"); and the crashes issue 14 found, gone."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_cli import CLI, ROOT, cli_env, run, run_json
from tests.examples import documented
from tests.messages import HOSPITAL, designated, encode

__all__ = ["cli_env"]  # the fixture, shared with the other CLI tests

USAGE, NOT_KNOWN, UNAVAILABLE, BROKEN_PIPE = 2, 3, 4, 141
CLAIM = "JS-H43042200011-2019-000123"
PERSON = "430422-R-00038174"
FUND = "fund:430422:resident:pooled"


def one_line_failure(done: subprocess.CompletedProcess[bytes], code: int) -> str:
    """The single stderr line of a command that failed with `code`."""
    err = done.stderr.decode()
    assert done.returncode == code, err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def no_services(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LEDGER_", "KAFKA_"))}
    env["LEDGER_HOME"] = str(tmp_path / ".ledger")
    return env


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def publish(env: dict[str, str], tmp_path: Path, *documents: dict[str, Any]) -> None:
    wave = tmp_path / "wave.jsonl"
    wave.write_bytes(b"".join(encode(d) + b"\n" for d in documents))
    assert run_json(env, "publish", str(wave))["published"] == len(documents)
    stats = run_json(env, "ingest", "--until-idle", "1.5")
    assert stats["rejected"] == 0, run_json(env, "rejected")


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["publish", "/missing.jsonl"], "cannot read /missing.jsonl: No such file"),
        (["rejected", "--limit", "-1"], "--limit: -1 is not a positive number"),
        (["balance", FUND, "--as-of", "9999-12-31"], "outside the ledger's calendar"),
        (["hospital", HOSPITAL, "--known-at", "1899-12-31"], "outside the ledger's calendar"),
        (["penalties", HOSPITAL, "--as-of", "9999-12-31T23:00:00-05:00"], "outside the ledger"),
        (["report", "fund", "--region", "430422", "--year", "9999"], "--year: 9999 is outside"),
        (["verify", "--from-digest", "12:not-hex"], "not a digest"),
        (["project", "--page-size", "0"], "--page-size: 0 is not a positive number"),
    ],
)
def test_out_of_range_input_is_a_one_line_usage_error(
    tmp_path: Path, argv: list[str], says: str
) -> None:
    line = one_line_failure(run(no_services(tmp_path), *argv), USAGE)
    assert line.startswith(f"claims-ledger {argv[0]}"), line
    assert says in line


def test_a_wrong_database_url_fails_fast_in_one_line(tmp_path: Path) -> None:
    env = no_services(tmp_path) | {
        "LEDGER_DATABASE_URL": f"postgresql://x@127.0.0.1:{closed_port()}/x"
    }
    for argv in (["balance", FUND], ["digest"], ["ingest", "--until-idle", "1"]):
        started = time.monotonic()
        line = one_line_failure(run(env, *argv), UNAVAILABLE)
        assert time.monotonic() - started < 15
        assert line.startswith(f"claims-ledger {argv[0]}: cannot use PostgreSQL"), line
        assert "Connection refused" in line


def test_an_unreachable_broker_fails_within_seconds_in_one_line(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    sample = tmp_path / "one.jsonl"
    sample.write_bytes(encode(designated()) + b"\n")
    env = cli_env | {"KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{closed_port()}"}
    started = time.monotonic()
    line = one_line_failure(run(env, "publish", str(sample)), UNAVAILABLE)
    assert time.monotonic() - started < 15  # the library alone waits 30 s
    assert line.startswith("claims-ledger publish: cannot use Kafka"), line


def test_a_malformed_database_url_is_a_usage_error(tmp_path: Path) -> None:
    env = no_services(tmp_path) | {"LEDGER_DATABASE_URL": "ledger-db:5432"}
    line = one_line_failure(run(env, "digest"), USAGE)
    assert line.startswith("claims-ledger digest: LEDGER_DATABASE_URL is not a PostgreSQL URL")


def test_debug_shows_the_traceback_before_the_line(tmp_path: Path) -> None:
    env = no_services(tmp_path) | {
        "LEDGER_DATABASE_URL": f"postgresql://x@127.0.0.1:{closed_port()}/x"
    }
    for argv in (["--debug", "digest"], ["digest", "--debug"]):
        done = run(env, *argv)
        assert done.returncode == UNAVAILABLE
        err = done.stderr.decode().strip().splitlines()
        assert err[0] == "Traceback (most recent call last):"
        assert err[-1].startswith("claims-ledger digest: cannot use PostgreSQL")


def test_names_the_ledger_does_not_know_are_said_so_with_exit_3(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    publish(cli_env, tmp_path, documented("PolicyPublished"), designated())
    run_json(cli_env, "project", "--until-idle", "1")  # no "behind" warnings on stderr
    unknown = [
        (["balance", "fund:430422:resident:poled"], "account 'fund:430422:resident:poled'"),
        (["hospital", "H43042200099"], "institution 'H43042200099'"),
        (["penalties", "H4304220001"], "institution, doctor or person 'H4304220001'"),
        (["report", "fund", "--region", "430433", "--year", "2019"], "pooling region '430433'"),
        (["report", "hospitals", "--region", "430433"], "pooling region '430433'"),
        (["rejected", "--reason", "unknown_refrence"], "reason code 'unknown_refrence'"),
        (["history", "H43042200099"], "entity 'H43042200099'"),
    ]
    for argv, named in unknown:
        line = one_line_failure(run(cli_env, *argv), NOT_KNOWN)
        assert line.startswith(f"claims-ledger {argv[0]}: the ledger knows no {named}"), line
    # What the ledger does know still answers.
    for argv in (
        ["hospital", HOSPITAL],
        ["penalties", HOSPITAL],
        ["report", "hospitals", "--region", "430422"],
        ["report", "fund", "--region", "430422", "--year", "2019"],
        ["rejected", "--reason", "unknown_reference"],
    ):
        assert run(cli_env, *argv, "--json").returncode == 0, argv


def test_history_json_prints_every_event_with_money_dates_and_postings(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    publish(
        cli_env,
        tmp_path,
        documented("PolicyPublished"),
        designated(occurred_at="2019-01-01T00:00:00+08:00"),
        documented("PersonEnrolled", primary_institution=None),
    )
    publish(
        cli_env,
        tmp_path,
        documented("DoctorRegistered"),
        documented("ContributionPaid"),
        documented("SubsidyGranted"),
        documented("BudgetAllocated"),
    )
    publish(cli_env, tmp_path, documented("ClaimSettled"), documented("SanctionImposed"))
    ordered = [{"claim_id": CLAIM, "amount": "100.00"}]
    publish(cli_env, tmp_path, documented("ClawbackOrdered", lines=ordered))
    for entity in (
        f"claim:{CLAIM}",
        f"institution:{HOSPITAL}",
        f"person:{PERSON}",
        "sanction:CF-2020-007-1",
        "clawback:ZH-2020-007",
        "subsidy:SUB-2019-C-01",
    ):
        done = run(cli_env, "history", entity, "--json")
        assert done.returncode == 0, done.stderr.decode()
        assert json.loads(done.stdout), entity
    [settled] = run_json(cli_env, "history", f"claim:{CLAIM}")[:1]
    postings = settled["data"]["postings"]
    assert {"account", "amount"} == set(postings[0])
    assert all(isinstance(p["amount"], str) for p in postings)  # money never as a float
    run_json(cli_env, "project", "--until-idle", "1")
    assert run_json(cli_env, "balance", FUND)["account"] == FUND


def test_the_digest_is_one_line_that_verify_takes(cli_env: dict[str, str], tmp_path: Path) -> None:
    publish(cli_env, tmp_path, designated())
    done = run(cli_env, "digest")
    assert done.returncode == 0
    [kept] = done.stdout.decode().splitlines()
    verified = run(cli_env, "verify", "--from-digest", kept)  # "$(claims-ledger digest)"
    assert verified.returncode == 0, verified.stderr.decode()


def test_a_reader_that_goes_away_ends_the_command_quietly_with_141(
    cli_env: dict[str, str],
) -> None:
    run_json(cli_env, "up")
    # `claims-ledger digest | true`: the pipe's reading end is closed before the first write.
    process = subprocess.Popen(
        [*CLI, "digest"], env=cli_env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdout is not None
    process.stdout.close()
    _, err = process.communicate(timeout=60)
    assert process.returncode == BROKEN_PIPE
    assert err == b""


def test_version_is_the_installed_package_version(tmp_path: Path) -> None:
    done = run(no_services(tmp_path), "--version")
    assert done.returncode == 0
    assert done.stdout.decode().strip() == f"claims-ledger {version('claims-ledger')}"
