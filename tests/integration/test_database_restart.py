"""Acceptance 2: PostgreSQL stops and starts again under a running worker, which recovers by
itself, keeps exactly-once, and still stops cleanly on SIGTERM afterwards."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from infra.embedded import ensure_database, start_postgres, stop_postgres
from infra.settings import Settings
from infra.setup import set_up
from tests.integration.helpers import (
    create_topics,
    settings_in_both_consumer_modes,  # noqa: F401 - the fixture `settings`, in both modes
)
from tests.integration.invariants import assert_exactly_once
from tests.integration.workers import (
    ROOT,
    accepted_count,
    cli_env,
    enrollments,
    hospitals,
    produce,
    start_cli,
    wait_until,
)

MESSAGES = 4_000
OUTAGE_S = 12


@pytest.fixture
def own_postgres() -> Iterator[Path]:
    """An embedded PostgreSQL of this test alone, since the test stops it. Outside pytest's
    temporary root: a concurrent pytest session resets that root to mode 0700, which locks
    out the server's own system user."""
    home = Path(tempfile.mkdtemp(prefix="ledger-pg-restart-"))
    pgdata = home / "pg"
    start_postgres(pgdata)
    try:
        yield pgdata
    finally:
        stop_postgres(pgdata)
        shutil.rmtree(home, ignore_errors=True)


def restart_in_another_process(pgdata: Path) -> None:
    """Start it again the way `claims-ledger up` would, from a fresh process."""
    code = f"import pathlib, infra.embedded as e; e.start_postgres(pathlib.Path({str(pgdata)!r}))"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=60)


def test_the_worker_rides_out_a_postgres_restart_and_stops_cleanly_on_sigterm(
    own_postgres: Path, settings: Settings, tmp_path: Path
) -> None:
    database_url = ensure_database(start_postgres(own_postgres), "ledger")
    set_up(database_url)
    topics = create_topics(settings)
    references = hospitals(5)
    people = enrollments(MESSAGES - len(references), references)
    produce(settings, topics.inbound("reference"), references)
    log_file = tmp_path / "worker.log"
    worker = start_cli(cli_env(settings, database_url), "ingest", "--json", log=log_file)
    try:
        wait_until(lambda: accepted_count(database_url) == len(references), 60, "references in")
        produce(settings, topics.inbound("enrollment"), people)
        wait_until(lambda: accepted_count(database_url) > 500, 60, "some enrollments in")
        assert stop_postgres(own_postgres)
        # Longer than the pool's connect timeout (10 s), so the worker's own backoff shows.
        time.sleep(OUTAGE_S)
        assert worker.poll() is None, log_file.read_text()
        restart_in_another_process(own_postgres)
        wait_until(lambda: accepted_count(database_url) == MESSAGES, 120, "all messages in")
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0, log_file.read_text()
    finally:
        if worker.poll() is None:
            worker.kill()
    outage_log = log_file.read_text()
    assert "retrying in" in outage_log, outage_log
    assert "recovered after" in outage_log, outage_log
    published = [m["message_id"] for m in references + people]
    assert_exactly_once(database_url, published)
