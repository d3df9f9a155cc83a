"""Large writes end to end: the real worker on the embedded server's unix socket commits a full
poll batch of settlements and a 1 000-line clawback (1 001 events in one message). The
library's pipelined insert hung on such writes (docs/operations.md); these would hang, and
fail at their guard, if it came back."""

from __future__ import annotations

import logging
from pathlib import Path

import psycopg

from infra.settings import Settings
from infra.setup import set_up
from tests.integration.accounting import Tally, assert_books_balance
from tests.integration.faults.feeds import (
    clawback,
    publish,
    settlement_references,
    settlements,
)
from tests.integration.helpers import create_topics
from tests.integration.workers import cli_env, start_cli

log = logging.getLogger(__name__)

WAITING = 685  # settlements waiting when the worker starts: one full poll and a remainder
MAX_POLL_RECORDS = 500  # the worker's default
LINES = 1_000  # the most the contract allows in one clawback
HANG_GUARD_S = 180  # far above what these take: a guard against a hang, not a speed check

BATCH_SIZES = (
    "SELECT count(*) FROM ledger_messages WHERE message_type = %s GROUP BY recorded_at"
    " ORDER BY 1 DESC"
)
LARGEST_WRITE = (
    "SELECT count(*), sum(octet_length(state)) FROM ledger_events GROUP BY"
    " convert_from(state, 'UTF8')::jsonb #>> '{provenance,_data_,recorded_at,_data_}'"
    " ORDER BY 2 DESC LIMIT 1"
)


def ingest_until_idle(settings: Settings, database_url: str, log: Path) -> None:
    """One run of the worker process that ends when nothing has arrived for a second."""
    worker = start_cli(cli_env(settings, database_url), "ingest", "--until-idle", "1", log=log)
    try:
        assert worker.wait(timeout=HANG_GUARD_S) == 0, log.read_text()
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()


def batch_sizes(database_url: str, message_type: str) -> list[int]:
    with psycopg.connect(database_url) as conn:
        return [r[0] for r in conn.execute(BATCH_SIZES, (message_type,)).fetchall()]


def largest_write(database_url: str) -> tuple[int, int]:
    """Events and bytes of the batch that wrote the most bytes."""
    with psycopg.connect(database_url) as conn:
        row = conn.execute(LARGEST_WRITE).fetchone()
    assert row is not None
    log.warning("largest batch written: %d events, %d bytes of event state", row[0], row[1])
    return int(row[0]), int(row[1])


def references_stored(settings: Settings, database_url: str, log: Path) -> int:
    """A store and topics with what settlements cite committed; the number of messages."""
    set_up(database_url)
    create_topics(settings)
    references = publish(settings, settlement_references())
    ingest_until_idle(settings, database_url, log)
    return references


def test_settlements_waiting_before_the_worker_starts_commit_in_full_batches(
    settings: Settings, socket_database: str, tmp_path: Path
) -> None:
    references = references_stored(settings, socket_database, tmp_path / "references.log")
    waiting = publish(settings, settlements(WAITING))

    ingest_until_idle(settings, socket_database, tmp_path / "worker.log")

    # All on one partition (one person): the first poll takes a full batch.
    assert batch_sizes(socket_database, "ClaimSettled") == [MAX_POLL_RECORDS, WAITING - 500]
    events, size = largest_write(socket_database)
    # Each settlement's claim and account charge, and the person's account opened by the first.
    assert events == 2 * MAX_POLL_RECORDS + 1
    assert size > 4 * 208 * 1024  # several times a unix socket's buffers
    books = assert_books_balance(settings, socket_database)
    assert books.total() == Tally(stored=references + waiting, duplicates=0, dead=0)


def test_a_clawback_of_a_thousand_lines_commits_with_its_thousand_notes(
    settings: Settings, socket_database: str, tmp_path: Path
) -> None:
    references = references_stored(settings, socket_database, tmp_path / "references.log")
    claims = publish(settings, settlements(LINES))
    ingest_until_idle(settings, socket_database, tmp_path / "claims.log")
    ordered = publish(settings, [clawback(LINES)])

    ingest_until_idle(settings, socket_database, tmp_path / "worker.log")

    events, size = largest_write(socket_database)
    assert events == 1 + LINES  # Clawback.Ordered and Claim.ClawbackNoted on each claim
    assert size > 208 * 1024
    books = assert_books_balance(settings, socket_database)
    assert books.total() == Tally(stored=references + claims + ordered, duplicates=0, dead=0)
