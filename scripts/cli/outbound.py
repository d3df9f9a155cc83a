"""Commands of the outbound side: the relay to the events topic and the example report consumer."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from decimal import Decimal

from consumers.relay import Relay
from consumers.relay_broker import RelayBroker
from consumers.reporting import consume_fund_statement
from consumers.topics import Topics
from infra.services import up
from infra.settings import Settings
from infra.store import WRITER_ROLE, open_ledger
from scripts.cli import output
from scripts.cli.commandline import AddCommand, Handler
from scripts.cli.signals import stop_on_signal


def cmd_relay(settings: Settings, args: argparse.Namespace) -> int:
    endpoints = up(settings)
    with (
        open_ledger(endpoints.database_url, role=WRITER_ROLE) as ledger,
        RelayBroker(endpoints.bootstrap) as broker,
    ):
        relay = Relay(ledger, broker, Topics(settings.topic_prefix).events)
        with stop_on_signal() as stop:
            stats = relay.run(stop, until_idle=args.until_idle)
        position = relay.position()
    result = {
        "published": stats.published,
        "batches": stats.batches,
        "position": position,
        "seconds": round(stats.elapsed, 3),
    }
    output.emit(args.json, result, output.key_values)
    return 0


def cmd_report_consumer(settings: Settings, args: argparse.Namespace) -> int:
    endpoints = up(settings)
    with stop_on_signal() as stop:
        statement, stats = consume_fund_statement(
            endpoints.bootstrap, Topics(settings.topic_prefix).events, stop, args.until_idle
        )
    result = {
        **statement.as_dict(),
        "received": stats.received,
        "duplicates_dropped": stats.duplicates,
        "position": stats.position,
        "held_back": stats.held_back,
    }
    if args.json:
        output.print_json(result)
    else:
        print(f"events {stats.applied} up to position {stats.position}", end="")
        print(f" ({stats.duplicates} re-sent records dropped)")
        if stats.held_back:
            print(f"{stats.held_back} records held back: the topic lacks the events before them")
        output.table(
            ["fund account", "income", "spending"],
            [
                [account, Decimal(sums["income"]), Decimal(sums["spending"])]
                for account, sums in result["funds"].items()
            ],
        )
    return 0


def register(add: AddCommand) -> Mapping[str, Handler]:
    """Add the commands of this group to the CLI."""
    for name, help_ in (
        ("relay", "publish committed events, in global order, to the events topic"),
        ("report-consumer", "read the events topic from the start; print a fund statement"),
    ):
        p = add(name, help_)
        p.add_argument(
            "--until-idle",
            type=float,
            metavar="SECONDS",
            help="stop once nothing new came for this long (default: run until SIGTERM)",
        )
    return {"relay": cmd_relay, "report-consumer": cmd_report_consumer}
