"""Acceptance 1: the worker, killed with SIGKILL at random moments while 20 000 messages come in,
and restarted each time, leaves exactly one event per accepted message and a sound chain."""

from __future__ import annotations

import logging
import random
import signal
import time
from pathlib import Path

from infra.settings import Settings
from infra.store import Ledger
from tests.integration.accounting import Tally, assert_books_balance
from tests.integration.helpers import (
    create_topics,
    ingest,
    settings_in_both_consumer_modes,  # noqa: F401 - the fixture `settings`, in both modes
)
from tests.integration.invariants import assert_exactly_once
from tests.integration.workers import (
    accepted_count,
    cli_env,
    enrollments,
    hospitals,
    produce,
    start_cli,
    wait_until,
)

log = logging.getLogger(__name__)

MESSAGES = 20_000
KILLS = 10
RESENT = 300  # identical re-sends among them: duplicates, never a second event


def test_a_worker_killed_ten_times_leaves_one_event_per_accepted_message(
    settings: Settings, ledger: Ledger, database_url: str, tmp_path: Path, rng: random.Random
) -> None:
    started = time.monotonic()
    topics = create_topics(settings)
    references = hospitals(20)
    produce(settings, topics.inbound("reference"), references)
    assert ingest(settings, ledger, until_idle=0.5).accepted == len(references)
    people = enrollments(MESSAGES - len(references), references)
    produce(settings, topics.inbound("enrollment"), people + people[:RESENT])
    published = [m["message_id"] for m in references + people]

    env, log_file = cli_env(settings, database_url), tmp_path / "worker.log"
    kills: list[int] = []
    for _ in range(KILLS):
        before = accepted_count(database_url)
        worker = start_cli(env, "ingest", "--json", log=log_file)
        wait_until(lambda b=before: accepted_count(database_url) > b, 60, "progress")  # type: ignore[misc]
        time.sleep(rng.uniform(0.0, 1.2))
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
        kills.append(accepted_count(database_url))
    assert kills[-1] < len(published), "the kills must all happen while messages are left"

    last = start_cli(env, "ingest", "--until-idle", "3", "--json", log=log_file)
    assert last.wait(timeout=180) == 0, log_file.read_text()
    events = assert_exactly_once(database_url, published)
    books = assert_books_balance(settings, database_url)
    assert books.total() == Tally(stored=len(published), duplicates=RESENT, dead=0)
    log.warning(
        "crash test: %d events, %d kills (accepted after each: %s), %.1f s in all",
        events,
        len(kills),
        kills,
        time.monotonic() - started,
    )
