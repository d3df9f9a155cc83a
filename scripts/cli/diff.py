"""`claims-ledger diff`: which figures of a hospital, an account or a penalty target differ
between two known times, and the events of the log that explain each difference."""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from psycopg import Cursor

from infra.clock import utc_now
from infra.settings import Settings
from infra.store import Ledger
from projections import diff
from projections.asof import MICROSECOND
from scripts.cli import argtypes, display, output
from scripts.cli.commandline import AddCommand, Handler
from scripts.cli.exits import CHECK_FAILED, OK, UsageError
from scripts.cli.queries import local_day, read_with_log, subject

# Figures that count things rather than money: shown as whole numbers.
COUNTS = frozenset({"visits", "doctor_points"})
# The key that names the subject, as the sibling query's --json names it.
SUBJECT_KEYS = {"hospital": "institution", "balance": "account", "penalties": "target"}
EVENT_COLUMNS = ("position", "event", "message_id", "document", "known_at", "amount")


def _known_times(given: Sequence[datetime]) -> tuple[datetime, datetime]:
    if len(given) != 2:
        raise UsageError(
            f"diff needs --known-at twice (the two times to compare); {len(given)} given"
        )
    try:
        return diff.ordered(given[0], given[1])
    except diff.SameTimeError as error:
        raise UsageError(f"--known-at {display.local_time(given[0])} twice: {error}") from None


def _figure_value(figure: str, value: Decimal) -> Decimal | int:
    return int(value) if figure in COUNTS else value


def _event_dict(event: diff.LoggedEvent, amount: Decimal | int | None = None) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "position": event.position,
        "event": event.event_type,
        "message_id": event.message_id,
        "document": event.document,
        "known_at": event.known_at,
    }
    return doc if amount is None else doc | {"amount": amount}


def diff_dict(kind: str, result: diff.Diff) -> dict[str, Any]:
    """The `diff --json` document."""
    figures = []
    for f in result.figures:
        figures.append(
            {
                "figure": f.figure,
                "before": _figure_value(f.figure, f.before),
                "after": _figure_value(f.figure, f.after),
                "difference": _figure_value(f.figure, f.difference),
                "unexplained": _figure_value(f.figure, f.unexplained),
                "events": [
                    _event_dict(c.event, _figure_value(f.figure, c.amount)) for c in f.causes
                ],
            }
        )
    measures = [
        {
            "change": m.change,
            "kind": m.sanction.kind,
            "case_id": m.sanction.case_id,
            "effective_from": local_day(m.sanction.effective_from),
            "effective_to": None
            if m.sanction.effective_until is None
            else local_day(m.sanction.effective_until - MICROSECOND),
            "legal_basis": m.sanction.legal_basis,
            "events": [_event_dict(e) for e in m.events],
        }
        for m in result.measures
    ]
    doc: dict[str, Any] = {
        SUBJECT_KEYS[kind]: result.subject,
        "as_of": result.as_of,
        "known_at": [result.earlier, result.later],
        "figures": figures,
    }
    return doc | ({"measures": measures} if kind == "penalties" else {})


def _indented(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """An events table under its figure; the zone is said once, under the header, not per
    table."""
    for line in output.table_lines(headers, rows):
        if line != display.ZONE_NOTE:
            print(f"  {line}")


def print_diff(doc: Mapping[str, Any]) -> None:
    """A `diff_dict` for people: the point compared, then each figure that changed with the
    events under it, then the sanctions that started or ended being in force."""
    kind = next(iter(doc))
    earlier, later = doc["known_at"]
    output.key_values(
        {kind: doc[kind], "as_of": doc["as_of"], "known_at": earlier, "compared_with": later}
    )
    if not doc["figures"] and not doc.get("measures"):
        print("no difference")
        return
    for f in doc["figures"]:
        before, after, change = (display.cell(f[k]) for k in ("before", "after", "difference"))
        sign = "+" if f["difference"] > 0 else ""
        print(f"\n{f['figure']}  {before} → {after}  ({sign}{change})")
        rows = [[e[c] for c in EVENT_COLUMNS] for e in f["events"]]
        if f["unexplained"]:
            rows.append([None, "unexplained", None, None, None, f["unexplained"]])
        _indented(EVENT_COLUMNS, rows)
    for m in doc.get("measures", []):
        to = m["effective_to"] or "open-ended"
        print(
            f"\n{m['change']} being in force: {m['kind']} {m['case_id']}"
            f" {m['effective_from']}..{to} ({m['legal_basis']})"
        )
        _indented(EVENT_COLUMNS[:-1], [[e[c] for c in EVENT_COLUMNS[:-1]] for e in m["events"]])


def explained(
    settings: Settings,
    kind: str,
    subject_name: str,
    as_of: datetime | None,
    known_at: Sequence[datetime],
) -> diff.Diff:
    """The figures of `kind` about `subject_name` that differ between the two known times, with
    the events that explain them (UsageError unless two distinct times are given)."""
    known = _known_times(known_at)
    as_of = as_of or utc_now()
    reads, check = subject(kind, subject_name)

    def query(ledger: Ledger, _curs: Cursor[Any]) -> diff.Diff:
        return diff.explained(ledger, kind, subject_name, as_of, known)

    result: diff.Diff = read_with_log(settings, reads, query, check)
    return result


def cmd_diff(settings: Settings, args: argparse.Namespace) -> int:
    result = explained(settings, args.kind, args.subject, args.as_of, args.known_at or [])
    output.emit(args.json, diff_dict(args.kind, result), print_diff)
    # An explanation that does not add up is a finding, not an answer: exit like a failed check.
    return CHECK_FAILED if any(f.unexplained for f in result.figures) else OK


def register(add: AddCommand) -> Mapping[str, Handler]:
    """The `diff` command."""
    p = add("diff", "what changed between two known times, and the events that explain it")
    p.add_argument("kind", choices=sorted(diff.DIFFS), help="what to compare")
    p.add_argument("subject", help="institution code, account, or penalty target")
    p.add_argument(
        "--known-at",
        type=argtypes.instant,
        action="append",
        help="system time, given twice: the two times to compare (in either order)",
    )
    p.add_argument(
        "--as-of", type=argtypes.instant, help="valid time of both answers (default: now)"
    )
    return {"diff": cmd_diff}
