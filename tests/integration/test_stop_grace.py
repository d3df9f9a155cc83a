"""A worker never ignores SIGTERM for more than a few seconds, even while its batch waits in
PostgreSQL; the batch it gave up is read again by the next worker, so nothing is lost.

Another session holds a lock that the worker's commit needs (the events table's append lock,
which a busy writer or a long `LOCK TABLE` by an operator would hold), so the commit waits in
the database, where a stop signal used to go unheard until the statement ended.
"""

from __future__ import annotations

import signal
from pathlib import Path

import psycopg

from infra.settings import Settings
from infra.store import Ledger
from scripts.cli.signals import STOP_GRACE_S
from tests.integration.helpers import create_topics, send
from tests.integration.workers import accepted_count, cli_env, start_cli, wait_until
from tests.messages import enrolled

# A guard far above the grace period, so the test fails instead of hanging: not a speed target.
EXIT_GUARD_S = STOP_GRACE_S + 25


def worker_waits_on_a_lock(database_url: str) -> bool:
    with psycopg.connect(database_url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        ).fetchone()
    return bool(row and row[0])


def test_sigterm_ends_a_worker_whose_commit_waits_in_the_database(
    settings: Settings, ledger: Ledger, database_url: str, tmp_path: Path
) -> None:
    create_topics(settings)
    env = cli_env(settings, database_url)
    log = tmp_path / "worker.log"
    with psycopg.connect(database_url) as blocker:
        blocker.execute("LOCK TABLE ledger_events IN EXCLUSIVE MODE")  # held until rollback
        worker = start_cli(env, "ingest", log=log)
        try:
            send(settings, "enrollment", [enrolled("P-1")])
            wait_until(lambda: worker_waits_on_a_lock(database_url), 60, "the commit's wait")
            worker.send_signal(signal.SIGTERM)
            code = worker.wait(timeout=EXIT_GUARD_S)
        finally:
            if worker.poll() is None:
                worker.kill()
        blocker.rollback()
    assert code == 128 + signal.SIGTERM, log.read_text()
    said = [ln for ln in log.read_text().splitlines() if ln.startswith("claims-ledger")]
    assert "stopped by SIGTERM during a batch" in said[-1], said  # after "waiting for …"
    assert "Traceback" not in log.read_text()
    assert accepted_count(database_url) == 0

    # The batch given up is read again, from the offsets stored in PostgreSQL.
    again = start_cli(env, "ingest", "--until-idle", "2", log=tmp_path / "again.log")
    assert again.wait(timeout=120) == 0, (tmp_path / "again.log").read_text()
    assert accepted_count(database_url) == 1
