"""`statement ACCOUNT`: an account's postings with a running balance, for auditors."""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from domain.calendar import FIRST_DAY, LAST_DAY, service_day
from infra.clock import utc_now
from infra.readers import reading
from infra.settings import Settings
from infra.statement import AccountPosting, account_postings
from scripts.cli import argtypes, output
from scripts.cli.commandline import AddCommand, Handler
from scripts.cli.exits import NotKnownError, UsageError


def local_date(text: str) -> date:
    """`--from`/`--to`: a day of the region's calendar, inclusive."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (2019-12-31)") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise argparse.ArgumentTypeError(
            f"{day} is outside the ledger's calendar ({FIRST_DAY}..{LAST_DAY})"
        )
    return day


@dataclass(frozen=True)
class Statement:
    """The postings of a period with the balance before, after and after each one."""

    opening: Decimal
    lines: list[tuple[AccountPosting, Decimal]]
    closing: Decimal


def build(
    postings: Sequence[AccountPosting], first: date | None, last: date | None, known_at: datetime
) -> Statement:
    """Postings known at `known_at`, by valid day then log position, within [first, last]."""
    # Valid-time order, like `balance --as-of`: a late correction sits on the day it concerns,
    # so the running balance on a line is the balance as of that day, as known at `known_at`.
    known = sorted(
        (p for p in postings if p.recorded_at <= known_at),
        key=lambda p: (service_day(p.occurred_at), p.position),
    )
    opening = Decimal("0.00")
    lines: list[tuple[AccountPosting, Decimal]] = []
    running = opening
    for posting in known:
        day = service_day(posting.occurred_at)
        if last is not None and day > last:
            break
        running += posting.amount
        if first is not None and day < first:
            opening = running
        else:
            lines.append((posting, running))
    return Statement(opening, lines, running)


def statement_dict(
    account: str, first: date | None, last: date | None, known_at: datetime, s: Statement
) -> dict[str, Any]:
    """The `statement --json` document."""
    return {
        "account": account,
        "from": first,
        "to": last,
        "known_at": known_at,
        "opening_balance": s.opening,
        "postings": [
            {
                "day": service_day(p.occurred_at),
                "position": p.position,
                "event": p.event_type,
                "message_id": p.message_id,
                "recorded_at": p.recorded_at,
                "amount": p.amount,
                "balance": balance,
            }
            for p, balance in s.lines
        ],
        "closing_balance": s.closing,
    }


def statement_doc(
    settings: Settings,
    account: str,
    first: date | None,
    last: date | None,
    known_at: datetime | None,
) -> dict[str, Any]:
    """The `statement --json` document (UsageError for a period that ends before it starts,
    NotKnownError for an account no posting names)."""
    if first and last and first > last:
        raise UsageError(f"--from {first} is after --to {last}")
    known_at = known_at or utc_now()
    with reading(settings) as ledger:
        postings = list(account_postings(ledger, account))
    if not postings:
        raise NotKnownError(f"the ledger knows no account {account!r}: no posting names it")
    return statement_dict(account, first, last, known_at, build(postings, first, last, known_at))


def cmd_statement(settings: Settings, args: argparse.Namespace) -> int:
    doc = statement_doc(settings, args.account, args.from_, args.to, args.known_at)
    if args.json:
        output.print_json(doc)
        return 0
    # An open end of the period is left out rather than printed as a Python `None`.
    output.key_values({k: v for k, v in doc.items() if k != "postings" and v is not None})
    rows = [list(line.values()) for line in doc["postings"]]
    if rows:
        output.table(list(doc["postings"][0].keys()), rows)
    return 0


def register(add: AddCommand) -> Mapping[str, Handler]:
    """The `statement` command."""
    p = add("statement", "an account's postings with a running balance and the event behind each")
    p.add_argument("account", help="e.g. fund:430422:resident:pooled, institution:CODE:receivable")
    p.add_argument("--from", dest="from_", type=local_date, help="first day (inclusive)")
    p.add_argument("--to", type=local_date, help="last day (inclusive)")
    p.add_argument(
        "--known-at", type=argtypes.instant, help="system time: only postings recorded by then"
    )
    return {"statement": cmd_statement}
