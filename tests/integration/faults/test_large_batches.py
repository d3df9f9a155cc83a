"""Large writes end to end: the real worker on the embedded server's unix socket commits a full
poll batch of settlements, and one batch of six 1 000-line clawbacks (1 001 events each, over
4 MB of events). The library's pipelined insert hung on writes larger than the socket's
buffers, about 208 kB (docs/operations.md); these would hang, and fail at their guard, if it
came back."""

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
CLAWBACKS = 6  # of 1 000 lines each, about 0.7 MB of events apiece
HANG_GUARD_S = 180  # far above what these take: a guard against a hang, not a speed check

# Per batch (one `recorded_at`) that holds messages of a type: messages, events, event bytes.
BATCHES = (
    "SELECT count(DISTINCT m.message_id), count(*), sum(octet_length(e.state))"
    " FROM ledger_messages m JOIN ledger_events e"
    " ON convert_from(e.state, 'UTF8')::jsonb #>> '{provenance,_data_,message_id,_data_}'"
    " = replace(m.message_id::text, '-', '')"
    " WHERE m.recorded_at IN (SELECT recorded_at FROM ledger_messages WHERE message_type = %s)"
    " GROUP BY m.recorded_at ORDER BY 1 DESC"
)


def ingest_until_idle(settings: Settings, database_url: str, log_file: Path) -> None:
    """One run of the worker process that ends when nothing has arrived for a second."""
    env = cli_env(settings, database_url)
    worker = start_cli(env, "ingest", "--until-idle", "1", log=log_file)
    try:
        assert worker.wait(timeout=HANG_GUARD_S) == 0, log_file.read_text()
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()


def batches(database_url: str, message_type: str) -> list[tuple[int, int, int]]:
    """Messages, events and bytes of event state of each batch with messages of the type,
    largest first."""
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(BATCHES, (message_type,)).fetchall()
    log.warning("batches with %s (messages, events, bytes): %s", message_type, rows)
    return [(int(m), int(e), int(b)) for m, e, b in rows]


def references_stored(settings: Settings, database_url: str, log_file: Path) -> int:
    """A store and topics with what settlements cite committed; the number of messages."""
    set_up(database_url)
    create_topics(settings)
    references = publish(settings, settlement_references())
    ingest_until_idle(settings, database_url, log_file)
    return references


def test_settlements_waiting_before_the_worker_starts_commit_in_full_batches(
    settings: Settings, socket_database: str, tmp_path: Path
) -> None:
    references = references_stored(settings, socket_database, tmp_path / "references.log")
    waiting = publish(settings, settlements(WAITING))

    ingest_until_idle(settings, socket_database, tmp_path / "worker.log")

    # All on one partition (one person): the first poll takes a full batch. Each settlement
    # has its claim's event and its account charge; the first also opens the account.
    (full, rest) = batches(socket_database, "ClaimSettled")
    assert full[:2] == (MAX_POLL_RECORDS, 2 * MAX_POLL_RECORDS + 1)
    assert rest[:2] == (WAITING - MAX_POLL_RECORDS, 2 * (WAITING - MAX_POLL_RECORDS))
    assert full[2] > 1024 * 1024
    books = assert_books_balance(settings, socket_database)
    assert books.total() == Tally(stored=references + waiting, duplicates=0, dead=0)


def test_six_clawbacks_of_a_thousand_lines_commit_as_one_batch_of_over_4_mb(
    settings: Settings, socket_database: str, tmp_path: Path
) -> None:
    references = references_stored(settings, socket_database, tmp_path / "references.log")
    claims = publish(settings, settlements(LINES))
    ingest_until_idle(settings, socket_database, tmp_path / "claims.log")
    ordered = publish(settings, [clawback(LINES, n) for n in range(CLAWBACKS)])

    ingest_until_idle(settings, socket_database, tmp_path / "worker.log")

    # Clawback.Ordered, and Claim.ClawbackNoted on each of its claims, for each clawback.
    ((messages, events, size),) = batches(socket_database, "ClawbackOrdered")
    assert (messages, events) == (CLAWBACKS, CLAWBACKS * (1 + LINES))
    assert size > 4 * 1024 * 1024
    books = assert_books_balance(settings, socket_database)
    assert books.total() == Tally(stored=references + claims + ordered, duplicates=0, dead=0)
