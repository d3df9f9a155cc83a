"""How a command ends: one exit code per class of failure and one line on stderr, never a
traceback unless `--debug` asks for it. The table is in docs/operations.md ("Exit codes").

One mapping here, so every command (and every command added later) fails the same way, and a
script can tell a typo from an outage without reading the message.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Callable
from typing import NoReturn

import psycopg
import psycopg.errors
from eventsourcing.persistence import InterfaceError, OperationalError
from kafka.errors import KafkaError

from consumers.backoff import OutageTooLong
from infra.offsets import ClusterChangedError, UntrustedOffsetError
from infra.setup import NotSetUpError
from infra.worker_lock import AnotherWorkerError
from scripts.cli.signals import StoppedDuringBatch

OK = 0
CHECK_FAILED = 1  # verify, check, a demo message with another fate than planned
USAGE = 2  # also argparse's own code for a malformed command line
NOT_KNOWN = 3  # an id, region or code the ledger holds nothing about; a store never set up
UNAVAILABLE = 4  # PostgreSQL or Kafka cannot be reached or refused; another worker holds the store
OFFSETS_UNTRUSTED = 5  # a stored offset lies outside the broker's log: `claims-ledger offsets`
CLUSTER_CHANGED = 6  # the broker answers as another cluster than the worker started with
INTERRUPTED = 130  # 128 + SIGINT, the shell's convention
BROKEN_PIPE = 141  # 128 + SIGPIPE: what `cat` or `grep` give when the reader of stdout has gone
BUG = 70  # sysexits' EX_SOFTWARE: anything unforeseen, a defect to report


class CliError(Exception):
    """A failure the user can act on; its message is the one line they see."""

    exit_code = BUG


class UsageError(CliError):
    """Input the command cannot take: out of range, a file that cannot be read."""

    exit_code = USAGE


class NotKnownError(CliError):
    """The ledger holds nothing about what the user named (a typo looks like this)."""

    exit_code = NOT_KNOWN


class Parser(argparse.ArgumentParser):
    """argparse, whose usage errors are one line like every other failure (exit 2)."""

    def error(self, message: str) -> NoReturn:
        self.exit(USAGE, f"{self.prog}: {message} (see {self.prog} --help)\n")


def one_line(error: BaseException) -> str:
    # Library messages span lines (psycopg adds a hint on a line of its own).
    return "; ".join(part.strip() for part in str(error).splitlines() if part.strip())


# Exceptions of the services and of the store's setup, by class: the exit code and what the
# line says before the exception's own message. The first match wins, so specific before general.
KNOWN_FAILURES: tuple[tuple[tuple[type[Exception], ...], int, str], ...] = (
    ((NotSetUpError,), NOT_KNOWN, ""),
    ((AnotherWorkerError, OutageTooLong), UNAVAILABLE, ""),
    ((UntrustedOffsetError,), OFFSETS_UNTRUSTED, ""),
    ((ClusterChangedError,), CLUSTER_CHANGED, ""),
    ((psycopg.errors.InsufficientPrivilege,), UNAVAILABLE, "PostgreSQL refused: "),
    (
        (psycopg.OperationalError, OperationalError, InterfaceError),
        UNAVAILABLE,
        "cannot use PostgreSQL (LEDGER_DATABASE_URL): ",
    ),
    ((KafkaError,), UNAVAILABLE, "cannot use Kafka (KAFKA_BOOTSTRAP_SERVERS): "),
)


def classify(error: Exception) -> tuple[int, str]:
    """The exit code and the line to print for an exception a command raised."""
    if isinstance(error, CliError):
        return error.exit_code, str(error)
    for cause in _causes(error):
        for classes, code, prefix in KNOWN_FAILURES:
            if isinstance(cause, classes):
                return code, prefix + one_line(error)
    return BUG, (
        f"unexpected {type(error).__name__}: {one_line(error)}"
        " (a defect: please report it with the output of --debug)"
    )


def _causes(error: BaseException) -> list[BaseException]:
    # The eventsourcing library re-raises psycopg's errors as its own (a refused permission
    # becomes its ProgrammingError): the class that tells what happened is further down.
    chain: list[BaseException] = []
    cause: BaseException | None = error
    while cause is not None and cause not in chain:
        chain.append(cause)
        cause = cause.__cause__
    return chain


def _stdout_to_devnull() -> None:
    # Python flushes stdout once more at exit; pointed at devnull that flush cannot fail and
    # print "Exception ignored ... BrokenPipeError" (the recipe of Python's signal docs).
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def run(command: str, call: Callable[[], int], *, debug: bool) -> int:
    """Run a command's handler and turn whatever it raises into an exit code and one line."""
    try:
        code = call()
        sys.stdout.flush()  # a reader that went away shows here, not at interpreter exit
    except BrokenPipeError:
        _stdout_to_devnull()
        return BROKEN_PIPE
    except StoppedDuringBatch as stopped:
        print(f"claims-ledger {command}: {stopped}", file=sys.stderr)
        return stopped.exit_code
    except KeyboardInterrupt:
        print(f"claims-ledger {command}: interrupted", file=sys.stderr)
        return INTERRUPTED
    except Exception as error:  # noqa: BLE001 - every failure ends as one line and a code
        exit_code, message = classify(error)
        if debug:
            traceback.print_exc()
        print(f"claims-ledger {command}: {message}", file=sys.stderr)
        return exit_code
    return code
