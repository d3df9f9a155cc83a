"""As-of query figure: latency of balance, hospital and penalty lookups at random points.

Each query is one call of the read side's own function (projections/queries.py) on one open
connection, timed round trip from Python: what the CLI and any reporting tool would see.
"""

from __future__ import annotations

import contextlib
import gc
import random
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
from psycopg import Cursor

from projections import queries
from projections.asof import Bitemporal


@dataclass(frozen=True)
class Latency:
    """Percentiles of one query kind, in milliseconds."""

    kind: str
    samples: int
    p50_ms: float
    p99_ms: float


@dataclass(frozen=True)
class Window:
    """Where the random points are drawn from: valid time and known time ranges."""

    valid_from: datetime
    valid_to: datetime
    known_from: datetime
    known_to: datetime

    def point(self, rng: random.Random) -> Bitemporal:
        return Bitemporal(
            _between(rng, self.valid_from, self.valid_to),
            _between(rng, self.known_from, self.known_to),
        )


def _between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    return start + (end - start) * rng.random()


def measure(database_url: str, window: Window, samples: int, seed: int) -> list[Latency]:
    """p50 and p99 of each query kind over `samples` random (key, as_of, known_at)."""
    rng = random.Random(seed)  # noqa: S311 - sampling, not secrets
    # The harness still holds what earlier steps built; a query client would not, so its
    # objects are frozen out of the collector's way before timing.
    gc.collect()
    gc.freeze()
    with psycopg.connect(database_url, autocommit=True) as conn, conn.cursor() as curs:
        settle(curs)
        accounts = queries.accounts(curs)
        hospitals = queries.registered_hospitals(curs)
        # Whoever an inspector asks about: every hospital too (most have a clean record).
        targets = sorted(set(queries.penalty_targets(curs)) | set(hospitals))
        kinds: list[tuple[str, Sequence[str], Callable[[Cursor[Any], str, Bitemporal], object]]] = [
            ("balance", accounts, queries.balance),
            ("hospital", hospitals, lambda c, code, at: queries.hospitals(c, [code], at)),
            ("penalties", targets, queries.penalties),
        ]
        return [_latency(curs, kind, keys, ask, window, samples, rng) for kind, keys, ask in kinds]


def settle(curs: Cursor[Any]) -> None:
    """Let the store settle after the catch-up's bulk writes, as autovacuum and the checkpointer
    would in steady state: statistics and visibility maps current, dirty pages written."""
    curs.execute("VACUUM (ANALYZE)")
    # Only superusers and pg_checkpoint members may; otherwise the writes get flushed in time.
    with contextlib.suppress(psycopg.errors.InsufficientPrivilege):
        curs.execute("CHECKPOINT")


def _latency(
    curs: Cursor[Any],
    kind: str,
    keys: Sequence[str],
    ask: Callable[[Cursor[Any], str, Bitemporal], object],
    window: Window,
    samples: int,
    rng: random.Random,
) -> Latency:
    if not keys:
        raise RuntimeError(f"no keys to ask {kind} queries about: is the read model empty?")
    for _ in range(min(50, samples)):  # warm the connection's prepared statements
        ask(curs, rng.choice(keys), window.point(rng))
    timings = []
    for _ in range(samples):
        key, at = rng.choice(keys), window.point(rng)
        started = time.perf_counter()
        ask(curs, key, at)
        timings.append((time.perf_counter() - started) * 1000)
    cuts = statistics.quantiles(timings, n=100, method="inclusive")
    return Latency(kind, samples, cuts[49], cuts[98])
