"""The demo's as-of story: one hospital on three dates, as known at two times, and the events
that made the difference."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from psycopg.rows import tuple_row

from infra.clock import utc_now
from infra.store import Ledger, open_ledger
from projections import diff, queries
from projections.asof import MICROSECOND, Bitemporal, end_of_day
from projections.runner import catch_up, open_projections
from scripts.cli import output
from scripts.cli.diff import diff_dict, print_diff


def tell_asof_story(
    ledger: Ledger, code: str, dates: Sequence[datetime], known_times: Sequence[datetime]
) -> None:
    """Catch the read models up, then print the hospital's totals for each (date, known) pair."""
    catch_up(ledger, open_projections(ledger))
    rows = []
    with ledger.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
        for known in known_times:
            for as_of in dates:
                position = queries.hospitals(curs, [code], Bitemporal(as_of, known))[0]
                status = queries.penalties(curs, code, Bitemporal(as_of, known))
                t = position.totals
                rows.append(
                    [
                        as_of.date(),
                        known,
                        queries.money(t["settled_cost"]),
                        queries.money(t["fund_share"]),
                        int(t["visits"]),
                        queries.money(t["recovered"]),
                        queries.money(t["fines"]),
                        position.warning_level,
                        status.suspended,
                    ]
                )
    print(f"\nAs-of story of {code}: the same dates, as the ledger knew them at two times")
    output.table(
        ["as of", "known at", "settled", "fund share", "visits", "recovered", "fines", "warning",
         "suspended"],
        rows,
    )  # fmt: skip
    if len(known_times) == 2:
        explain(ledger, code, dates[-1], (known_times[0], known_times[1]))


def explain(ledger: Ledger, code: str, as_of: datetime, known: tuple[datetime, datetime]) -> None:
    """The figures of the hospital that differ between the two known times (as of the story's
    last date), each with the events, messages and decision documents behind it."""
    print(f"\nWhat changed for {code} as of {as_of.date()} between the two known times, and why")
    print_diff(diff_dict("hospital", diff.explained(ledger, "hospital", code, as_of, known)))


def _story_points(
    ledger: Ledger, region: str, year: int
) -> tuple[str | None, list[datetime], list[datetime]]:
    """The hospital with the most ordered back, the known times and the dates of its story."""
    catch_up(ledger, open_projections(ledger))
    now = utc_now()
    with ledger.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
        codes = queries.registered_hospitals(curs, region)
        positions = queries.hospitals(curs, codes, Bitemporal(now, now))
        if not positions:
            return None, [], []
        chosen = max(positions, key=lambda p: (p.totals["recovered"], p.totals["fund_share"]))
        code = chosen.institution
        first = queries.first_known_change(curs, code, "recovered") or queries.first_known_from(
            curs, code, end_of_day(date(year, 6, 30)) + MICROSECOND
        )
    known = [now] if first is None else [first - MICROSECOND, now]
    dates = [end_of_day(date(year, month, day)) for month, day in ((3, 31), (6, 30), (12, 31))]
    return code, known, dates


def scenario_story(context: Any) -> None:
    """The demo's story after a county year: the hospital with the most ordered back, on three
    dates, as known just before its first clawback was recorded (or, without one, before its
    second half-year arrived) and as known now."""
    # The demo's own store handle reads as the reader role; projecting writes, as the owner.
    with open_ledger(context.endpoints.database_url) as ledger:
        chosen, known, dates = _story_points(ledger, context.config.region, context.config.year)
        if chosen is None:
            return
        if not context.quiet:
            tell_asof_story(ledger, chosen, dates, known)
    context.results["asof_story"] = {
        "institution": chosen,
        "dates": [d.isoformat() for d in dates],
        "known_at": [k.isoformat() for k in known],
    }
