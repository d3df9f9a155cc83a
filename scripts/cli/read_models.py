"""CLI of read-model maintenance: catch up and follow the log, rebuild, check."""

from __future__ import annotations

import argparse
import sys
import threading
from collections.abc import Mapping
from typing import Any

from infra.services import store_url
from infra.settings import Settings
from infra.store import Ledger, open_ledger
from projections.check import check, rebuild
from projections.models import NAMES
from projections.runner import BATCH_SIZE, ProjectionError, follow, open_projections
from scripts.cli import argtypes, output
from scripts.cli.commandline import AddCommand, Handler
from scripts.cli.progress import Progress


def _ledger(settings: Settings) -> Ledger:
    return open_ledger(store_url(settings))


def _cannot_apply(command: str, error: ProjectionError) -> int:
    # What was applied before the event stays committed; every later run stops at the same place.
    print(f"claims-ledger {command}: {error}", file=sys.stderr)
    return 1


def cmd_project(settings: Settings, args: argparse.Namespace) -> int:
    with _ledger(settings) as ledger:
        try:
            read = follow(
                ledger,
                open_projections(ledger),
                threading.Event(),
                until_idle=args.until_idle,
                page_size=args.page_size,
            )
        except ProjectionError as error:
            return _cannot_apply("project", error)
    output.emit(args.json, {"events_read": read}, _said_projected)
    return 0


def cmd_rebuild(settings: Settings, args: argparse.Namespace) -> int:
    names = [args.projection] if args.projection else list(NAMES)
    with _ledger(settings) as ledger:
        progress = _replay_progress("rebuild", ledger)
        try:
            position = rebuild(ledger, names, progress.update)
        except ProjectionError as error:
            return _cannot_apply("rebuild", error)
        finally:
            progress.finish()
    output.emit(args.json, {"rebuilt": names, "position": position}, _said_rebuilt)
    return 0


def _said_projected(doc: Mapping[str, int]) -> None:
    print(
        f"applied {doc['events_read']} events to the read models"
        if doc["events_read"]
        else "the read models were already at the log's head: nothing to apply"
    )


def _said_rebuilt(doc: Mapping[str, Any]) -> None:
    print(f"rebuilt {', '.join(doc['rebuilt'])} from the log, up to position {doc['position']}")


def _replay_progress(command: str, ledger: Ledger) -> Progress:
    """Events replayed out of the log's length, on stderr when it is a terminal."""
    return Progress(f"{command}: events replayed", ledger.recorder.max_notification_id() or 0)


def cmd_check(settings: Settings, args: argparse.Namespace) -> int:
    with _ledger(settings) as ledger:
        progress = _replay_progress("check", ledger)
        try:
            report = check(ledger, on_page=progress.update)
        finally:
            progress.finish()
    doc = {
        "ok": report.ok,
        "log_head": report.log_head,
        "positions": report.positions,
        "behind": report.behind,
        "stuck": report.stuck,
        "needs_rebuild": {
            name: f"tables of the layout before issue 15 left ({', '.join(tables)}):"
            f" run `claims-ledger rebuild {name}`"
            for name, tables in report.retired.items()
        },
        "events_replayed": report.events,
        "differences": {
            t: {"only_live": a, "only_rebuilt": b} for t, (a, b) in report.differences.items()
        },
        "samples": report.samples,
        "unbalanced_events": [{"position": p, "sum": output.text(s)} for p, s in report.unbalanced],
        "postings_total": output.text(report.postings_total),
        "live_balances_total": output.text(report.live_total),
    }
    if args.json:
        output.print_json(doc)
    else:
        output.key_values({k: v for k, v in doc.items() if k not in {"differences", "samples"}})
        output.table(
            ["table", "only live", "only rebuilt"],
            [[t, a, b] for t, (a, b) in report.differences.items()],
        )
        for sample in report.samples:
            print(sample)
    return 0 if report.ok else 1


def register(add: AddCommand) -> Mapping[str, Handler]:
    """The read-model maintenance commands."""
    p = add("project", "bring the read models up to date with the log, and follow it")
    p.add_argument("--until-idle", type=float, metavar="SECONDS", help="stop once idle this long")
    p.add_argument(
        "--page-size",
        type=argtypes.positive_int,
        default=BATCH_SIZE,
        metavar="EVENTS",
        help=f"events per transaction (default {BATCH_SIZE})",
    )
    p = add("rebuild", "rebuild read models from the whole log, in one transaction")
    p.add_argument("projection", nargs="?", choices=NAMES)
    add("check", "rebuild into scratch tables, compare row for row, check postings sum to zero")
    return {"project": cmd_project, "rebuild": cmd_rebuild, "check": cmd_check}
