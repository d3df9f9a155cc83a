"""CLI of the as-of queries and reports over the read models."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

from psycopg import Cursor
from psycopg.rows import tuple_row

from domain.calendar import service_day
from domain.person_values import Scheme
from infra.clock import utc_now
from infra.queries import is_known
from infra.readers import reading
from infra.settings import Settings
from infra.store import Ledger
from projections import queries
from projections.asof import MICROSECOND, Bitemporal
from projections.check import retired_left
from projections.runner import ReadModelProjection, open_projections
from scripts.cli import argtypes, output, supervision
from scripts.cli.commandline import AddCommand, Handler
from scripts.cli.exits import NotKnownError, UsageError

# The read models each query reads (hospital totals include the fines of the penalties model;
# penalties the balance of a person's misused money owed).
BALANCES = ("balances",)
HOSPITALS = ("hospitals", "penalties")
PENALTIES = ("penalties", "balances")

# The `hospital --json` amounts, in their documented order.
HOSPITAL_FIGURES = (
    "settled_cost",
    "fund_share",
    "visits",
    "refused",
    "recovered",
    "fines",
    "disbursed",
    "deposit_held",
)


def _with_point(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    p.add_argument(
        "--as-of", type=argtypes.instant, help="valid time: a date (end of day, +08:00) or datetime"
    )
    p.add_argument("--known-at", type=argtypes.instant, help="known time: what was on record then")
    return p


def _point(args: argparse.Namespace) -> Bitemporal:
    return Bitemporal.of(args.as_of, args.known_at, utc_now())


def _warn_if_behind(ledger: Ledger, models: Sequence[ReadModelProjection]) -> bool:
    """Warn about each read model behind the log's head; whether any is. Given only the models
    a query reads: a warning about one it does not read would cast doubt on a sound answer."""
    # The queries read the read models only; an answer "as known now" from a model that has not
    # reached the log's head would silently miss facts the ledger already holds.
    head = ledger.recorder.max_notification_id() or 0
    behind = False
    for name in retired_left(ledger, [m.model.name for m in models]):
        behind = True
        print(
            f"warning: read model {name} was projected into the layout before issue 15;"
            f" its tables are empty until `claims-ledger rebuild {name}` fills them",
            file=sys.stderr,
        )
    for model in models:
        position = model.position()
        if position < head:
            behind = True
            print(
                f"warning: read model {model.model.name} is at position {position} of {head};"
                " answers miss the newest events (run `claims-ledger project --until-idle 2`)",
                file=sys.stderr,
            )
    return behind


# Raises NotKnownError when the ledger holds nothing about what the user named: zeros for a
# typo would read as an idle hospital. Told whether the read models have reached the log's head.
Check = Callable[[Ledger, Cursor[Any], bool], None]


def _read(
    settings: Settings,
    reads: Sequence[str],
    query: Callable[[Cursor[Any]], Any],
    check: Check | None = None,
) -> Any:
    """Run a query over the read models named in `reads`, warning if one of them is behind."""
    return read_with_log(settings, reads, lambda _ledger, curs: query(curs), check)


def read_with_log(
    settings: Settings,
    reads: Sequence[str],
    query: Callable[[Ledger, Cursor[Any]], Any],
    check: Check | None = None,
) -> Any:
    """Run a query that reads the log as well as the read models named in `reads` (warning if
    one of them is behind), in one transaction that is rolled back: nothing it does stays."""
    with reading(settings) as ledger:
        current = not _warn_if_behind(ledger, open_projections(ledger, reads))
        with (
            ledger.datastore.get_connection() as conn,
            conn.transaction(force_rollback=True),
            conn.cursor(row_factory=tuple_row) as curs,
        ):
            if check is not None:
                check(ledger, curs, current)
            return query(ledger, curs)


def _known_entity(what: str, name: str, kinds: Sequence[str]) -> Check:
    def check(ledger: Ledger, _curs: Cursor[Any], _current: bool) -> None:
        if not is_known(ledger, [f"{kind}:{name}" for kind in kinds]):
            raise NotKnownError(f"the ledger knows no {what} {name!r}")

    return check


def _known_account(account: str) -> Check:
    def check(_ledger: Ledger, curs: Cursor[Any], current: bool) -> None:
        # Accounts live in the read model only: one behind the log cannot tell (it warned).
        if current and not queries.account_known(curs, account):
            raise NotKnownError(f"the ledger knows no account {account!r}: no posting names it")

    return check


def _known_region(region: str | None) -> Check | None:
    if region is None:
        return None

    def check(ledger: Ledger, curs: Cursor[Any], current: bool) -> None:
        # A region is known by its policies (in the log) or its institutions (a read model).
        policies = [f"policy:{region}:{scheme}" for scheme in Scheme]
        if is_known(ledger, policies) or queries.registered_hospitals(curs, region):
            return
        if current:
            raise NotKnownError(f"the ledger knows no pooling region {region!r}")

    return check


def subject(kind: str, name: str) -> tuple[Sequence[str], Check]:
    """What a `balance`, `hospital` or `penalties` query of `name` reads, and how it tells that
    the ledger knows `name` at all."""
    if kind == "balance":
        return BALANCES, _known_account(name)
    if kind == "hospital":
        return HOSPITALS, _known_entity("institution", name, ["institution"])
    if kind == "penalties":
        targets = ["institution", "doctor", "person"]
        return PENALTIES, _known_entity("institution, doctor or person", name, targets)
    raise ValueError(f"no query of {kind!r}")


def read_checked(
    settings: Settings, reads: Sequence[str], query: Callable[[Cursor[Any]], Any], region: str
) -> Any:
    """A read of one region's figures over the read models named in `reads` (warns when one
    is behind; an unknown region exits 3)."""
    return _read(settings, reads, query, _known_region(region))


def balance_doc(settings: Settings, account: str, at: Bitemporal) -> dict[str, Any]:
    """The `balance --json` document (NotKnownError for an account no posting names)."""
    reads, check = subject("balance", account)
    amount = _read(settings, reads, lambda c: queries.balance(c, account, at), check)
    return {"account": account, "as_of": at.as_of, "known_at": at.known_at, "balance": amount}


def cmd_balance(settings: Settings, args: argparse.Namespace) -> int:
    # JSON writes the same instants and amounts as output.text would (json_value).
    output.emit(args.json, balance_doc(settings, args.account, _point(args)), output.key_values)
    return 0


def hospital_dict(position: queries.HospitalPosition, at: Bitemporal) -> dict[str, Any]:
    """The `hospital --json` document."""
    totals = position.totals
    doc: dict[str, Any] = {
        "institution": position.institution,
        "as_of": at.as_of,
        "known_at": at.known_at,
    }
    for metric in HOSPITAL_FIGURES:
        doc[metric] = int(totals[metric]) if metric == "visits" else queries.money(totals[metric])
    doc |= {"budget": position.budget, "budget_used": position.budget_used}
    doc["warning_level"] = position.warning_level
    return doc


def hospital_doc(settings: Settings, code: str, at: Bitemporal) -> dict[str, Any]:
    """The `hospital --json` document of one institution (NotKnownError for an unknown code)."""
    reads, check = subject("hospital", code)
    position = _read(settings, reads, lambda c: queries.hospitals(c, [code], at), check)[0]
    return hospital_dict(position, at)


def cmd_hospital(settings: Settings, args: argparse.Namespace) -> int:
    output.emit(args.json, hospital_doc(settings, args.code, _point(args)), output.key_values)
    return 0


def local_day(moment: datetime) -> str:
    """Windows print as the inclusive local dates of the wire catalog (2019-07-01..2019-12-31)."""
    return service_day(moment).isoformat()


def penalty_dict(status: queries.PenaltyStatus, at: Bitemporal) -> dict[str, Any]:
    """The `penalties --json` document."""
    return {
        "target": status.target,
        "as_of": at.as_of,
        "known_at": at.known_at,
        "suspended": status.suspended,
        "terminated": status.terminated,
        "active": [
            {
                "kind": s.kind,
                "case_id": s.case_id,
                "effective_from": local_day(s.effective_from),
                "effective_to": None
                if s.effective_until is None
                else local_day(s.effective_until - MICROSECOND),
                "legal_basis": s.legal_basis,
            }
            for s in status.active
        ],
        "fines_due": status.fines_due,
        "fines_paid": status.fines_paid,
        "doctor_points": status.doctor_points,
        "misuse_due": status.misuse_due,
        "measures": [asdict(m) for m in status.measures],
    }


def penalties_doc(settings: Settings, target: str, at: Bitemporal) -> dict[str, Any]:
    """The `penalties --json` document (NotKnownError for a target the log never names)."""
    reads, check = subject("penalties", target)
    status = _read(settings, reads, lambda c: queries.penalties(c, target, at), check)
    return penalty_dict(status, at)


def cmd_penalties(settings: Settings, args: argparse.Namespace) -> int:
    doc = penalties_doc(settings, args.target, _point(args))
    if args.json:
        output.print_json(doc)
    else:
        output.key_values({k: v for k, v in doc.items() if k not in ("active", "measures")})
        rows = [list(a.values()) for a in doc["active"]]
        if rows:
            output.table(["kind", "case_id", "effective_from", "effective_to", "legal_basis"], rows)
        if doc["measures"]:
            print("measures on record:")
            output.table(list(doc["measures"][0]), [list(m.values()) for m in doc["measures"]])
    return 0


def _rows_out(args: argparse.Namespace, rows: Sequence[Mapping[str, Any]]) -> None:
    if args.json:
        output.print_json(list(rows))
    elif args.csv:
        output.write_csv(sys.stdout, rows)
    elif rows:
        output.point_table(rows)


def fund_rows(settings: Settings, region: str, year: int, at: Bitemporal) -> list[dict[str, Any]]:
    """The `report fund --json` rows: one per scheme (NotKnownError for an unknown region)."""
    statement = _read(
        settings,
        BALANCES,
        lambda c: queries.fund_statement(c, region, year, at),
        _known_region(region),
    )
    return [
        {"region": region, "year": year, "scheme": scheme, "known_at": at.known_at} | lines
        for scheme, lines in statement.items()
    ]


def hospital_rows(settings: Settings, region: str | None, at: Bitemporal) -> list[dict[str, Any]]:
    """The `report hospitals --json` rows: every institution of the region (or of all)."""
    positions = _read(
        settings,
        HOSPITALS,
        lambda c: queries.hospitals(c, queries.registered_hospitals(c, region), at),
        _known_region(region),
    )
    return [hospital_dict(p, at) for p in positions]


def cmd_report(settings: Settings, args: argparse.Namespace) -> int:
    if args.report == "supervision":
        return supervision.cmd_supervision(settings, args, _rows_out)
    at = _point(args)
    if args.report == "fund":
        if args.region is None or args.year is None:
            raise UsageError("--region and --year are required")
        rows = fund_rows(settings, args.region, args.year, at)
    else:
        rows = hospital_rows(settings, args.region, at)
    _rows_out(args, rows)
    return 0


def register(add: AddCommand) -> Mapping[str, Handler]:
    """The as-of query commands."""
    p = _with_point(add("balance", "balance of an account as of a date, as known at a time"))
    p.add_argument("account", help="e.g. fund:430422:resident:pooled")
    p = _with_point(add("hospital", "per-hospital totals, budget use and warning level"))
    p.add_argument("code", help="institution code, e.g. H43042200011")
    p = _with_point(add("penalties", "penalty status of an institution, doctor or person"))
    p.add_argument("target", help="institution code, doctor id or person id")
    p = _with_point(
        add("report", "fund statement, per-hospital totals or supervision figures (--csv too)")
    )
    p.add_argument("report", choices=["fund", "hospitals", "supervision"])
    p.add_argument("--region", help="pooling region (required for fund)")
    p.add_argument("--year", type=argtypes.year, help="calendar year (fund, supervision)")
    p.add_argument("--csv", action="store_true", help="CSV instead of a table")
    return {
        "balance": cmd_balance,
        "hospital": cmd_hospital,
        "penalties": cmd_penalties,
        "report": cmd_report,
    }
