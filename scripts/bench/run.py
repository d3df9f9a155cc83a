"""`python -m scripts.bench`: one benchmark run, start to finish, on a fresh database and broker.

1. generate a county year sized for `--events`, feed it through Kafka to a worker process;
2. COPY the same rows into a scratch table (the ingest baseline);
3. the committer alone: decide the county's first `--committer-events` events in this process,
   time only their commits into a fresh store (scripts/bench/committer.py);
4. read the log plainly (the projection baseline), then catch the read models up to
   `--small` events, time as-of queries, catch up to the end, time them again; count the read
   models' rows; time a rebuild and a check of the committer's smaller store, against a plain
   read of it (at 1M events they took 10 minutes: `make bench` stays under 30);
5. write docs/benchmarks.md (figures section) and docs/benchmarks.json.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from infra.copy_baseline import copy_rate
from infra.embedded import drop_database, with_database
from infra.settings import Settings
from infra.store import Ledger, open_ledger
from projections.asof import start_of_year
from projections.runner import decoded
from projections.sizes import row_counts
from scripts.bench import machine, report, services, workers_report
from scripts.bench.committer import StoreNames, commit_alone
from scripts.bench.figures import BenchRun, SizedLatency
from scripts.bench.ingest import run_ingest
from scripts.bench.projection import TimedCatchUp, plain_read, timed_check, timed_rebuild
from scripts.bench.queries import Window, measure
from scripts.bench.sizing import persons_for
from scripts.bench.workers import regions_one_per_partition, run_workers, worker_counts
from scripts.bench.workers_report import WorkersRun
from scripts.simulation.config import config_for
from scripts.simulation.county import county_year
from scripts.simulation.feed_mode import DEFAULT_FEED, FeedMode, FeedOptions

EVENTS = 1_000_000  # `make bench`
WORKERS_EVENTS = 60_000  # `make bench-workers`: three runs of it take a few minutes


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    settings = Settings.from_env(os.environ)
    if args.workers is not None:
        try:
            counts = worker_counts(args.workers)
        except ValueError as error:
            parser.error(str(error))
        args.events = args.events or WORKERS_EVENTS
        return _scaling(settings, counts, args)
    args.events = args.events or EVENTS
    return _figures(settings, args)


def memory_checkpoints(small: int, events: int) -> list[int]:
    """Log sizes at which the worker's peak memory is read: the smaller log, then each quarter
    of the run past it, so that a bounded cache filling shows apart from growth without end."""
    return [small, *(q * events // 4 for q in (1, 2, 3) if q * events // 4 > small)]


def _figures(settings: Settings, args: argparse.Namespace) -> int:
    """The figures of docs/benchmarks.md, steps 1 to 5 above."""
    persons = persons_for(args.events)
    config = config_for(None, persons, args.seed)
    started, clock = datetime.now(UTC), time.monotonic()
    say(f"bench: {args.events:,} events wanted: a county year of {persons:,} persons")
    bench = services.start(settings)
    say(f"bench: database {bench.database_name}, broker {bench.bootstrap}")
    try:
        facts = machine.describe(bench.database_url)
        say("bench: 1/5 ingest through Kafka by a worker process")
        ingest = run_ingest(
            bench,
            county_year(config),
            memory_checkpoints(args.small, args.events),
            settings.home / "bench-worker.log",
            FeedOptions.for_scenario(config, FeedMode(args.feed)),
        )
        say(f"      {ingest.events_per_second:,.0f} events/s; 2/5 binary COPY baseline")
        copy = copy_rate(bench.database_url)
        say(f"      {copy.rows_per_second:,.0f} rows/s; 3/5 the committer alone")
        stores = _committer_stores(bench.database_name)
        committer = commit_alone(
            bench.server_url, stores, county_year(config), config.region, args.committer_events
        )
        say(f"      {committer.events_per_second:,.0f} events/s; 4/5 plain read and projections")
        with open_ledger(bench.database_url) as owner:
            plain = plain_read(owner)
            catch_up = TimedCatchUp(owner)
            small_at = catch_up.to(args.small)
            window = _window(owner, config.year, small_at)
            small = SizedLatency(
                small_at, measure(bench.database_url, window, args.queries, args.seed)
            )
            large_at = catch_up.to(None)
            window = _window(owner, config.year, large_at)
            large = SizedLatency(
                large_at, measure(bench.database_url, window, args.queries, args.seed)
            )
            say(f"      {catch_up.figures.events_per_second:,.0f} events/s projected; rebuild")
            rows = row_counts(owner)
        with open_ledger(with_database(bench.server_url, stores.committing)) as smaller:
            replay_plain = plain_read(smaller)
            rebuilt = timed_rebuild(smaller)
            say(f"      {rebuilt.events_per_second:,.0f} events/s rebuilt; check")
            checked, check_ok = timed_check(smaller)
        say(f"      {checked.events_per_second:,.0f} events/s checked (ok: {check_ok}); 5/5 report")
        run = BenchRun(
            started=started,
            minutes=(time.monotonic() - clock) / 60,
            command=args.command,
            persons=persons,
            seed=args.seed,
            machine=facts,
            ingest=ingest,
            copy=copy,
            committer=committer,
            plain=plain,
            projection=catch_up.figures,
            replay_plain=replay_plain,
            rebuild=rebuilt,
            check=checked,
            check_ok=check_ok,
            rows=rows,
            small=small,
            large=large,
        )
        report.write(run, args.out)
        print(report.render(run))
    finally:
        if not args.keep_database:
            drop_database(bench.server_url, _committer_stores(bench.database_name).committing)
        services.stop(bench, keep_database=args.keep_database)
    return 0


def _committer_stores(database_name: str) -> StoreNames:
    return StoreNames(f"{database_name}_decide", f"{database_name}_commit")


def _scaling(settings: Settings, counts: list[int], args: argparse.Namespace) -> int:
    """The workers mode: one stream taken in by 1, 2, ... workers (scripts/bench/workers.py)."""
    started, clock = datetime.now(UTC), time.monotonic()
    regions = regions_one_per_partition(max(counts))
    say(f"bench: {args.events:,} events over regions {', '.join(regions)}, workers {counts}")
    settings.home.mkdir(parents=True, exist_ok=True)
    runs = []
    for n in counts:
        say(f"bench: {n} worker(s)")
        runs.append(run_workers(settings, n, regions, args.events, args.seed, settings.home))
        say(f"      {runs[-1].events_per_second:,.0f} events/s")
    run = WorkersRun(
        started=started,
        minutes=(time.monotonic() - clock) / 60,
        command=args.command,
        seed=args.seed,
        regions=regions,
        cores=os.cpu_count() or 1,
        load_average=os.getloadavg()[1],
        runs=runs,
    )
    workers_report.write(run, args.out)
    print(workers_report.render(run))
    return 0


def _window(ledger: Ledger, year: int, position: int) -> Window:
    """Points over the scenario's year and a quarter after (late corrections), known between
    the first event and the event at `position`."""
    return Window(
        valid_from=start_of_year(year),
        valid_to=start_of_year(year + 1) + timedelta(days=90),
        known_from=_recorded_at(ledger, 1),
        known_to=_recorded_at(ledger, position),
    )


def _recorded_at(ledger: Ledger, position: int) -> datetime:
    _, (_, recorded_at) = decoded(ledger, ledger.recorder.select_notifications(position, 1))[0]
    return recorded_at


def _positive(text: str) -> int:
    """An argparse type: a whole number of events, at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a whole number of events, not {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"at least 1 event, not {value}")
    return value


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m scripts.bench", description=__doc__)
    parser.add_argument(
        "--events",
        type=_positive,
        help=f"log size to reach ({EVENTS:,}; with --workers, {WORKERS_EVENTS:,} in all)",
    )
    parser.add_argument(
        "--small", type=int, default=100_000, help="log size of the first query and memory figures"
    )
    parser.add_argument(
        "--committer-events",
        type=_positive,
        default=100_000,
        help="log size of the committer-alone, rebuild and check figures",
    )
    parser.add_argument("--queries", type=int, default=2_000, help="samples per query kind")
    parser.add_argument("--seed", type=int, default=2019)
    parser.add_argument(
        "--feed",
        choices=[mode.value for mode in FeedMode],
        default=DEFAULT_FEED.value,
        help="waves, or every topic at once as real sources publish",
    )
    parser.add_argument(
        "--workers",
        metavar="N,N,...",
        help="instead of the figures: ingest workers that add up, e.g. 1,2,4 (--events in all)",
    )
    parser.add_argument("--out", type=Path, default=Path("docs/benchmarks.md"))
    parser.add_argument("--keep-database", action="store_true", help="keep the run's database")
    parser.add_argument("--command", default="make bench", help="how the run was started")
    return parser
