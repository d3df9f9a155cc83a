"""`make demo`: a county's year through Kafka into the ledger, on embedded services.

The county year (from the simulation library, scripts/simulation) is fed in waves or, with
`--feed concurrent`, by all sources at once (scripts/simulation/feed_mode.py holds the
default), to one worker running in a thread; afterwards the demo prints what the store holds.
Stories that read the store (e.g. as-of questions) add themselves to `AFTER_INGEST`, and run
once the scenario is in.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from infra.kafka import make_producer
from infra.queries import history
from infra.services import Endpoints, up
from infra.settings import Settings
from infra.store import READER_ROLE, WRITER_ROLE, Ledger, open_ledger
from projections.runner import catch_up, open_projections
from scripts.cli import output
from scripts.cli.progress import Progress
from scripts.demo.asof_story import scenario_story
from scripts.simulation.config import ScenarioConfig, config_for
from scripts.simulation.county import county_year
from scripts.simulation.feed import Feeder, FeedReport, WaveTimeoutError
from scripts.simulation.feed_mode import FeedMode, FeedOptions
from scripts.simulation.outcomes import OutcomeCheck, check_outcomes
from scripts.simulation.plan import Planned
from scripts.simulation.publish import Sent
from scripts.simulation.summary import summarize
from scripts.simulation.summary_print import print_summary, summary_dict


@dataclass
class DemoContext:
    """What a story after ingest may use: where things are, what was sent, the store (read-only)."""

    settings: Settings
    endpoints: Endpoints
    config: ScenarioConfig
    ledger: Ledger
    quiet: bool
    report: FeedReport | None
    results: dict[str, Any] = field(default_factory=dict)  # a story's JSON output, by name


# A batch must be decided within max.poll.interval, or the worker drops out of its group; with
# the short interval Tansu needs (3 s) and two busy cores, 500 claims can take longer. Observed:
# after such a drop-out the worker did not resume (see docs/scenario.md), so the demo polls
# smaller batches when the interval is short.
SHORT_POLL_INTERVAL_MS = 10_000
SHORT_INTERVAL_MAX_POLL_RECORDS = 100

# Stories run after the scenario is ingested, in order; each prints (unless quiet) and may put
# machine-readable results in `context.results`.
AFTER_INGEST: list[Callable[[DemoContext], None]] = [scenario_story]


def say(quiet: bool, text: str) -> None:
    if not quiet:
        print(text, flush=True)


def _project(database_url: str) -> None:
    """Catch the read models up; as the owner, since the demo's own handle only reads."""
    with open_ledger(database_url) as ledger:
        catch_up(ledger, open_projections(ledger))


def run_demo(settings: Settings, args: argparse.Namespace) -> int:
    """Feed the county year through Kafka, check every message's fate, print the store."""
    quiet = bool(args.json)
    try:
        config = config_for(
            args.scale, args.persons, args.seed, bad_messages=not args.no_bad, region=args.region
        )
    except ValueError as error:
        print(f"claims-ledger demo: {error}", file=sys.stderr)
        return 2
    endpoints = up(settings)
    say(
        quiet,
        f"services: PostgreSQL {endpoints.database_url}\n          Kafka {endpoints.bootstrap}",
    )
    with open_ledger(endpoints.database_url, role=READER_ROLE) as watch:
        try:
            options = FeedOptions.for_scenario(config, FeedMode(args.feed))
            report, check = _ingest(settings, endpoints, options, config, watch, quiet)
        except WaveTimeoutError as error:
            print(
                f"claims-ledger demo: the ledger stopped taking messages in: {error}",
                file=sys.stderr,
            )
            return 1
        _project(endpoints.database_url)
        summary = summarize(watch, config.year)
        context = DemoContext(settings, endpoints, config, watch, quiet, report)
        if not quiet:
            print_summary(summary, check, report)
        for story in AFTER_INGEST:
            story(context)
        if quiet:
            output.print_json({**summary_dict(config, report, check, summary), **context.results})
    say(
        quiet,
        "\nQuery further:   .venv/bin/claims-ledger history <code or person id> [--json]\n"
        "                 .venv/bin/claims-ledger rejected [--reason CODE] [--json]\n"
        "Check the chain: .venv/bin/claims-ledger verify\n"
        "The console:     .venv/bin/claims-ledger console-user add NAME --role auditor"
        " (prints a token)\n"
        "                 .venv/bin/claims-ledger serve   (open http://127.0.0.1:8080/, log in)\n"
        "Larger county:   .venv/bin/claims-ledger demo --scale county --region 430423\n"
        "Stop services:   .venv/bin/claims-ledger down   (PostgreSQL data stays in .ledger/pg)",
    )
    return 0 if check is None or check.all_as_planned else 1


def _region_recorded(ledger: Ledger, first: Planned) -> bool:
    """Whether the scenario's first institution is designated: its ids would collide."""
    return bool(history(ledger, f"institution:{first.key}"))


def _ingest(
    settings: Settings,
    endpoints: Endpoints,
    options: FeedOptions,
    config: ScenarioConfig,
    watch: Ledger,
    quiet: bool,
) -> tuple[FeedReport | None, OutcomeCheck | None]:
    if _region_recorded(watch, next(county_year(config))):
        say(
            quiet,
            f"\nThis store already holds a year of region {config.region}: its ids would collide,"
            " so nothing is sent.\nShowing the store as it is. Another county: --region 430423;"
            " afresh: `claims-ledger down` and remove .ledger/pg.",
        )
        return None, None
    how = (
        "published month by month, one topic at a time, each wave ingested before the next"
        if options.mode is FeedMode.WAVES
        else "every topic published at once, in the order its facts happen, as sources do"
    )
    say(
        quiet,
        f"\n1. a county year: region {config.region}, {config.year}, {config.persons} persons,"
        f" seed {config.seed}; {how}",
    )
    if settings.max_poll_interval_ms < SHORT_POLL_INTERVAL_MS:
        settings = replace(
            settings,
            max_poll_records=min(settings.max_poll_records, SHORT_INTERVAL_MAX_POLL_RECORDS),
        )
    sent: list[Sent] = []
    progress = None if quiet else Progress("published and ingested")
    producer = make_producer(endpoints.bootstrap)
    started = time.monotonic()

    def on_wave(number: int, _wave: list[Planned]) -> None:
        if progress is not None:
            progress.update(len(sent), f" | wave {number}")

    def on_sent(message: Sent) -> None:
        sent.append(message)
        if progress is not None and options.mode is FeedMode.CONCURRENT and len(sent) % 500 == 0:
            progress.update(len(sent), " | published; the worker takes them in meanwhile")

    try:
        with (
            open_ledger(endpoints.database_url, role=WRITER_ROLE) as worker_ledger,
            Feeder(
                settings, endpoints.bootstrap, worker_ledger, watch, producer, options=options
            ) as feeder,
        ):
            report = feeder.feed(county_year(config), on_sent=on_sent, on_wave=on_wave)
    finally:
        producer.close()
        if progress is not None:
            progress.finish()
    shape = f"{report.waves} waves" if options.mode is FeedMode.WAVES else "one concurrent feed"
    say(quiet, f"   {report.published} messages in {shape}, {time.monotonic() - started:.1f} s")
    return report, check_outcomes(watch, sent)
