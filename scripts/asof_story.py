"""The demo's as-of story: one hospital on three dates, as known at two times."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from psycopg.rows import tuple_row

from infra.store import Ledger
from projections import queries
from projections.asof import Bitemporal, end_of_day, utc_now
from projections.runner import catch_up, open_projections
from scripts import output


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
                        as_of.date().isoformat(),
                        known.isoformat(timespec="seconds"),
                        f"{t['settled_cost']:.2f}",
                        f"{t['fund_share']:.2f}",
                        int(t["visits"]),
                        f"{t['recovered']:.2f}",
                        f"{t['fines']:.2f}",
                        position.warning_level,
                        "yes" if status.suspended else "no",
                    ]
                )
    print(f"\nAs-of story of {code}: the same dates, as the ledger knew them at two times")
    output.table(
        ["as of", "known at", "settled", "fund share", "visits", "recovered", "fines", "warning",
         "suspended"],
        rows,
    )  # fmt: skip


def demo_story(ledger: Ledger, code: str) -> None:
    """Three dates of 2019-2020, as known at the end of 2020-01-01 and now."""
    dates = [
        end_of_day(date(2019, 6, 30)),
        end_of_day(date(2019, 12, 31)),
        end_of_day(date(2020, 6, 30)),
    ]
    tell_asof_story(ledger, code, dates, [end_of_day(date(2020, 1, 1)), utc_now()])
