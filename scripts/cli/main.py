"""`claims-ledger`: run the ledger's services, publish, ingest, and read what it holds."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
import warnings
from collections.abc import Mapping, Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict

from consumers.ingest import IngestStats, run_worker
from consumers.topics import Topics
from domain.reasons import Reason
from infra.clock import utc_now
from infra.kafka import make_producer
from infra.queries import HistoryEntry, RejectedEntry, rejected
from infra.readers import reading
from infra.related import history_with_related
from infra.services import Endpoints, down, status, up
from infra.settings import Settings
from infra.store import WRITER_ROLE, open_ledger
from scripts.cli import (
    audit,
    console,
    diff,
    held,
    helptext,
    offsets,
    outbound,
    output,
    queries,
    read_models,
    reconcile,
    sanctions,
    statement,
)
from scripts.cli.argtypes import entity_kinds, positive_int
from scripts.cli.commandline import CommandGroup, Handler
from scripts.cli.exits import NotKnownError, Parser, UsageError, one_line, run
from scripts.cli.progress import Progress
from scripts.cli.publish import UnroutableError, publish, read_lines, route
from scripts.cli.signals import stop_on_signal
from scripts.demo.arguments import add_demo_arguments


def cmd_up(settings: Settings, args: argparse.Namespace) -> int:
    endpoints = up(settings)
    output.emit(args.json, _endpoints_dict(endpoints), _said_up)
    return 0


def _said_up(doc: Mapping[str, object]) -> None:
    print("the services answer, the topics exist and the store is set up:")
    output.key_values(doc)


def _endpoints_dict(e: Endpoints) -> dict[str, object]:
    return {
        "database": e.database_url,
        "kafka": e.bootstrap,
        "embedded_database": e.embedded_database,
        "embedded_broker": e.embedded_broker,
    }


def cmd_down(settings: Settings, args: argparse.Namespace) -> int:
    stopped = down(settings)
    output.emit(args.json, {"stopped": stopped}, _said_down)
    return 0


def _said_down(doc: Mapping[str, list[str]]) -> None:
    for service in doc["stopped"]:
        print(f"stopped {service}")
    if not doc["stopped"]:
        print("nothing to stop: no embedded service was running")


def cmd_status(settings: Settings, args: argparse.Namespace) -> int:
    output.emit(args.json, status(settings), output.key_values)
    return 0


def cmd_publish(settings: Settings, args: argparse.Namespace) -> int:
    raw = sys.stdin.buffer.read() if args.file == "-" else _read_file(args.file)
    try:
        messages = route(read_lines(raw), Topics(settings.topic_prefix), args.topic)
    except UnroutableError as error:
        print(f"claims-ledger publish: {error}", file=sys.stderr)
        return 2
    endpoints = up(settings)
    producer = make_producer(endpoints.bootstrap)
    try:
        per_topic = publish(producer, messages, quiet=args.json)
    finally:
        producer.close()
    output.emit(
        args.json,
        {"published": sum(per_topic.values()), "topics": dict(per_topic)},
        _said_published,
    )
    return 0


def _said_published(doc: Mapping[str, Any]) -> None:
    print(f"published {doc['published']} messages, each acknowledged by the broker:")
    output.table(["topic", "messages"], sorted(doc["topics"].items()))


def _read_file(name: str) -> bytes:
    try:
        return Path(name).read_bytes()
    except OSError as error:  # missing, a directory, no permission: the user's to fix
        raise UsageError(f"cannot read {name}: {error.strerror or error}") from None


def run_ingest(settings: Settings, until_idle: float | None, quiet: bool) -> IngestStats:
    """Run one worker until idle or until SIGTERM/SIGINT, finishing the batch in hand."""
    endpoints = up(settings)
    with stop_on_signal() as stop:
        return _ingest(settings, endpoints, until_idle, quiet, stop)


def _ingest(
    settings: Settings,
    endpoints: Endpoints,
    until_idle: float | None,
    quiet: bool,
    stop: threading.Event,
) -> IngestStats:
    progress = None if quiet else Progress("ingested")
    if progress is not None:
        _say_listening(settings, endpoints, until_idle, progress)

    def on_batch(stats: IngestStats) -> None:
        if progress is not None:
            progress.update(
                stats.consumed,
                f" | accepted {stats.accepted}, rejected "
                f"{stats.rejected}, duplicates {stats.duplicates}",
            )

    try:
        # The worker appends as the writer role: it cannot update or delete what it wrote.
        with open_ledger(endpoints.database_url, role=WRITER_ROLE) as ledger:
            stats = run_worker(
                settings,
                endpoints.bootstrap,
                ledger,
                stop,
                utc_now,
                until_idle=until_idle,
                on_batch=on_batch,
            )
    finally:
        if progress is not None:
            progress.finish()
    return stats


def _say_listening(
    settings: Settings, endpoints: Endpoints, until_idle: float | None, progress: Progress
) -> None:
    """One line on stderr when the worker starts, so an idle worker is not a silent one.

    Once, not every N seconds: under a supervisor stderr is a log, and a line per idle period
    would fill it; on a terminal the progress line then says whether anything came."""
    topics = Topics(settings.topic_prefix).all_inbound
    until = f"until idle {until_idle:g} s" if until_idle is not None else "until SIGTERM or Ctrl-C"
    print(
        f"claims-ledger ingest: waiting for messages on {', '.join(topics)}"
        f" at {endpoints.bootstrap} ({until})",
        file=sys.stderr,
        flush=True,
    )
    progress.update(0, " | nothing yet", force=True)


def cmd_ingest(settings: Settings, args: argparse.Namespace) -> int:
    stats = run_ingest(settings, args.until_idle, quiet=args.json)
    output.emit(args.json, output.stats_dict(stats), output.key_values)
    return 0


def history_entries(
    settings: Settings, entity: str, only: frozenset[str] | None
) -> list[HistoryEntry]:
    """Every event about `entity` and what relates to it (NotKnownError if none), of the
    entity kinds `only` names, if given."""
    with reading(settings) as ledger:
        entries = history_with_related(ledger, entity)
    if not entries:
        raise NotKnownError(f"the ledger knows no entity {entity!r}: no event is about it")
    if only:
        entries = [e for e in entries if e.entity.partition(":")[0] in only]
    return entries


def cmd_history(settings: Settings, args: argparse.Namespace) -> int:
    entries = history_entries(settings, args.entity, args.only)
    if args.json:
        output.print_json([output.history_dict(e) for e in entries])
    else:
        output.history_table(entries)
    return 0


def rejected_entries(settings: Settings, reason: str | None, limit: int) -> list[RejectedEntry]:
    """The newest `limit` dead letters, of one reason code if given (NotKnownError for a code
    the ledger does not have)."""
    _known_reason(reason)
    with reading(settings) as ledger:
        return rejected(ledger, reason, limit, newest_first=True)


def cmd_rejected(settings: Settings, args: argparse.Namespace) -> int:
    _known_reason(args.reason)
    if args.action == "replay":
        from scripts.cli.replay import cmd_replay  # noqa: PLC0415 - Kafka clients only for replay

        return cmd_replay(settings, args)
    entries = rejected_entries(settings, args.reason, args.limit)
    if args.json:
        output.print_json([output.rejected_dict(e) for e in entries])
    elif not entries:
        print("no rejected messages")
    else:
        output.rejected_table(entries)
    return 0


def _known_reason(reason: str | None) -> None:
    if reason is not None and reason not in {r.value for r in Reason}:
        raise NotKnownError(
            f"the ledger knows no reason code {reason!r}; the codes are {', '.join(sorted(Reason))}"
        )


def cmd_demo(settings: Settings, args: argparse.Namespace) -> int:
    from scripts.demo.run import run_demo  # noqa: PLC0415 - the demo's helpers load only for it

    return run_demo(settings, args)


# Areas that own their commands add their module here (one line each keeps merges trivial).
COMMAND_GROUPS: tuple[CommandGroup, ...] = (
    audit,
    outbound,
    sanctions,
    queries,
    read_models,
    offsets,
    statement,
    reconcile,
    diff,
    held,
    console,
)


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, Handler]]:
    parser = Parser(prog="claims-ledger", **helptext.parser_texts(None))
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    parser.add_argument("--debug", action="store_true", help=DEBUG_HELP)
    sub = parser.add_subparsers(dest="command", required=True)

    def command(name: str, help_: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, **helptext.parser_texts(name))
        p.add_argument("--json", action="store_true", help="machine-readable output, no progress")
        # Also after the command's name; SUPPRESS keeps a --debug given before it.
        p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=DEBUG_HELP)
        return p

    command("up", "start embedded services where none are configured; create topics and tables")
    command("down", "stop the embedded services (PostgreSQL data is kept)")
    command("status", "show where the services are")
    p = command("publish", "produce each JSONL line to the topic its type belongs to")
    p.add_argument("file", help="a .jsonl file, or - for standard input")
    p.add_argument("--topic", help="send every line unchanged to this topic (name or suffix)")
    p = command("ingest", "consume inbound topics into the store")
    p.add_argument(
        "--until-idle",
        type=float,
        metavar="SECONDS",
        help="stop once nothing arrived for this long (default: run until SIGTERM)",
    )
    p = command("history", "every recorded event about an entity, in order")
    p.add_argument("entity", help="institution code or person id (or institution:X, person:X)")
    p.add_argument(
        "--only",
        type=entity_kinds,
        help="only these kinds, comma-separated: e.g. claim,clawback,refund,sanction",
    )
    p = command("rejected", "messages that could not be accepted, with their reasons")
    p.add_argument(
        "action",
        nargs="?",
        choices=("list", "replay"),
        default="list",
        help="list (default) them, or replay them to their original topics",
    )
    p.add_argument("--reason", help="only this reason code")
    p.add_argument("--limit", type=positive_int, default=1000, help="the newest N (default 1000)")
    add_demo_arguments(
        command("demo", "start services, run a county year through Kafka, show what is recorded")
    )
    handlers = dict(COMMANDS)
    for group in COMMAND_GROUPS:
        handlers.update(group.register(command))
    return parser, handlers


DEBUG_HELP = "on a failure, also print the traceback"


def _version() -> str:
    return version("claims-ledger")


COMMANDS: dict[str, Handler] = {
    "up": cmd_up,
    "down": cmd_down,
    "status": cmd_status,
    "publish": cmd_publish,
    "ingest": cmd_ingest,
    "history": cmd_history,
    "rejected": cmd_rejected,
    "demo": cmd_demo,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser, handlers = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=os.environ.get("LEDGER_LOG_LEVEL", "WARNING"))
    # platformdirs warns when XDG_RUNTIME_DIR is unset; the embedded server copes without it.
    warnings.filterwarnings("ignore", module="platformdirs")
    return run(args.command, lambda: handlers[args.command](_settings(), args), debug=args.debug)


def _settings() -> Settings:
    settings = Settings.from_env(os.environ)
    if settings.database_url:
        # Told here, or psycopg's complaint would surface as a defect from deep in a command.
        try:
            conninfo_to_dict(settings.database_url)
        except psycopg.ProgrammingError as error:
            raise UsageError(
                f"LEDGER_DATABASE_URL is not a PostgreSQL URL: {one_line(error)}"
            ) from None
    return settings


if __name__ == "__main__":
    sys.exit(main())
