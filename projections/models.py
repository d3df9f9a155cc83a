"""The three read models and the tables each owns, in a given schema (live or scratch)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from itertools import groupby
from typing import Any

from psycopg import Cursor, sql

from domain.postings import is_shared_account
from projections.cumulative import CumulativeTable, Delta, always
from projections.facts import HOSPITAL_METRICS, PENALTY_METRICS, Facts
from projections.measures import MeasureTable
from projections.sanction_facts import MeasureRecord, SanctionEnd
from projections.sanctions import SanctionTable
from projections.terms import SanctionTerms

# A known time later than any recording: "as known now" inside a writer's transaction.
LATEST = datetime(9999, 1, 1, tzinfo=UTC)
# Facts of one event with the time the ledger recorded it.
Recorded = tuple[Facts, datetime]

REGISTRY = """
CREATE TABLE IF NOT EXISTS {institutions} (code text PRIMARY KEY, region text NOT NULL);
CREATE TABLE IF NOT EXISTS {flow_keys} (
    account text NOT NULL, event_type text NOT NULL, PRIMARY KEY (account, event_type));
"""


def by_known_time(batch: Sequence[Recorded]) -> Iterable[tuple[datetime, list[Facts]]]:
    """Consecutive events recorded at the same time, in log order."""
    for known, group in groupby(batch, key=lambda item: item[1]):
        yield known, [facts for facts, _ in group]


@dataclass(frozen=True)
class Balances:
    """Balance of every account, and the pooled funds' flows per event type (for fund
    statements, their one reader)."""

    schema: str
    name: str = "balances"
    # The layout before issue 15 (rectangles and their days): `rebuild` drops these.
    retired: tuple[str, ...] = (
        "account_balances",
        "account_balances_days",
        "account_flows",
        "account_flows_days",
    )

    @property
    def balances(self) -> CumulativeTable:
        """Balance of each account."""
        return CumulativeTable(self.schema, "account_balances", 1, hot=is_shared_account)

    @property
    def flows(self) -> CumulativeTable:
        """Flows of the pooled funds per event type (no other account's: facts.py)."""
        return CumulativeTable(self.schema, "account_flows", 1, hot=always)

    @property
    def flow_keys(self) -> sql.Identifier:
        """Which (account, event type) flows exist, for statements."""
        return sql.Identifier(self.schema, "account_flow_keys")

    def tables(self) -> list[str]:
        """The tables this read model owns (rebuild and check work on these)."""
        return [*self.balances.tables(), *self.flows.tables(), "account_flow_keys"]

    def create(self, curs: Cursor[Any]) -> None:
        """Create the tables if missing."""
        self.balances.create(curs)
        self.flows.create(curs)
        _create_registry(curs, self.schema)

    def apply(self, curs: Cursor[Any], batch: Sequence[Recorded]) -> None:
        """Apply a page of the log, by recording time, in the caller's transaction."""
        recordings = list(by_known_time(batch))
        self.balances.apply_recordings(
            curs, [(known, [d for f in facts for d in f.balances]) for known, facts in recordings]
        )
        flows = [(known, [d for f in facts for d in f.flows]) for known, facts in recordings]
        self.flows.apply_recordings(curs, flows)
        pairs = sorted({tuple(d.key.split("|", 1)) for _, deltas in flows for d in deltas})
        if pairs:
            curs.execute(
                sql.SQL(
                    "INSERT INTO {} SELECT * FROM unnest(%s::text[], %s::text[])"
                    " ON CONFLICT DO NOTHING"
                ).format(self.flow_keys),
                [list(c) for c in zip(*pairs, strict=True)],
            )


@dataclass(frozen=True)
class Hospitals:
    """Per-institution totals, annual budgets, and the list of institutions."""

    schema: str
    name: str = "hospitals"
    # The layout before issue 15 (rectangles and their days): `rebuild` drops these.
    retired: tuple[str, ...] = (
        "hospital_totals",
        "hospital_totals_days",
        "hospital_budgets",
        "hospital_budgets_days",
    )

    @property
    def totals(self) -> CumulativeTable:
        """Per-institution totals."""
        return CumulativeTable(self.schema, "hospital_totals", len(HOSPITAL_METRICS), hot=always)

    @property
    def budgets(self) -> CumulativeTable:
        """Each institution's budget per year."""
        return CumulativeTable(self.schema, "hospital_budgets", 1)

    @property
    def institutions(self) -> sql.Identifier:
        """Designated institutions (hospitals, clinics, pharmacies) with their region."""
        return sql.Identifier(self.schema, "hospital_registry")

    @property
    def claim_costs(self) -> sql.Identifier:
        """Settled cost of each paid claim, for its reversal."""
        return sql.Identifier(self.schema, "hospital_claim_costs")

    def tables(self) -> list[str]:
        """The tables this read model owns (rebuild and check work on these)."""
        owned = [*self.totals.tables(), *self.budgets.tables()]
        return [*owned, "hospital_registry", "hospital_claim_costs"]

    def create(self, curs: Cursor[Any]) -> None:
        """Create the tables if missing."""
        self.totals.create(curs)
        self.budgets.create(curs)
        _create_registry(curs, self.schema)
        curs.execute(
            sql.SQL(
                "CREATE TABLE IF NOT EXISTS {}"
                " (claim text PRIMARY KEY, total_cost numeric NOT NULL)"
            ).format(self.claim_costs)
        )

    def apply(self, curs: Cursor[Any], batch: Sequence[Recorded]) -> None:
        """Apply a page of the log, by recording time, in the caller's transaction."""
        costs: dict[str, Decimal] = {}  # settled in this page, inserted at its end
        totals: list[tuple[datetime, list[Delta]]] = []
        listed: set[tuple[str, str]] = set()
        for known, facts in by_known_time(batch):
            for claim, cost in (c for f in facts for c in f.claim_costs):
                if claim in costs:
                    raise ValueError(f"claim {claim} settled twice")
                costs[claim] = cost
            deltas = [d for f in facts for d in f.hospitals]
            deltas += self._reversed_costs(curs, [r for f in facts for r in f.reversals], costs)
            totals.append((known, deltas))
            # Budgets are read back by the next allocation: written at once.
            for total in (d for f in facts for d in f.budget_totals):
                self._replace_budget(curs, total, known)
            listed.update(i for f in facts for i in f.institutions)
        if costs:
            curs.execute(
                sql.SQL("INSERT INTO {} SELECT * FROM unnest(%s::text[], %s::numeric[])").format(
                    self.claim_costs
                ),
                (list(costs), list(costs.values())),
            )
        self.totals.apply_recordings(curs, totals)
        if listed:
            curs.execute(
                sql.SQL(
                    "INSERT INTO {} SELECT * FROM unnest(%s::text[], %s::text[])"
                    " ON CONFLICT DO NOTHING"
                ).format(self.institutions),
                [list(c) for c in zip(*sorted(listed), strict=True)],
            )

    def _reversed_costs(
        self,
        curs: Cursor[Any],
        reversals: Sequence[tuple[str, str, datetime]],
        costs: dict[str, Decimal],
    ) -> list[Delta]:
        """A reversal takes back the settled cost of its claim (settled in this page or
        stored)."""
        if not reversals:
            return []
        cost = {claim: costs[claim] for claim, _, _ in reversals if claim in costs}
        stored = [claim for claim, _, _ in reversals if claim not in costs]
        if stored:
            curs.execute(
                sql.SQL("SELECT claim, total_cost FROM {} WHERE claim = ANY(%s)").format(
                    self.claim_costs
                ),
                (stored,),
            )
            cost.update(curs.fetchall())
        zero = Decimal(0)
        return [
            Delta(code, valid, (-cost.get(claim, zero),) + (zero,) * (self.totals.width - 1))
            for claim, code, valid in reversals
        ]

    def _replace_budget(self, curs: Cursor[Any], total: Delta, known: datetime) -> None:
        """The year's budget becomes `total` from its valid time on, as known from `known`."""
        current = self.budgets.lookup(curs, [total.key], total.valid_at, LATEST)[total.key][0]
        change = total.amounts[0] - current
        if change:
            self.budgets.apply(curs, [Delta(total.key, total.valid_at, (change,))], known)


@dataclass(frozen=True)
class Penalties:
    """Sanction windows, fines due and paid, doctor points per calendar year."""

    schema: str
    name: str = "penalties"
    # The layout before issue 15 (rectangles and their days): `rebuild` drops these.
    retired: tuple[str, ...] = (
        "penalty_totals",
        "penalty_totals_days",
        "doctor_points",
        "doctor_points_days",
    )

    @property
    def fines(self) -> CumulativeTable:
        """Fines due and paid per target."""
        return CumulativeTable(self.schema, "penalty_totals", len(PENALTY_METRICS))

    @property
    def points(self) -> CumulativeTable:
        """Doctor points per doctor and year."""
        return CumulativeTable(self.schema, "doctor_points", 1)

    @property
    def sanctions(self) -> SanctionTable:
        """Sanction windows."""
        return SanctionTable(self.schema)

    @property
    def measures(self) -> MeasureTable:
        """Agreement measures with their case, decision document and how they ended."""
        return MeasureTable(self.schema)

    @property
    def terms(self) -> SanctionTerms:
        """Latest terms of each sanction."""
        return SanctionTerms(self.schema)

    def tables(self) -> list[str]:
        """The tables this read model owns (rebuild and check work on these)."""
        windows = ["sanction_windows", "sanction_terms", "measure_records"]
        return [*self.fines.tables(), *self.points.tables(), *windows]

    def create(self, curs: Cursor[Any]) -> None:
        """Create the tables if missing."""
        self.fines.create(curs)
        self.points.create(curs)
        self.sanctions.create(curs)
        self.terms.create(curs)
        self.measures.create(curs)

    def apply(self, curs: Cursor[Any], batch: Sequence[Recorded]) -> None:
        """Apply a page of the log, grouped by recording time, in the caller's transaction."""
        fines: list[tuple[datetime, list[Delta]]] = []
        points: list[tuple[datetime, list[Delta]]] = []
        for known, facts in by_known_time(batch):
            resolved = self.terms.resolve(curs, [s for f in facts for s in f.sanctions])
            fines.append((known, resolved.fines))
            points.append((known, resolved.points))
            for change in resolved.windows:
                if isinstance(change, MeasureRecord):
                    self.measures.record(curs, change, known)
                    continue
                self.sanctions.apply(curs, change, known)
                if isinstance(change, SanctionEnd):
                    self.measures.end(curs, change, known)
        self.fines.apply_recordings(curs, fines)
        self.points.apply_recordings(curs, points)


def _create_registry(curs: Cursor[Any], schema: str) -> None:
    curs.execute(
        sql.SQL(REGISTRY).format(
            institutions=sql.Identifier(schema, "hospital_registry"),
            flow_keys=sql.Identifier(schema, "account_flow_keys"),
        )
    )


ReadModel = Balances | Hospitals | Penalties
NAMES = ("balances", "hospitals", "penalties")


def read_models(schema: str, names: Iterable[str] = NAMES) -> list[ReadModel]:
    """The read models by name, with their tables in `schema`."""
    known: dict[str, ReadModel] = {
        "balances": Balances(schema),
        "hospitals": Hospitals(schema),
        "penalties": Penalties(schema),
    }
    unknown = set(names) - set(known)
    if unknown:
        raise ValueError(f"unknown projection {sorted(unknown)}; choose from {', '.join(NAMES)}")
    return [known[n] for n in names]


__all__ = ["NAMES", "Balances", "Delta", "Hospitals", "Penalties", "ReadModel", "read_models"]
