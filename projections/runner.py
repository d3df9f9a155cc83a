"""Feed the read models from the ledger's notification log, in batches, exactly once.

Each read model's view is the library's PostgreSQL tracking recorder: a batch's view writes and
its tracking record commit in one transaction, so a crash loses nothing and applies nothing
twice. `catch_up` reads the log in pages and calls `process_batch`, which is what keeps
projection up with ingest (the library's `ProjectionRunner` would take one transaction per
event).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from eventsourcing.persistence import Notification, OperationalError, Tracking
from eventsourcing.postgres import PostgresTrackingRecorder
from psycopg import Cursor, sql
from psycopg.errors import LockNotAvailable
from psycopg.rows import tuple_row

from infra.store import Ledger
from projections.facts import facts_with_known_time
from projections.models import NAMES, ReadModel, Recorded, read_models
from projections.stored_facts import DirectFacts

LIVE_SCHEMA = "public"
BATCH_SIZE = 5000  # larger pages: fewer rewrites of busy keys (docs/benchmarks.md)


class ProjectionError(RuntimeError):
    """A read model cannot apply an event: the log position and the event are named."""

    def __init__(self, model: str, position: int, cause: BaseException, event: str = "") -> None:
        super().__init__(model, position)
        self.model, self.position, self.cause, self.event = model, position, cause, event

    def __str__(self) -> str:
        return (
            f"read model {self.model} cannot apply the event at log position {self.position}"
            f" ({self.event or 'event not read'}): {type(self.cause).__name__}: {self.cause}"
        ).strip()

    def named(self, ledger: Ledger) -> ProjectionError:
        """The same error with its event's type, aggregate and version read from the log."""
        if not self.event:
            found = ledger.recorder.select_notifications(self.position, 1)
            if found and found[0].id == self.position:
                self.event = _name(found[0])
        return self


def _name(n: Notification) -> str:
    return f"{n.topic} of {n.originator_id} v{n.originator_version}"


def apply_page(curs: Cursor[Any], model: ReadModel, batch: Sequence[tuple[int, Recorded]]) -> None:
    """Apply `batch` to `model` in the caller's transaction, or raise ProjectionError naming the
    first event that cannot be applied, found by applying one event at a time: the events before
    it are then applied in the caller's transaction (a page applies as its events one by one)."""
    try:
        with curs.connection.transaction():  # a savepoint: the caller's transaction stays usable
            model.apply(curs, [recorded for _, recorded in batch])
    except Exception as error:  # noqa: BLE001 - whatever fails (SQL or Python) is named below
        page_error = error
    else:
        return
    for position, recorded in batch:
        try:
            with curs.connection.transaction():
                model.apply(curs, [recorded])
        except Exception as error:
            raise ProjectionError(model.name, position, error) from error
    # Each event applies alone but not the page: name the page; the caller must roll back.
    first, last = (batch[0][0], batch[-1][0]) if batch else (0, 0)
    raise ProjectionError(model.name, first, page_error, f"one of the page {first}..{last}")


class ReadModelProjection:
    """One read model, written with its tracking record in one transaction."""

    def __init__(self, view: PostgresTrackingRecorder, model: ReadModel) -> None:
        self.view = view
        self.model = model

    def process_batch(self, batch: Sequence[tuple[int, Recorded]], tracking: Tracking) -> bool:
        """Apply the events of `batch` not yet applied, up to `tracking`, in one transaction with
        the tracking record. False when a rebuild (or `check`) holds this read model's position:
        nothing was applied, and the caller goes on with the other read models."""
        try:
            self._apply(batch, tracking)
        except OperationalError as error:
            if isinstance(error.__cause__, LockNotAvailable):
                return False
            raise
        return True

    def _apply(self, batch: Sequence[tuple[int, Recorded]], tracking: Tracking) -> None:
        with self.view.datastore.transaction(commit=True) as curs:
            # The position is read under a row lock, not waited for: a rebuild holds it for its
            # whole transaction, and waiting would stop the other read models too (the caller
            # applies them in turn). Another runner that moved it meanwhile is seen here, and
            # what it applied is skipped, never applied twice.
            applied = self.locked_position(plain(curs), wait=False)
            if tracking.notification_id <= applied:
                return
            fresh = [(position, recorded) for position, recorded in batch if position > applied]
            try:
                apply_page(plain(curs), self.model, fresh)
            except ProjectionError as error:
                # Keep what precedes the event that cannot be applied, so that the read model
                # stands just before it; nothing applied otherwise (rolled back by raising here).
                before = [position for position, _ in fresh if position < error.position]
                if not before:
                    raise
                self.view._insert_tracking(curs, Tracking(Ledger.name, before[-1]))
                stuck = error
            else:
                self.view._insert_tracking(curs, tracking)
                return
        raise stuck

    def locked_position(self, curs: Cursor[Any], *, wait: bool = True) -> int:
        """The position, locked until the caller's transaction ends; without `wait`, a lock
        held elsewhere raises LockNotAvailable at once."""
        curs.execute(
            sql.SQL(
                "SELECT notification_id FROM {} WHERE application_name = %s FOR UPDATE {}"
            ).format(
                sql.Identifier(self.view.tracking_table_name),
                sql.SQL("" if wait else "NOWAIT"),
            ),
            (Ledger.name,),
        )
        row = curs.fetchone()
        return int(row[0]) if row else 0

    def position(self) -> int:
        """The last notification applied (0 before any)."""
        return self.view.max_tracking_id(Ledger.name) or 0


def plain(curs: Cursor[Any]) -> Cursor[Any]:
    """A cursor on the same connection (and transaction) returning tuples, not dicts."""
    return curs.connection.cursor(row_factory=tuple_row)


def tracking_table(name: str) -> str:
    """The tracking table of the live read model `name`."""
    return f"projection_{name}_tracking"


def _view(ledger: Ledger, model: ReadModel) -> PostgresTrackingRecorder:
    return PostgresTrackingRecorder(
        ledger.datastore, tracking_table_name=tracking_table(model.name)
    )


def set_up_read_models(ledger: Ledger) -> None:
    """Create the live read models' tables, tracking tables and position rows if missing.
    Setup only (infra/setup.py, under its lock): the read paths run no DDL."""
    models = read_models(LIVE_SCHEMA)
    for model in models:
        _view(ledger, model).create_table()
    with ledger.datastore.transaction(commit=True) as curs:
        curs.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        for model in models:
            model.create(plain(curs))
            # A position row from the start, so that every writer can lock it.
            curs.execute(
                sql.SQL("INSERT INTO {} VALUES (%s, 0) ON CONFLICT DO NOTHING").format(
                    sql.Identifier(_view(ledger, model).tracking_table_name)
                ),
                (Ledger.name,),
            )


def open_projections(ledger: Ledger, names: Sequence[str] = NAMES) -> list[ReadModelProjection]:
    """The live read models with their tracking tables (created by the store's setup)."""
    return [ReadModelProjection(_view(ledger, m), m) for m in read_models(LIVE_SCHEMA, names)]


def decoded(ledger: Ledger, notifications: Sequence[Notification]) -> list[tuple[int, Recorded]]:
    """Notifications as (id, (facts, recorded_at)); events without provenance carry no facts.
    The types that fill the log are read straight from their JSON, the others through domain
    events (projections/stored_facts.py): the same facts either way."""
    direct = DirectFacts(ledger.mapper)
    out = []
    for n in notifications:
        try:
            facts = direct.recorded(n)
            if facts is None:
                facts = facts_with_known_time(ledger.mapper.to_domain_event(n))
        except Exception as error:
            raise ProjectionError("(all)", n.id, error, _name(n)) from error
        out.append((n.id, facts))
    return out


def pages(
    ledger: Ledger, after: int, stop: int | None = None, size: int = BATCH_SIZE
) -> Iterator[tuple[int, list[tuple[int, Recorded]]]]:
    """Decoded pages of the log after position `after` (up to `stop`)."""
    while True:
        notifications = ledger.recorder.select_notifications(
            after, size, stop=stop, inclusive_of_start=False
        )
        if not notifications:
            return
        yield notifications[-1].id, decoded(ledger, notifications)
        after = notifications[-1].id


def catch_up(
    ledger: Ledger,
    projections: Sequence[ReadModelProjection],
    size: int = BATCH_SIZE,
    until: int | None = None,
) -> int:
    """Apply everything recorded since each projection's position (up to position `until`);
    the number of events read that moved a read model (0: nothing to do, or every read model
    that is behind is being rebuilt, so a follower waits before asking again)."""
    positions = {id(p): p.position() for p in projections}
    stuck: dict[int, ProjectionError] = {}  # the other read models go on; these stay put
    read = 0
    for last, page in pages(ledger, min(positions.values(), default=0), stop=until, size=size):
        before = dict(positions)
        for p in projections:
            if last > positions[id(p)] and id(p) not in stuck:
                try:
                    applied = p.process_batch(page, Tracking(Ledger.name, last))
                except ProjectionError as error:
                    stuck[id(p)] = error
                else:
                    if applied:  # else being rebuilt: the next round starts from its position
                        positions[id(p)] = last
        if positions != before:  # a page only a rebuilt model still needs is not progress
            read += len(page)
    if stuck:
        raise next(iter(stuck.values())).named(ledger)
    return read


def follow(
    ledger: Ledger,
    projections: Sequence[ReadModelProjection],
    stop: threading.Event,
    until_idle: float | None = None,
    on_batch: Callable[[int], None] | None = None,
    poll_seconds: float = 0.2,
    page_size: int = BATCH_SIZE,
) -> int:
    """Keep catching up until `stop` is set, or until nothing new came for `until_idle` s."""
    total = 0
    idle_since = time.monotonic()
    while not stop.is_set():
        read = catch_up(ledger, projections, page_size)
        total += read
        if read:
            idle_since = time.monotonic()
            if on_batch is not None:
                on_batch(total)
        elif until_idle is not None and time.monotonic() - idle_since >= until_idle:
            break
        else:
            stop.wait(poll_seconds)
    return total
