"""SIGKILL of the worker at seeded moments, among poison records, re-sends and conflicting
re-sends: each restart resumes from the offsets committed with the events, so every offset
ends up stored, a duplicate or a dead letter exactly once.

The moments are counts of accepted messages, drawn from the test's seed and watched in the
store: the kill lands while the worker is deciding, sending dead letters or committing the
batch after the one the count saw. (test_crash.py kills a worker of 20 000 clean enrollments
after seeded delays, in both consumer modes; this one adds the poison and the audit.)
"""

from __future__ import annotations

import logging
import random
import signal
from pathlib import Path

from infra.settings import Settings
from infra.setup import set_up
from tests.integration.accounting import Tally, assert_books_balance
from tests.integration.faults.feeds import mixed, publish
from tests.integration.helpers import create_topics
from tests.integration.workers import (
    accepted_count,
    assign_lock_held,
    cli_env,
    start_cli,
    waits_showing,
)

log = logging.getLogger(__name__)

PEOPLE = 2_500
RESENT = 100
CONFLICTING = 10
KILLS = 4
# Small polls make many batches, so the kills fall in many different places of one.
MAX_POLL_RECORDS = "50"
LEFT_AT_LAST_KILL = 500  # about 10 batches: more than a fast worker commits before SIGKILL lands


def test_a_worker_killed_at_seeded_moments_among_poison_leaves_the_books_balanced(
    settings: Settings, database_url: str, tmp_path: Path, rng: random.Random
) -> None:
    set_up(database_url)
    create_topics(settings)
    mix = mixed(rng, PEOPLE, RESENT, CONFLICTING)
    publish(settings, mix.records)
    env = {**cli_env(settings, database_url), "LEDGER_MAX_POLL_RECORDS": MAX_POLL_RECORDS}
    worker_log = tmp_path / "worker.log"
    wait = waits_showing(worker_log)

    # Accepted counts to kill at, short of the end: the worker commits a few batches between
    # the count seen and the kill landing, and must still have messages left when it dies.
    moments = sorted(rng.sample(range(1, mix.stored - LEFT_AT_LAST_KILL), KILLS))
    kills = []
    for moment in moments:
        # Restarted once the store has seen the killed process go: in assign mode a second
        # worker refuses to start while the first one's lock is held.
        wait(lambda: not assign_lock_held(database_url), 30, "the killed worker's lock freed")
        # Every run commits something before it dies, however close the moments are.
        target = max(moment, accepted_count(database_url) + 1)
        worker = start_cli(env, "ingest", "--json", log=worker_log)
        try:
            wait(lambda t=target: accepted_count(database_url) >= t, 120, f"{target} accepted")  # type: ignore[misc]
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=10)
        kills.append(accepted_count(database_url))
    log.warning("killed at %s accepted (moments drawn: %s)", kills, moments)
    assert kills[-1] < mix.stored, "the kills must all happen while messages are left"

    wait(lambda: not assign_lock_held(database_url), 30, "the killed worker's lock freed")
    last = start_cli(env, "ingest", "--until-idle", "2", "--json", log=worker_log)
    assert last.wait(timeout=180) == 0, worker_log.read_text()
    books = assert_books_balance(settings, database_url)
    assert books.total() == Tally(mix.stored, mix.duplicates, mix.dead), kills
