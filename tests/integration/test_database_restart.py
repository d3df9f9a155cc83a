"""Acceptance 2: PostgreSQL stops and starts again under a running worker that is handed messages
during the outage; it retries until PostgreSQL is back, keeps exactly-once, and still stops
cleanly on SIGTERM afterwards."""

from __future__ import annotations

import signal
from pathlib import Path

from infra.embedded import ensure_database, start_postgres, stop_postgres
from infra.settings import Settings
from infra.setup import set_up
from tests.integration.accounting import assert_books_balance
from tests.integration.helpers import (
    create_topics,
    settings_in_both_consumer_modes,  # noqa: F401 - the fixture `settings`, in both modes
)
from tests.integration.invariants import assert_exactly_once
from tests.integration.postgres_outage import OutageLog, restart_in_another_process
from tests.integration.workers import (
    accepted_count,
    assign_lock_held,
    cli_env,
    enrollments,
    hospitals,
    produce,
    start_cli,
    waits_showing,
)

MESSAGES = 4_000
BEFORE_OUTAGE = 1_000  # enrollments stored before PostgreSQL stops; the rest come during it
RETRY_SURFACES_S = 180


def test_the_worker_rides_out_a_postgres_restart_and_stops_cleanly_on_sigterm(
    own_postgres: Path, settings: Settings, tmp_path: Path
) -> None:
    database_url = ensure_database(start_postgres(own_postgres), "ledger")
    set_up(database_url)
    topics = create_topics(settings)
    references = hospitals(5)
    people = enrollments(MESSAGES - len(references), references)
    before, during = people[:BEFORE_OUTAGE], people[BEFORE_OUTAGE:]
    produce(settings, topics.inbound("reference"), references)
    log_file = tmp_path / "worker.log"
    wait = waits_showing(log_file)
    worker = start_cli(cli_env(settings, database_url), "ingest", "--json", log=log_file)
    try:
        wait(lambda: accepted_count(database_url) == len(references), 60, "references in")
        produce(settings, topics.inbound("enrollment"), before)
        in_before = len(references) + len(before)
        wait(lambda: accepted_count(database_url) == in_before, 60, "enrollments before in")
        outage_log = OutageLog(log_file)  # before the stop: a failure may be logged during it
        assert stop_postgres(own_postgres)
        # Produced while PostgreSQL is down: the worker polls them and cannot store them, so
        # it has to back off and retry through the outage, however fast it was before. A
        # failure surfaces after the pool's connect timeout (10 s), or after the library's ten
        # attempts of it when the first read is one of its recorder's (a rebalance's seek).
        produce(settings, topics.inbound("enrollment"), during)
        wait(outage_log.failed, RETRY_SURFACES_S, "a failure during the outage")
        assert worker.poll() is None, log_file.read_text()
        restart_in_another_process(own_postgres)
        wait(lambda: accepted_count(database_url) == MESSAGES, 120, "all messages in")
        if settings.consumer_mode == "assign":
            # The restart ended the session holding the lock; the worker took it back.
            assert assign_lock_held(database_url), log_file.read_text()
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0, log_file.read_text()
    finally:
        if worker.poll() is None:
            worker.kill()
    if "retrying in" in outage_log.text():
        assert "recovered after" in outage_log.text(), outage_log.text()
    published = [m["message_id"] for m in references + people]
    assert_exactly_once(database_url, published)
    assert_books_balance(settings, database_url)
