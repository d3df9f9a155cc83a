"""`python -m scripts.bench.writes`: the batch transaction's cost, library INSERT against binary
COPY (infra/binary_writes.py), on the same decided batches in the same run (issue 17).

A third store decides a county year in poll batches of the worker's size; each outcome is then
committed into a store written the library's way and into one written by binary COPY, in turns.
Per commit it reads the client's CPU (this process) and the CPU of the store's one PostgreSQL
backend (/proc/<pid>/schedstat, so the server must run on this machine): CPU time is steadier
than wall time on a shared machine. Both stores are dropped at the end.
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from consumers.ingest import GC_THRESHOLDS, inbound_records
from consumers.topics import Topics, region_key
from infra.application.batch import BatchOutcome
from infra.embedded import drop_database, ensure_database
from infra.setup import set_up
from infra.store import Ledger, open_ledger
from scripts.simulation.config import config_for
from scripts.simulation.county import county_year

EVENTS_PER_PERSON = 14.4  # scripts/bench/run.py measured it on the county year
TOPICS = Topics("ledger.")
RECORDED_AT = datetime(2020, 6, 1, tzinfo=UTC)


@dataclass
class Cost:
    """CPU seconds spent committing, on each side (the client's, and the part of it in the
    recorder's `insert_events`: the write itself, without encoding the events), and wall
    seconds."""

    client: float = 0.0
    recorder: float = 0.0
    server: float = 0.0
    wall: float = 0.0

    def line(self, name: str, events: int, commits: int) -> str:
        return (
            f"{name}: client {self.client / events * 1e6:.1f} µs/event"
            f" (in the recorder {self.recorder / events * 1e6:.1f}),"
            f" PostgreSQL {self.server / events * 1e6:.1f} µs/event,"
            f" wall {self.wall / commits * 1e3:.2f} ms/commit"
        )


def backend_cpu(pid: int) -> float:
    """CPU seconds a PostgreSQL backend has run (first field of schedstat, in ns)."""
    return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e9


def time_the_recorder(ledger: Ledger, cost: Cost) -> None:
    """Add the client CPU of the recorder's `insert_events` to `cost.recorder`."""
    recorder = ledger.recorder_
    insert_events = recorder.insert_events

    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.process_time()
        try:
            return insert_events(*args, **kwargs)
        finally:
            cost.recorder += time.process_time() - started

    recorder.insert_events = timed  # type: ignore[method-assign]


def timed_commit(ledger: Ledger, backend: int, outcome: BatchOutcome, cost: Cost) -> None:
    cpu, server, wall = time.process_time(), backend_cpu(backend), time.perf_counter()
    ledger.commit(outcome)
    cost.client += time.process_time() - cpu
    cost.server += backend_cpu(backend) - server
    cost.wall += time.perf_counter() - wall


def batches(persons: int, seed: int, size: int) -> Iterator[list[Any]]:
    """The county year as consumed records, in plan order, in poll batches of `size`."""
    offsets: dict[str, int] = {}
    batch: list[Any] = []
    for n, p in enumerate(county_year(config_for(None, persons, seed))):
        topic = TOPICS.inbound(p.topic_suffix)
        offsets[topic] = offsets.get(topic, -1) + 1
        key = region_key(p.document) if p.document is not None else b""
        batch.append(
            SimpleNamespace(
                topic=topic,
                partition=0,
                offset=offsets[topic],
                key=key,
                value=p.value(),
                timestamp=1_577_836_800_000 + n,
            )
        )
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def backend_of(ledger: Ledger) -> int:
    with ledger.datastore.get_connection() as conn:
        return conn.info.backend_pid


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m scripts.bench.writes", description=__doc__)
    parser.add_argument("--events", type=int, default=30_000, help="about this many events")
    parser.add_argument("--batch", type=int, default=500, help="records per poll batch")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--server",
        default=os.environ.get("LEDGER_DATABASE_URL"),
        help="a PostgreSQL on this machine (default: LEDGER_DATABASE_URL)",
    )
    args = parser.parse_args()
    if not args.server:
        parser.error("give --server or set LEDGER_DATABASE_URL")
    server = args.server
    gc.set_threshold(*GC_THRESHOLDS)  # as the worker collects (consumers/ingest.py)
    persons = max(60, math.ceil(args.events / EVENTS_PER_PERSON))
    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    names = [f"ledger_bench_writes_{role}_{stamp}" for role in ("decide", "insert", "copy")]
    deciding_url, inserted_url, copied_url = (ensure_database(server, n) for n in names)
    try:
        for url in (deciding_url, inserted_url, copied_url):
            set_up(url)
        with (
            open_ledger(deciding_url) as deciding,
            open_ledger(inserted_url, pool_size=1) as inserted,
            open_ledger(copied_url, pool_size=1) as copied,
        ):
            inserted.recorder_.binary_writes = False
            stores = [
                (inserted, backend_of(inserted), Cost()),
                (copied, backend_of(copied), Cost()),
            ]
            for ledger, _, cost in stores:
                time_the_recorder(ledger, cost)
            events = commits = 0
            for batch in batches(persons, args.seed, args.batch):
                outcome = deciding.decide(
                    inbound_records(batch, TOPICS, RECORDED_AT),
                    RECORDED_AT,
                    cluster_id="bench-writes",
                )
                deciding.commit(outcome)
                # Turns, so that neither path always follows the other.
                for ledger, backend, cost in stores if commits % 2 else stores[::-1]:
                    timed_commit(ledger, backend, outcome, cost)
                events += len(outcome.events)
                commits += 1
        print(
            f"{events:,} events in {commits} commits of up to {args.batch} records"
            f" ({persons} persons)"
        )
        print(stores[0][2].line("library INSERT", events, commits))
        print(stores[1][2].line("binary COPY   ", events, commits))
    finally:
        for name in names:
            drop_database(server, name)


if __name__ == "__main__":
    main()
