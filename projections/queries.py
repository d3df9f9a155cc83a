"""As-of queries: indexed point lookups in the read models, never a replay of the log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from psycopg import Cursor, sql
from psycopg.rows import tuple_row

from domain.identity import institution_aggregate_id
from domain.money import CENT
from domain.postings import misuse_due, pooled_fund
from projections.asof import MICROSECOND, Bitemporal, region_year, start_of_year
from projections.cumulative import CumulativeTable
from projections.facts import HOSPITAL_METRICS
from projections.measures import MeasureStatus
from projections.models import Balances, Hospitals, Penalties
from projections.sanction_facts import SUSPENSIONS, TERMINATIONS
from projections.sanctions import ActiveSanction

SCHEMA = "public"
# Budget warning (seed plan, *default*): spending ahead of the even pace by this many
# percentage points of the annual budget. Policy parameters; see docs/projections.md.
WARNING_LEVELS = (
    (Decimal("0.30"), "red"),
    (Decimal("0.20"), "orange"),
    (Decimal("0.10"), "yellow"),
)


def _cursor(curs: Cursor[Any]) -> Cursor[Any]:
    """Another cursor on the same connection, returning tuples like the lookups expect."""
    return curs.connection.cursor(row_factory=tuple_row)


def money(value: Decimal) -> Decimal:
    """Amounts print with two decimals."""
    return value.quantize(CENT)


def balance(curs: Cursor[Any], account: str, at: Bitemporal) -> Decimal:
    """The balance of an account at (as_of, known_at)."""
    found = Balances(SCHEMA).balances.lookup(curs, [account], at.as_of, at.known_at)
    return money(found[account][0])


def account_known(curs: Cursor[Any], account: str) -> bool:
    """Whether any posting ever named the account (one indexed row at most)."""
    curs.execute(
        sql.SQL("SELECT EXISTS (SELECT 1 FROM {} WHERE key = %s)").format(
            Balances(SCHEMA).balances.deltas
        ),
        (account,),
    )
    row = curs.fetchone()
    return bool(row and row[0])


def latest_balances(curs: Cursor[Any]) -> dict[str, Decimal]:
    """Every account's balance over all valid time, as known now (a scan of every delta)."""
    curs.execute(
        sql.SQL("SELECT key, sum(amounts[1]) FROM {} GROUP BY key").format(
            Balances(SCHEMA).balances.deltas
        )
    )
    return {str(key): money(Decimal(amount)) for key, amount in curs.fetchall()}


@dataclass(frozen=True)
class HospitalPosition:
    """Per-hospital totals at a point, with the budget of as_of's year."""

    institution: str
    totals: dict[str, Decimal]
    budget: Decimal
    budget_used: Decimal
    warning_level: str


def even_pace(as_of: datetime) -> Decimal:
    """The share of as_of's year that has elapsed (均衡进度)."""
    year = region_year(as_of)
    start, end = start_of_year(year), start_of_year(year + 1)
    return Decimal((as_of - start) / (end - start)).quantize(Decimal("0.000001"))


def warning_level(budget: Decimal, used: Decimal, as_of: datetime) -> str:
    """none, yellow, orange or red: how far spending runs ahead of the even pace."""
    if budget <= 0:
        return "none"
    ahead = used / budget - even_pace(as_of)
    return next((level for limit, level in WARNING_LEVELS if ahead > limit), "none")


def hospitals(curs: Cursor[Any], codes: list[str], at: Bitemporal) -> list[HospitalPosition]:
    """Positions of several institutions: three indexed lookups whatever their number."""
    model = Hospitals(SCHEMA)
    year = region_year(at.as_of)
    budget_keys = [f"{institution_aggregate_id(c)}:{year}" for c in codes]
    fines_table = Penalties(SCHEMA).fines
    conn = curs.connection
    # Four lookups in one round trip: the latency is mostly round trips, not index descents.
    with conn.pipeline(), _cursor(curs) as c1, _cursor(curs) as c2, _cursor(curs) as c3:
        model.totals.send_lookup(c1, codes, at.as_of, at.known_at)
        model.totals.send_lookup(c2, codes, start_of_year(year) - MICROSECOND, at.known_at)
        model.budgets.send_lookup(c3, budget_keys, at.as_of, at.known_at)
        fines_table.send_lookup(curs, codes, at.as_of, at.known_at)
        now = model.totals.read_lookup(c1, codes)
        before = model.totals.read_lookup(c2, codes)
        budgets = model.budgets.read_lookup(c3, budget_keys)
        fines = fines_table.read_lookup(curs, codes)
    share = HOSPITAL_METRICS.index("fund_share")
    positions = []
    for code, key in zip(codes, budget_keys, strict=True):
        budget = money(budgets[key][0])
        used = money(now[code][share] - before[code][share])
        positions.append(
            HospitalPosition(
                code,
                dict(zip(HOSPITAL_METRICS, now[code], strict=True))
                | {"fines": sum(fines[code], Decimal(0))},
                budget,
                used,
                warning_level(budget, used, at.as_of),
            )
        )
    return positions


def registered_hospitals(curs: Cursor[Any], region: str | None = None) -> list[str]:
    """Codes of designated institutions, pharmacies included (optionally of one region)."""
    table = Hospitals(SCHEMA).institutions
    query = sql.SQL("SELECT code FROM {} WHERE %s::text IS NULL OR region = %s ORDER BY code")
    curs.execute(query.format(table), (region, region))
    return [row[0] for row in curs.fetchall()]


def first_known_change(curs: Cursor[Any], code: str, metric: str) -> datetime | None:
    """When the ledger first knew a nonzero value of one of a hospital's figures."""
    # The first nonzero delta of the figure: the totals were zero as known before it.
    curs.execute(
        sql.SQL("SELECT min(known_from) FROM {} WHERE key = %s AND amounts[%s] <> 0").format(
            Hospitals(SCHEMA).totals.deltas
        ),
        (code, HOSPITAL_METRICS.index(metric) + 1),
    )
    row = curs.fetchone()
    return None if row is None else row[0]


def first_known_from(curs: Cursor[Any], code: str, day: datetime) -> datetime | None:
    """When the ledger first knew a fact of a hospital valid on or after `day`."""
    curs.execute(
        sql.SQL("SELECT min(known_from) FROM {} WHERE key = %s AND day >= %s").format(
            Hospitals(SCHEMA).totals.deltas
        ),
        (code, day),
    )
    row = curs.fetchone()
    return None if row is None else row[0]


def accounts(curs: Cursor[Any]) -> list[str]:
    """Every account that ever had a balance."""
    return _keys(curs, Balances(SCHEMA).balances)


def penalty_targets(curs: Cursor[Any]) -> list[str]:
    """Whoever has a penalty record: sanctioned or fined targets and doctors with points."""
    model = Penalties(SCHEMA)
    doctors = {key.rsplit(":", 1)[0] for key in _keys(curs, model.points)}
    table = model.sanctions
    curs.execute(
        sql.SQL("SELECT DISTINCT target FROM {}").format(sql.Identifier(table.schema, table.name))
    )
    sanctioned = {str(row[0]) for row in curs.fetchall()}
    measures = model.measures
    curs.execute(
        sql.SQL("SELECT DISTINCT target FROM {}").format(
            sql.Identifier(measures.schema, measures.name)
        )
    )
    sanctioned |= {str(row[0]) for row in curs.fetchall()}
    return sorted(set(_keys(curs, model.fines)) | doctors | sanctioned)


def _keys(curs: Cursor[Any], table: CumulativeTable) -> list[str]:
    curs.execute(sql.SQL("SELECT DISTINCT key FROM {}").format(table.deltas))
    return sorted(str(row[0]) for row in curs.fetchall())


@dataclass(frozen=True)
class PenaltyStatus:
    """Penalty status of an institution, doctor or person at a point."""

    target: str
    active: list[ActiveSanction]
    suspended: bool
    terminated: bool
    fines_due: Decimal
    fines_paid: Decimal
    doctor_points: int
    # Misused money a person was ordered to return (条例 art. 41) and has not returned yet.
    misuse_due: Decimal
    measures: list[MeasureStatus]  # every agreement measure on record by then


def penalties(curs: Cursor[Any], target: str, at: Bitemporal) -> PenaltyStatus:
    """Active sanctions, fines, this year's doctor points, every agreement measure and a
    person's misused money still owed at (as_of, known_at)."""
    model = Penalties(SCHEMA)
    points_key = f"{target}:{region_year(at.as_of)}"
    conn = curs.connection
    owed = misuse_due(target)
    balances = Balances(SCHEMA).balances
    with (
        conn.pipeline(),
        _cursor(curs) as c1,
        _cursor(curs) as c2,
        _cursor(curs) as c3,
        _cursor(curs) as c4,
    ):  # one round trip
        model.sanctions.send_active(c1, target, at.as_of, at.known_at)
        model.fines.send_lookup(c2, [target], at.as_of, at.known_at)
        model.measures.send_of_target(c3, target, at.as_of, at.known_at)
        model.points.send_lookup(curs, [points_key], at.as_of, at.known_at)
        balances.send_lookup(c4, [owed], at.as_of, at.known_at)
        active = model.sanctions.read_active(c1)
        due, paid = model.fines.read_lookup(c2, [target])[target]
        measures = model.measures.read_of_target(c3, at.as_of)
        points = model.points.read_lookup(curs, [points_key])[points_key][0]
        owing = balances.read_lookup(c4, [owed])[owed][0]
    return PenaltyStatus(
        target=target,
        active=active,
        suspended=any(s.kind in SUSPENSIONS for s in active),
        terminated=any(s.kind in TERMINATIONS for s in active),
        fines_due=money(due),
        fines_paid=money(paid),
        doctor_points=int(points),
        misuse_due=money(-owing),
        measures=measures,
    )


# Fund statement lines by the event type that moved money in or out of the pooled fund.
FUND_LINES = {
    "PersonAccount.ContributionPaid": ("income", "contributions"),
    "Subsidy.Granted": ("income", "subsidies"),
    "Clawback.Recovered": ("income", "recoveries"),
    "Refund.Volunteered": ("income", "recoveries"),
    "MisuseRecovery.Recovered": ("income", "recoveries"),
    "Claim.Settled": ("spending", "settlements"),
    "Claim.Reversed": ("spending", "settlements"),
    "Claim.Refused": ("spending", "settlements"),
    "Institution.DeductionImposed": ("income", "recoveries"),
}


def fund_statement(
    curs: Cursor[Any], region: str, year: int, at: Bitemporal
) -> dict[str, dict[str, Decimal]]:
    """Opening balance, income, spending and closing balance of each scheme's pooled fund over a
    calendar year (up to as_of, when that falls in it), as known at known_at."""
    model = Balances(SCHEMA)
    start, end = statement_period(year, at.as_of)
    known_at = at.known_at
    statement: dict[str, dict[str, Decimal]] = {}
    for scheme in ("employee", "resident"):
        account = pooled_fund(region, scheme)
        curs.execute(
            sql.SQL("SELECT event_type FROM {} WHERE account = %s ORDER BY event_type").format(
                model.flow_keys
            ),
            (account,),
        )
        keys = [f"{account}|{row[0]}" for row in curs.fetchall()]
        closing = model.flows.lookup(curs, keys, end, known_at)
        opening = model.flows.lookup(curs, keys, start, known_at)
        lines: dict[str, Decimal] = {
            "contributions": Decimal(0),
            "subsidies": Decimal(0),
            "recoveries": Decimal(0),
            "settlements": Decimal(0),
            "other": Decimal(0),
        }
        for key in keys:
            moved = closing[key][0] - opening[key][0]
            side, line = FUND_LINES.get(key.split("|", 1)[1], ("income", "other"))
            lines[line] += moved if side == "income" else -moved
        balances = [
            model.balances.lookup(curs, [account], t, known_at)[account][0] for t in (start, end)
        ]
        statement[scheme] = (
            {"opening_balance": money(balances[0])}
            | {k: money(v) for k, v in lines.items()}
            | {"closing_balance": money(balances[1])}
        )
    return statement


def statement_period(year: int, as_of: datetime) -> tuple[datetime, datetime]:
    """The instants a year's statement runs between: the end of the year before, and the end of
    the year or as_of if earlier (a statement of the year to date)."""
    start, end = start_of_year(year) - MICROSECOND, start_of_year(year + 1) - MICROSECOND
    return start, max(start, min(end, as_of))
