"""`python -m scripts.bench.decide_cpu`: this process's CPU per event to decide and commit a
county year through the real store, without Kafka (the worker's path after the poll).

It isolates the client's share of ingest (decode is done beforehand, outside the figure) so
that changes to deciding, encoding and writing events can be compared run against run;
`--profile FILE` writes a cProfile of the decide and commit calls. The database is a fresh one
on the server of LEDGER_DATABASE_URL (or the embedded server), dropped at the end.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import os
import time
from collections.abc import Iterable, Sequence
from contextlib import nullcontext
from datetime import UTC, datetime

from consumers.contract import decode
from consumers.ingest import GC_THRESHOLDS
from infra.application.inbound import Coordinates, InboundRecord
from infra.embedded import drop_database, ensure_database, start_postgres
from infra.settings import DEFAULT_AGGREGATE_CACHE_SIZE, Settings
from infra.setup import set_up
from infra.store import open_ledger
from scripts.simulation.config import config_for
from scripts.simulation.county import county_year
from scripts.simulation.plan import Planned

RECORDED_AT = datetime(2020, 6, 1, tzinfo=UTC)
BATCH = 500  # the worker's usual poll batch
CACHE = 100_000  # by default every aggregate of a small run stays cached, as in a warm worker


def records(planned: Iterable[Planned]) -> list[InboundRecord]:
    """The messages as consumed from one partition per topic, decoded by the contract."""
    offsets: dict[str, int] = {}
    out = []
    for message in planned:
        topic = f"ledger.{message.topic_suffix}"
        offset = offsets.get(topic, 0)
        offsets[topic] = offset + 1
        where = Coordinates(topic, 0, offset)
        value = message.value()
        decoded = decode(value, where, message.topic_suffix, RECORDED_AT)
        out.append(InboundRecord(where, message.key.encode(), value, decoded))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    gc.set_threshold(*GC_THRESHOLDS)  # as the worker collects (consumers/ingest.py)
    settings = Settings.from_env(os.environ)
    server_url = settings.database_url or start_postgres((settings.home / "pg").resolve())
    name = f"ledger_decide_cpu_{datetime.now(UTC):%Y%m%d_%H%M%S}"
    database_url = ensure_database(server_url, name)
    try:
        set_up(database_url)
        batch = records(county_year(config_for(None, args.persons, args.seed)))
        profile = cProfile.Profile() if args.profile else None
        decide_s = commit_s = 0.0
        events = 0
        with open_ledger(database_url) as ledger:
            ledger.cache_aggregates(args.cache)
            for start in range(0, len(batch), BATCH):
                with profile or nullcontext():
                    before = time.process_time()
                    outcome = ledger.decide(
                        batch[start : start + BATCH], RECORDED_AT, cluster_id="bench"
                    )
                    decided = time.process_time()
                    ledger.commit(outcome)
                    committed = time.process_time()
                decide_s += decided - before
                commit_s += committed - decided
                events += len(outcome.events)
        if profile is not None:
            profile.dump_stats(args.profile)
    finally:
        drop_database(server_url, name)
    per_event = 1e6 / max(events, 1)
    print(
        f"{len(batch):,} messages, {events:,} events; CPU µs per event: decide "
        f"{decide_s * per_event:.1f}, commit {commit_s * per_event:.1f}, "
        f"both {(decide_s + commit_s) * per_event:.1f}"
    )
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m scripts.bench.decide_cpu", description=__doc__)
    parser.add_argument("--persons", type=int, default=1000, help="county size")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--profile", metavar="FILE", help="write a cProfile of decide+commit")
    parser.add_argument(
        "--cache",
        type=int,
        default=CACHE,
        help=f"aggregates cached (default {CACHE:,}; the worker's LEDGER_AGGREGATE_CACHE_SIZE"
        f" is {DEFAULT_AGGREGATE_CACHE_SIZE:,}: a larger county then replays what falls out)",
    )
    return parser


if __name__ == "__main__":
    raise SystemExit(main())
