"""One exit code per class of failure and one line to print (docs/operations.md, "Exit codes")."""

from __future__ import annotations

import eventsourcing.persistence
import psycopg
import pytest
from kafka.errors import KafkaTimeoutError

from infra.setup import NotSetUpError
from infra.worker_lock import AnotherWorkerError
from scripts.cli import exits


@pytest.mark.parametrize(
    ("error", "code", "starts"),
    [
        (exits.UsageError("cannot read /missing.jsonl"), 2, "cannot read"),
        (exits.NotKnownError("the ledger knows no account 'x'"), 3, "the ledger knows no"),
        (NotSetUpError("no setup on record"), 3, "the store is not set up"),
        (AnotherWorkerError("another ingest worker"), 4, "another ingest worker"),
        (psycopg.OperationalError("refused\n\tIs the server running?"), 4, "cannot use PostgreSQL"),
        (psycopg.errors.InsufficientPrivilege("permission denied"), 4, "PostgreSQL refused"),
        (KafkaTimeoutError("Unable to bootstrap"), 4, "cannot use Kafka"),
        (ZeroDivisionError("division by zero"), 70, "unexpected ZeroDivisionError"),
    ],
)
def test_each_class_of_failure_has_its_exit_code_and_one_line(
    error: Exception, code: int, starts: str
) -> None:
    exit_code, line = exits.classify(error)
    assert exit_code == code
    assert line.startswith(starts)
    assert "\n" not in line


def test_a_service_error_wrapped_by_the_event_store_library_is_classed_by_its_cause() -> None:
    refused = psycopg.errors.InsufficientPrivilege("permission denied for table ledger_chain")
    wrapped = eventsourcing.persistence.ProgrammingError(str(refused))
    wrapped.__cause__ = refused  # what `raise ... from` inside the library leaves
    assert exits.classify(wrapped) == (
        exits.UNAVAILABLE,
        "PostgreSQL refused: permission denied for table ledger_chain",
    )


def test_a_library_message_over_several_lines_is_joined() -> None:
    _, line = exits.classify(psycopg.OperationalError("refused\n\tIs the server running?"))
    assert line.endswith("refused; Is the server running?")


def test_run_prints_the_line_and_returns_the_code(capsys: pytest.CaptureFixture[str]) -> None:
    def unknown() -> int:
        raise exits.NotKnownError("the ledger knows no institution 'H1'")

    assert exits.run("hospital", unknown, debug=False) == exits.NOT_KNOWN
    err = capsys.readouterr().err
    assert err == "claims-ledger hospital: the ledger knows no institution 'H1'\n"


def test_debug_adds_the_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    def bug() -> int:
        raise ZeroDivisionError("division by zero")

    assert exits.run("balance", bug, debug=True) == exits.BUG
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):")
    assert err.splitlines()[-1].startswith("claims-ledger balance: unexpected ZeroDivisionError")


def test_a_successful_command_keeps_its_own_code() -> None:
    assert exits.run("check", lambda: exits.CHECK_FAILED, debug=False) == exits.CHECK_FAILED
