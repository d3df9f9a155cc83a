"""Rebuild read models from the log, and check the live ones against a scratch rebuild."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from eventsourcing.persistence import Tracking
from psycopg import Cursor, sql

from infra.store import Ledger
from projections.models import NAMES, Balances, ReadModel, read_models
from projections.runner import (
    LIVE_SCHEMA,
    ProjectionError,
    apply_page,
    open_projections,
    pages,
    plain,
)

SCRATCH_SCHEMA = "projection_scratch"
# Told the events replayed so far after each page (a terminal's progress line, say).
OnPage = Callable[[int], None]


@dataclass
class Replay:
    """What a replay of the log saw besides the rows it wrote."""

    events: int = 0
    unbalanced: list[tuple[int, Decimal]] = field(default_factory=list)
    total: Decimal = Decimal(0)


def replay_into(
    curs: Cursor[Any],
    ledger: Ledger,
    models: Sequence[ReadModel],
    upto: Sequence[int],
    on_page: OnPage | None = None,
) -> Replay:
    """Apply the log to `models` (model i up to position `upto[i]`) inside `curs`'s transaction,
    checking on the way that every event's postings sum to zero."""
    try:
        return _replay(curs, ledger, models, upto, on_page)
    except ProjectionError as error:
        raise error.named(ledger) from error.cause


def _replay(
    curs: Cursor[Any],
    ledger: Ledger,
    models: Sequence[ReadModel],
    upto: Sequence[int],
    on_page: OnPage | None,
) -> Replay:
    seen = Replay()
    for _, page in pages(ledger, 0, stop=max(upto, default=0)):
        for position, (facts, _) in page:
            seen.events += 1
            moved = sum((d.amounts[0] for d in facts.balances), Decimal(0))
            seen.total += moved
            if moved != 0:
                seen.unbalanced.append((position, moved))
        for model, stop in zip(models, upto, strict=True):
            apply_page(curs, model, [(p, recorded) for p, recorded in page if p <= stop])
        if on_page is not None:
            on_page(seen.events)
    return seen


def _long_transaction(curs: Cursor[Any]) -> None:
    """The library ends a session idle in a transaction for 5 s; a rebuild or check is one
    transaction over the whole log, idle while each page is decoded in Python, which on a busy
    machine can take longer. A crashed process still ends it: its connection closes."""
    curs.execute("SET LOCAL idle_in_transaction_session_timeout = 0")


def rebuild(ledger: Ledger, names: Sequence[str] = NAMES, on_page: OnPage | None = None) -> int:
    """Empty the named projections and apply the whole log again, in one transaction (readers
    keep seeing the old rows until it commits); returns the log position reached. A `project`
    running meanwhile waits on the position rows locked here, then skips what this applied."""
    projections = open_projections(ledger, names)
    head = ledger.recorder.max_notification_id() or 0
    with ledger.datastore.transaction(commit=True) as dict_curs:
        curs = plain(dict_curs)
        _long_transaction(curs)
        positions = [p.locked_position(curs) for p in projections]
        upto = max([head, *positions])
        for p in projections:
            for table in p.model.tables():
                curs.execute(sql.SQL("TRUNCATE {}").format(sql.Identifier(LIVE_SCHEMA, table)))
            for table in p.model.retired:
                curs.execute(
                    sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(LIVE_SCHEMA, table))
                )
        replay_into(
            curs, ledger, [p.model for p in projections], [upto] * len(projections), on_page
        )
        for p, position in zip(projections, positions, strict=True):
            if upto > position:
                p.view._insert_tracking(dict_curs, Tracking(Ledger.name, upto))
    return upto


@dataclass
class CheckReport:
    """Differences between live and rebuilt rows, and postings that do not balance."""

    positions: dict[str, int]
    log_head: int
    events: int
    differences: dict[str, tuple[int, int]]  # table -> (only live, only rebuilt)
    samples: list[str]
    unbalanced: list[tuple[int, Decimal]]
    postings_total: Decimal
    live_total: Decimal
    behind: dict[str, int] = field(default_factory=dict)  # read model -> events not yet applied
    stuck: str | None = None  # the first event after a position that cannot be applied
    # read model -> tables of the layout before issue 15 still there: it needs a rebuild.
    retired: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when every read model is at the log's head, every table matches and all money
        balances."""
        return (
            not self.behind
            and not self.retired
            and self.stuck is None
            and not any(a or b for a, b in self.differences.values())
            and not self.unbalanced
            and self.postings_total == 0
            and self.live_total == 0
        )


def check(
    ledger: Ledger, names: Sequence[str] = NAMES, on_page: OnPage | None = None
) -> CheckReport:
    """Rebuild into scratch tables (rolled back afterwards) and compare row for row."""
    projections = open_projections(ledger, names)
    head = ledger.recorder.max_notification_id() or 0
    with ledger.datastore.transaction(commit=False) as dict_curs:
        curs = plain(dict_curs)
        _long_transaction(curs)
        positions = [p.locked_position(curs) for p in projections]
        curs.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(SCRATCH_SCHEMA)))
        scratch = read_models(SCRATCH_SCHEMA, names)
        for model in scratch:
            model.create(curs)
        seen = replay_into(curs, ledger, scratch, positions, on_page)
        differences: dict[str, tuple[int, int]] = {}
        samples: list[str] = []
        for model in scratch:
            for table in model.tables():
                live = sql.Identifier(LIVE_SCHEMA, table)
                rebuilt = sql.Identifier(SCRATCH_SCHEMA, table)
                only_live = _except(curs, live, rebuilt, samples, f"{table} only live")
                only_rebuilt = _except(curs, rebuilt, live, samples, f"{table} only rebuilt")
                differences[table] = (only_live, only_rebuilt)
        live_total = Decimal(0)
        if "balances" in names:
            curs.execute(
                sql.SQL("SELECT coalesce(sum(amounts[1]), 0) FROM {}").format(
                    Balances(LIVE_SCHEMA).balances.deltas
                )
            )
            row = curs.fetchone()
            live_total = Decimal(row[0]) if row else Decimal(0)
        stuck = _stuck(curs, ledger, scratch, positions, head)
        retired = _retired_left(curs, [p.model for p in projections])
    return CheckReport(
        positions=dict(zip(names, positions, strict=True)),
        log_head=head,
        events=seen.events,
        differences=differences,
        samples=samples,
        unbalanced=seen.unbalanced,
        postings_total=seen.total,
        live_total=live_total,
        behind={n: head - p for n, p in zip(names, positions, strict=True) if p < head},
        stuck=stuck,
        retired=retired,
    )


def retired_left(ledger: Ledger, names: Sequence[str] = NAMES) -> dict[str, list[str]]:
    """Per named read model, the tables of its layout before issue 15 still in the live schema.
    Such a store was projected into those tables: the current ones stay empty until
    `claims-ledger rebuild` fills them (and drops the old ones)."""
    with ledger.datastore.transaction(commit=False) as dict_curs:
        return _retired_left(plain(dict_curs), read_models(LIVE_SCHEMA, names))


def _retired_left(curs: Cursor[Any], models: Sequence[ReadModel]) -> dict[str, list[str]]:
    left: dict[str, list[str]] = {}
    for model in models:
        curs.execute(
            "SELECT t FROM unnest(%s::text[]) AS t"
            " WHERE to_regclass(quote_ident(%s) || '.' || quote_ident(t)) IS NOT NULL",
            (list(model.retired), LIVE_SCHEMA),
        )
        tables = [str(row[0]) for row in curs.fetchall()]
        if tables:
            left[model.name] = tables
    return left


def _stuck(
    curs: Cursor[Any], ledger: Ledger, models: Sequence[ReadModel], upto: Sequence[int], head: int
) -> str | None:
    """Try the events after each model's position on the scratch models (rolled back with them):
    the error naming the first one that cannot be applied, or None."""
    try:
        for _, page in pages(ledger, min(upto, default=head), stop=head):
            for model, position in zip(models, upto, strict=True):
                apply_page(curs, model, [(p, recorded) for p, recorded in page if p > position])
    except ProjectionError as error:
        return str(error.named(ledger))
    return None


def _except(
    curs: Cursor[Any], left: sql.Identifier, right: sql.Identifier, samples: list[str], label: str
) -> int:
    difference = sql.SQL("(SELECT * FROM {} EXCEPT ALL SELECT * FROM {})").format(left, right)
    curs.execute(sql.SQL("SELECT count(*) FROM {} d").format(difference))
    row = curs.fetchone()
    count = int(row[0]) if row else 0
    if count:
        # As text: open-ended ranges hold 'infinity', which has no Python datetime.
        curs.execute(sql.SQL("SELECT d::text FROM {} d LIMIT 3").format(difference))
        samples.extend(f"{label}: {r[0]}" for r in curs.fetchall())
    return count
