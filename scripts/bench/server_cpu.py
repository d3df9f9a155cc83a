"""PostgreSQL's CPU for a run, from the kernel's process accounting of the server's backends.

Only the backends connected to the run's own database count (pg_stat_activity), less the
bench's own watching connections, named when the reading starts: the server on this machine is
shared, so summing every server process would add other people's work, and the background
processes (WAL writer, checkpointer, autovacuum) serve every database at once. What the run
causes there is left out, so the figure is a floor of PostgreSQL's cost, not all of it.

Reading another user's /proc/<pid>/stat needs no privilege; a server on another machine has no
such file here, and the figure is then None (not measured), never 0.
"""

from __future__ import annotations

from collections.abc import Iterable

import psycopg

from scripts.bench.cpu import cpu_seconds

BACKENDS = (
    "SELECT pid FROM pg_stat_activity"
    " WHERE datname = %s AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
)


def backend_pids(database_url: str, database: str) -> set[int]:
    """The client backends connected to `database` now, less the one asking."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        return {int(row[0]) for row in conn.execute(BACKENDS, (database,))}


def total_cpu(pids: Iterable[int]) -> dict[int, float]:
    """CPU seconds so far of each process still there (a backend may end between readings)."""
    found = {}
    for pid in pids:
        try:
            found[pid] = cpu_seconds(pid)
        except (FileNotFoundError, ProcessLookupError):
            continue
    return found


class BackendCpu:
    """CPU spent by the backends serving `database`, other than those connected at the start
    listed in `ignore`, between `start()` and `stop()`."""

    def __init__(self, database_url: str, database: str, ignore: Iterable[int] = ()) -> None:
        self._url = database_url
        self._database = database
        self._ignore = set(ignore)
        self._before: dict[int, float] = {}
        self.seconds: float | None = 0.0

    def _serving(self) -> set[int]:
        return backend_pids(self._url, self._database) - self._ignore

    def start(self) -> None:
        serving = self._serving()
        self._before = total_cpu(serving)
        if serving and not self._before:
            self.seconds = None  # backends there, but not on this machine: not measured

    def stop(self) -> None:
        """Add what the backends used since `start` (a backend new since then: all of its)."""
        if self.seconds is None:
            return
        after = total_cpu(self._serving() | set(self._before))
        self.seconds += spent(self._before, after)


def spent(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU used between two readings, process by process: a process first seen in `after`
    counts from zero, one gone from `after` counts nothing more (its last ticks are lost)."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())
