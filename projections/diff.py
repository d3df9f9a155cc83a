"""What changed between two known times, and which events of the log made each change.

A figure's difference between `known_at` T1 and T2 (as of the same valid date) is what the
events recorded in (T1, T2] added to it. Each event's share is computed from the facts the read
models apply (`projections/facts.py`; sanction facts resolved against the sanction's terms by
`projections/terms.py`, as the penalty read model does), so the shares add up to the difference
that `projections/queries.py` reports; any remainder is reported as unexplained, never hidden.

The read models keep totals, not the events behind them, so the explanation reads the log from
its start (a later fine payment or appeal is resolved against its sanction's earlier terms, a
reversal against its claim's settled cost), keeping those recorded in (T1, T2]. Only the events
that may concern the subject are decoded (`infra.statement.events_naming`: a byte search for its
name, every sanction's and doctor's event, an institution's own). Like `infra/statement.py` it is
a scan of the log, meant for one account or entity at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from psycopg import Cursor
from psycopg.rows import tuple_row

from domain.identity import institution_aggregate_id
from infra.queries import domain_event_of
from infra.statement import events_naming
from infra.store import Ledger
from projections import queries
from projections.asof import MICROSECOND, Bitemporal, region_year, start_of_day, start_of_year
from projections.cumulative import Delta
from projections.facts import HOSPITAL_METRICS, PENALTY_METRICS, Facts, facts_of, known_time
from projections.runner import plain
from projections.sanction_facts import MeasureRecord, SanctionEnd, SanctionWindow
from projections.sanctions import ActiveSanction
from projections.terms import Resolved, SanctionTerms

ZERO = Decimal(0)


class SameTimeError(ValueError):
    """Both known times are the same instant: there is nothing to compare."""


@dataclass(frozen=True)
class LoggedEvent:
    """An event of the log as an explanation names it."""

    position: int  # notification id: its place in the log
    event_type: str
    message_id: UUID | None
    document: str | None  # the decision document, for events that carry one
    known_at: datetime  # when the ledger recorded it


@dataclass(frozen=True)
class Cause:
    """One event's share of a figure's difference."""

    event: LoggedEvent
    amount: Decimal


@dataclass(frozen=True)
class FigureChange:
    """A figure as known at T1 and at T2, and the events recorded in between that moved it."""

    figure: str
    before: Decimal
    after: Decimal
    causes: list[Cause]

    @property
    def difference(self) -> Decimal:
        return self.after - self.before

    @property
    def unexplained(self) -> Decimal:
        """What the causes do not account for: zero when the read model and the log agree."""
        return self.difference - sum((c.amount for c in self.causes), ZERO)


@dataclass(frozen=True)
class MeasureChange:
    """A sanction that started (`started`) or stopped (`ended`) being in force at as_of, between
    the two known times, with the events recorded in between that concern it."""

    change: str
    sanction: ActiveSanction
    events: list[LoggedEvent]


@dataclass(frozen=True)
class Diff:
    """Everything that differs about one subject between two known times."""

    subject: str
    as_of: datetime
    earlier: datetime
    later: datetime
    figures: list[FigureChange]
    measures: list[MeasureChange] = field(default_factory=list)

    @property
    def unchanged(self) -> bool:
        return not self.figures and not self.measures


def ordered(first: datetime, second: datetime) -> tuple[datetime, datetime]:
    """The two known times, earlier first, whichever order they were given in."""
    if first == second:
        raise SameTimeError(f"both known times are {first.isoformat()}: give two different times")
    return min(first, second), max(first, second)


@dataclass(frozen=True)
class Recorded:
    """One event recorded in the window, with the read-model facts it adds."""

    event: LoggedEvent
    facts: Facts
    resolved: Resolved  # its sanction facts resolved against the terms at its place in the log
    reversed_costs: list[Delta]  # the settled cost each reversal takes back (hospital totals)


@dataclass(frozen=True)
class Window:
    """The events recorded in (earlier, later], and who each sanction seen in the log concerns."""

    events: list[Recorded]
    sanctions: dict[str, SanctionWindow]  # by sanction id (doctor restrictions: trigger:kind)


def _document(event: Any) -> str | None:
    document = getattr(event, "decision_document", None)
    return None if document is None else str(document)


def reversed_costs(facts: Facts, costs: dict[str, Decimal]) -> list[Delta]:
    """As the hospital read model does: a reversal takes back its claim's settled cost."""
    width = len(HOSPITAL_METRICS)
    return [
        Delta(code, valid, (-costs.get(claim, ZERO),) + (ZERO,) * (width - 1))
        for claim, code, valid in facts.reversals
    ]


# Every sanction's and doctor's event is read: a payment or an appeal names no target, it is
# resolved against terms that only the imposition names.
SANCTION_TOPICS = ("%:Sanction.%", "%:Doctor.%")


def recorded_between(
    ledger: Ledger,
    curs: Cursor[Any],
    subject: str,
    known: tuple[datetime, datetime],
    owner: UUID | None = None,
) -> Window:
    """Read the log from its start up to `later`; keep the events recorded in (earlier, later]
    that may concern `subject` (or are `owner`'s). `curs` is in a transaction the caller rolls
    back: the sanction terms are replayed in a temporary table."""
    earlier, later = known
    terms, rows = SanctionTerms("pg_temp"), plain(curs)
    terms.create(rows)
    costs: dict[str, Decimal] = {}
    sanctions: dict[str, SanctionWindow] = {}
    kept: list[Recorded] = []
    for row in events_naming(curs, subject, SANCTION_TOPICS, owner):
        event = domain_event_of(ledger, row)
        provenance = getattr(event, "provenance", None)
        if provenance is None:
            continue  # no facts (none of the ledger's events lacks provenance)
        facts = facts_of(event)
        taken_back = reversed_costs(facts, costs)
        costs.update(facts.claim_costs)
        try:
            resolved = terms.resolve(rows, facts.sanctions) if facts.sanctions else Resolved()
        except LookupError:  # the read model cannot apply it either: it adds nothing
            resolved = Resolved()
        for window in resolved.windows:
            if isinstance(window, SanctionWindow):
                sanctions.setdefault(window.sanction_id, window)
        recorded_at = known_time(event)
        if recorded_at > later:
            break  # known time never decreases along the log: nothing after is in the window
        if earlier < recorded_at:
            logged = LoggedEvent(
                row["notification_id"],
                type(event).__qualname__,
                getattr(provenance, "message_id", None),
                _document(event),
                recorded_at,
            )
            kept.append(Recorded(logged, facts, resolved, taken_back))
    return Window(kept, sanctions)


# What one recorded event adds to a figure, counting only the facts a lookup as of the diff's
# valid date sees.
Share = Callable[[Recorded], Decimal]


def seen_total(deltas: Sequence[Delta], key: str, as_of: datetime, index: int = 0) -> Decimal:
    """The deltas' amounts at `index` for `key`, counting those a lookup as of `as_of` sees
    (valid time has day resolution: a fact counts from the start of its local day)."""
    return sum(
        (d.amounts[index] for d in deltas if d.key == key and start_of_day(d.valid_at) <= as_of),
        ZERO,
    )


def _causes(window: Window, share: Share) -> list[Cause]:
    causes = [Cause(r.event, share(r)) for r in window.events]
    return [c for c in causes if c.amount]


def figure_changes(
    window: Window, before: dict[str, Decimal], after: dict[str, Decimal], shares: dict[str, Share]
) -> list[FigureChange]:
    """The figures that differ, each with its causes (a figure that moved and came back between
    the two times does not differ, and is not listed)."""
    return [
        FigureChange(figure, before[figure], after[figure], _causes(window, share))
        for figure, share in shares.items()
        if before[figure] != after[figure]
    ]


def balance_diff(
    ledger: Ledger,
    curs: Cursor[Any],
    account: str,
    as_of: datetime,
    known: tuple[datetime, datetime],
) -> Diff:
    """How an account's balance as of `as_of` changed between the two known times."""
    earlier, later = ordered(*known)
    before = {"balance": queries.balance(curs, account, Bitemporal(as_of, earlier))}
    after = {"balance": queries.balance(curs, account, Bitemporal(as_of, later))}
    window = recorded_between(ledger, curs, account, (earlier, later))
    shares: dict[str, Share] = {"balance": lambda r: seen_total(r.facts.balances, account, as_of)}
    return Diff(account, as_of, earlier, later, figure_changes(window, before, after, shares))


def _hospital_figures(curs: Cursor[Any], code: str, at: Bitemporal) -> dict[str, Decimal]:
    position = queries.hospitals(curs, [code], at)[0]
    return position.totals | {"budget": position.budget, "budget_used": position.budget_used}


def _budget_share(curs: Cursor[Any], code: str, as_of: datetime) -> Callable[[Recorded], Decimal]:
    """An allocation replaces the year's budget (it is no change of a total): its share is what
    the budget as of `as_of` became when it was recorded, compared with just before."""
    key = f"{institution_aggregate_id(code)}:{region_year(as_of)}"
    seen: set[datetime] = set()  # allocations recorded together: the first takes the change

    def share(r: Recorded) -> Decimal:
        if not any(d.key == key for d in r.facts.budget_totals) or r.event.known_at in seen:
            return ZERO
        seen.add(r.event.known_at)
        known = r.event.known_at
        return (
            _hospital_figures(curs, code, Bitemporal(as_of, known))["budget"]
            - _hospital_figures(curs, code, Bitemporal(as_of, known - MICROSECOND))["budget"]
        )

    return share


def hospital_diff(
    ledger: Ledger, curs: Cursor[Any], code: str, as_of: datetime, known: tuple[datetime, datetime]
) -> Diff:
    """How an institution's totals, fines and budget use as of `as_of` changed between the two
    known times."""
    earlier, later = ordered(*known)
    before = _hospital_figures(curs, code, Bitemporal(as_of, earlier))
    after = _hospital_figures(curs, code, Bitemporal(as_of, later))
    window = recorded_between(ledger, curs, code, (earlier, later), institution_aggregate_id(code))
    year_start = start_of_year(region_year(as_of))

    def metric(index: int) -> Share:
        return lambda r: seen_total([*r.facts.hospitals, *r.reversed_costs], code, as_of, index)

    def budget_used(r: Recorded) -> Decimal:
        index = HOSPITAL_METRICS.index("fund_share")
        this_year = [d for d in r.facts.hospitals if start_of_day(d.valid_at) >= year_start]
        return seen_total(this_year, code, as_of, index)

    def fines(r: Recorded) -> Decimal:
        # The hospital's `fines` is due plus paid: what was imposed, whatever was paid of it.
        return sum((seen_total(r.resolved.fines, code, as_of, i) for i in range(2)), ZERO)

    shares: dict[str, Share] = {m: metric(i) for i, m in enumerate(HOSPITAL_METRICS)}
    shares |= {"fines": fines, "budget": _budget_share(curs, code, as_of)}
    shares["budget_used"] = budget_used
    return Diff(code, as_of, earlier, later, figure_changes(window, before, after, shares))


def _penalty_figures(status: queries.PenaltyStatus) -> dict[str, Decimal]:
    return {
        "fines_due": status.fines_due,
        "fines_paid": status.fines_paid,
        "doctor_points": Decimal(status.doctor_points),
    }


def _measure_events(window: Window, target: str, sanction: ActiveSanction) -> list[LoggedEvent]:
    """The events in the window that set or ended this sanction's window."""

    def concerns(change: SanctionWindow | SanctionEnd | MeasureRecord) -> bool:
        if isinstance(change, MeasureRecord):
            return False  # a measure's window is its SanctionWindow, seen beside it
        w = (
            change
            if isinstance(change, SanctionWindow)
            else window.sanctions.get(change.sanction_id)
        )
        return w is not None and (w.target, w.kind, w.case_id) == (
            target,
            sanction.kind,
            sanction.case_id,
        )

    return [r.event for r in window.events if any(concerns(c) for c in r.resolved.windows)]


def penalties_diff(
    ledger: Ledger,
    curs: Cursor[Any],
    target: str,
    as_of: datetime,
    known: tuple[datetime, datetime],
) -> Diff:
    """How a target's fines, doctor points and sanctions in force at `as_of` changed between the
    two known times."""
    earlier, later = ordered(*known)
    status = [queries.penalties(curs, target, Bitemporal(as_of, t)) for t in (earlier, later)]
    window = recorded_between(ledger, curs, target, (earlier, later))
    points_key = f"{target}:{region_year(as_of)}"

    def fine(index: int) -> Share:
        return lambda r: seen_total(r.resolved.fines, target, as_of, index)

    shares: dict[str, Share] = {m: fine(i) for i, m in enumerate(PENALTY_METRICS)}
    shares["doctor_points"] = lambda r: seen_total(r.resolved.points, points_key, as_of)
    figures = figure_changes(
        window, _penalty_figures(status[0]), _penalty_figures(status[1]), shares
    )
    measures = [
        MeasureChange(change, s, _measure_events(window, target, s))
        for change, now, then in (
            ("started", status[1].active, status[0].active),
            ("ended", status[0].active, status[1].active),
        )
        for s in now
        if s not in then
    ]
    return Diff(target, as_of, earlier, later, figures, measures)


# What `diff KIND SUBJECT` computes, by KIND.
DIFFS: dict[str, Callable[[Ledger, Cursor[Any], str, datetime, tuple[datetime, datetime]], Diff]]
DIFFS = {"hospital": hospital_diff, "balance": balance_diff, "penalties": penalties_diff}


def explained(
    ledger: Ledger, kind: str, subject: str, as_of: datetime, known: tuple[datetime, datetime]
) -> Diff:
    """The diff of `kind` (hospital, balance, penalties) for one subject, on a connection of its
    own, in a transaction rolled back (the sanction terms' temporary table goes with it)."""
    with (
        ledger.datastore.get_connection() as conn,
        conn.transaction(force_rollback=True),
        conn.cursor(row_factory=tuple_row) as curs,
    ):
        return DIFFS[kind](ledger, curs, subject, as_of, known)
