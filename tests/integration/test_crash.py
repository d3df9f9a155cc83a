"""Acceptance 1: the worker, killed with SIGKILL at seeded moments while 20 000 messages come in,
and restarted each time, leaves exactly one event per accepted message and a sound chain.

A moment is a count of accepted messages, watched in the store, not a time: however fast the
worker runs on a loaded or an idle machine, every kill lands while messages are left, after the
restarted worker committed something, in the batch after the one the count saw."""

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
    assign_lock_held,
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
    # Two batches of room at the end: a kill lands up to a batch after its moment.
    moments = sorted(rng.sample(range(1, len(published) - 2_000), KILLS))
    kills: list[int] = []
    for moment in moments:
        # In assign mode a second worker refuses to start while the killed one's lock is held,
        # which lasts until PostgreSQL has seen its connection go.
        wait_until(lambda: not assign_lock_held(database_url), 30, "the killed worker's lock")
        target = max(moment, accepted_count(database_url) + 1)
        worker = start_cli(env, "ingest", "--json", log=log_file)
        try:
            wait_until(lambda t=target: accepted_count(database_url) >= t, 120, f"{target} in")  # type: ignore[misc]
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=10)
        kills.append(accepted_count(database_url))
    assert kills[-1] < len(published), "the kills must all happen while messages are left"

    wait_until(lambda: not assign_lock_held(database_url), 30, "the killed worker's lock")
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
