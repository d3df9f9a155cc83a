"""PostgreSQL stopped (a fast shutdown: sessions ended, open transactions rolled back) while
the worker is in the middle of its batches, and started again: the worker backs off, resumes
from the offsets committed with the events, and the books balance.

test_database_restart.py stops the server between batches and publishes during the outage;
here the stop falls inside the work, at a seeded count of accepted messages.
"""

from __future__ import annotations

import random
import signal
from pathlib import Path

from infra.embedded import ensure_database, start_postgres, stop_postgres
from infra.settings import Settings
from infra.setup import set_up
from tests.integration.accounting import Tally, assert_books_balance, records_committed
from tests.integration.faults.feeds import mixed, publish
from tests.integration.helpers import create_topics
from tests.integration.postgres_outage import OutageLog, restart_in_another_process
from tests.integration.workers import accepted_count, cli_env, start_cli, waits_showing

PEOPLE = 1_500
MAX_POLL_RECORDS = "50"  # many batches: the stop falls inside one, not after the last


def test_postgres_stopped_under_a_busy_worker_and_started_again_leaves_the_books_balanced(
    own_postgres: Path, settings: Settings, tmp_path: Path, rng: random.Random
) -> None:
    database_url = ensure_database(start_postgres(own_postgres), "ledger")
    set_up(database_url)
    create_topics(settings)
    mix = mixed(rng, PEOPLE, resent=50, conflicting=5)
    published = publish(settings, mix.records)
    env = {**cli_env(settings, database_url), "LEDGER_MAX_POLL_RECORDS": MAX_POLL_RECORDS}
    log = tmp_path / "worker.log"
    wait = waits_showing(log)
    worker = start_cli(env, "ingest", "--json", log=log)
    try:
        # Early enough that well over a second of work is left when the server goes.
        stop_at = rng.randint(1, mix.stored // 4)
        wait(lambda: accepted_count(database_url) >= stop_at, 120, f"{stop_at} accepted")
        outage = OutageLog(log)  # before the stop: the worker may log it before pg_ctl returns
        assert stop_postgres(own_postgres)
        # Only the first failure is waited for: the next may surface only after the library's
        # retries of a read (see test_database_restart.py), which this test need not sit out.
        wait(outage.failed, 60, "the worker meeting the outage")
        assert worker.poll() is None, log.read_text()
        restart_in_another_process(own_postgres)
        wait(lambda: records_committed(database_url) == published, 120, "every offset committed")
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0, log.read_text()
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    assert "recovered after" in outage.text(), outage.text()
    books = assert_books_balance(settings, database_url)
    assert books.total() == Tally(mix.stored, mix.duplicates, mix.dead)
