"""Read models fed from the ledger's log answer as of any date, as known at any time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import Tracking
from psycopg.rows import tuple_row

from domain.clawback import ClaimLine
from domain.identity import institution_aggregate_id, sanction_aggregate_id
from domain.postings import Posting, institution_receivable, pooled_fund
from infra.store import Ledger
from projections import queries
from projections.asof import Bitemporal, parse_instant
from projections.check import check, rebuild, retired_left
from projections.runner import catch_up, open_projections, pages
from tests.projection_events import (
    Claim,
    Clawback,
    Institution,
    Sanction,
    d,
    open_test_ledger,
    record,
    utc,
)

H = "H43042200011"
FUND = pooled_fund("430422", "resident")
RECEIVABLE = institution_receivable(H)
NOW = utc(2030, 1, 1)


@pytest.fixture
def ledger(database_url: str) -> Iterator[Ledger]:
    with open_test_ledger(database_url) as ledger:
        yield ledger


def settle(ledger: Ledger, day: str, cost: str, share: str, recorded: Any) -> None:
    amount = Decimal(share)
    record(
        ledger,
        Claim,
        Claim.Settled,
        day,
        recorded,
        (Posting(FUND, -amount), Posting(RECEIVABLE, amount)),
        institution=H,
        total_cost=Decimal(cost),
        fund_share=amount,
        refusal_reason=None,
    )


def reverse_first_settlement(ledger: Ledger, day: str, recorded: Any) -> None:
    """Reverse the first claim settled in the log: its 3,000.00 fund share goes back."""
    settlement = next(
        UUID(str(n.originator_id))
        for n in ledger.recorder.select_notifications(1, 10)
        if n.topic.endswith("Claim.Settled")
    )
    record(ledger, Claim, Claim.Reversed, day, recorded,
           (Posting(FUND, Decimal("3000.00")), Posting(RECEIVABLE, Decimal("-3000.00"))),
           aggregate_id=settlement, reason="wrong patient")  # fmt: skip


def history_2019(ledger: Ledger) -> None:
    """Two 2019 settlements, then a clawback on 2019 claims recorded on 2020-01-14."""
    record(
        ledger,
        Institution,
        Institution.Designated,
        "2019-01-01",
        utc(2019, 1, 1),
        code=H,
        region="430422",
        kind="hospital",
    )
    record(
        ledger,
        Institution,
        Institution.BudgetAllocated,
        "2019-01-01",
        utc(2019, 1, 1),
        aggregate_id=institution_aggregate_id(H),
        year=2019,
        amount=Decimal("10000.00"),
    )
    settle(ledger, "2019-03-10", "5000.00", "3000.00", utc(2019, 3, 11))
    settle(ledger, "2019-11-20", "4000.00", "2500.00", utc(2019, 11, 21))
    # Decided on 2020-01-14 about a 2019 claim: valid in 2019, known from 2020-01-14.
    record(
        ledger,
        Clawback,
        Clawback.Ordered,
        "2019-11-20",
        utc(2020, 1, 14),
        institution=H,
        lines=(ClaimLine("C-2", "430422", "resident", Decimal("800.00")),),
    )
    record(
        ledger,
        Clawback,
        Clawback.Recovered,
        "2019-12-20",
        utc(2020, 1, 14),
        (
            Posting(f"external:institution:{H}", Decimal("-800.00")),
            Posting(FUND, Decimal("800.00")),
        ),
        institution=H,
        amount=Decimal("800.00"),
    )
    record(
        ledger,
        Sanction,
        Sanction.Imposed,
        "2019-11-20",
        utc(2020, 1, 14),
        aggregate_id=sanction_aggregate_id("F-1"),
        sanction_id="F-1",
        kind="fine",
        target_kind="institution",
        target_id=H,
        case_id="C-1",
        legal_basis="article_38",
        fine_amount=Decimal("1600.00"),
        effective_from=d("2019-11-20"),
        effective_to=None,
    )


def project(ledger: Ledger) -> None:
    catch_up(ledger, open_projections(ledger))


def point(as_of: str, known_at: str | None = None) -> Bitemporal:
    return Bitemporal(parse_instant(as_of), parse_instant(known_at) if known_at else NOW)


def lookup(ledger: Ledger, query: Any, *args: Any) -> Any:
    with ledger.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
        return query(curs, *args)


def test_a_late_clawback_shows_as_of_2019_only_when_known_after_it_was_recorded(
    ledger: Ledger,
) -> None:
    history_2019(ledger)
    project(ledger)
    before = lookup(ledger, queries.hospitals, [H], point("2019-12-31", "2020-01-01"))[0]
    after = lookup(ledger, queries.hospitals, [H], point("2019-12-31"))[0]
    assert before.totals["settled_cost"] == after.totals["settled_cost"] == Decimal("9000.00")
    assert before.totals["fund_share"] == Decimal("5500.00")
    assert before.totals["visits"] == 2
    assert before.totals["recovered"] == 0
    assert after.totals["recovered"] == Decimal("800.00")
    assert before.totals["fines"] == 0
    assert after.totals["fines"] == Decimal("1600.00")
    assert before.budget == Decimal("10000.00")
    assert before.budget_used == Decimal("5500.00")
    assert lookup(ledger, queries.balance, FUND, point("2019-12-31", "2020-01-01")) == Decimal(
        "-5500.00"
    )
    assert lookup(ledger, queries.balance, FUND, point("2019-12-31")) == Decimal("-4700.00")
    fines_then = lookup(ledger, queries.penalties, H, point("2019-12-31", "2020-01-01"))
    fines_now = lookup(ledger, queries.penalties, H, point("2019-12-31"))
    assert fines_then.fines_due == 0
    assert fines_now.fines_due == Decimal("1600.00")


def test_the_first_settlement_alone_is_all_that_was_known_in_march(ledger: Ledger) -> None:
    history_2019(ledger)
    project(ledger)
    march = lookup(ledger, queries.hospitals, [H], point("2019-12-31", "2019-03-31"))[0]
    assert march.totals["fund_share"] == Decimal("3000.00")
    early = lookup(ledger, queries.hospitals, [H], point("2019-03-09"))[0]
    assert early.totals["visits"] == 0


def test_spending_ahead_of_the_even_pace_raises_the_warning_level(ledger: Ledger) -> None:
    history_2019(ledger)
    project(ledger)
    # 3000 of 10000 used by 10 March (19% of the year gone): 11 points ahead -> yellow.
    march = lookup(ledger, queries.hospitals, [H], point("2019-03-10"))[0]
    assert march.warning_level == "yellow"
    assert lookup(ledger, queries.hospitals, [H], point("2019-12-31"))[0].warning_level == "none"


def suspend_and_revoke(ledger: Ledger) -> None:
    record(
        ledger,
        Sanction,
        Sanction.Imposed,
        "2019-06-20",
        utc(2019, 6, 20),
        aggregate_id=sanction_aggregate_id("S-1"),
        sanction_id="S-1",
        kind="settlement_suspension",
        target_kind="institution",
        target_id=H,
        case_id="C-7",
        legal_basis="article_38",
        fine_amount=None,
        effective_from=d("2019-07-01"),
        effective_to=d("2019-12-31"),
    )
    record(
        ledger,
        Sanction,
        Sanction.AppealDecided,
        "2019-09-15",
        utc(2019, 9, 16),
        aggregate_id=sanction_aggregate_id("S-1"),
        sanction_id="S-1",
        target_id=H,
        outcome="revoked",
        decision_date=d("2019-09-15"),
        effective_to=d("2019-09-14"),
    )


def test_a_suspension_is_active_inside_its_window_only(ledger: Ledger) -> None:
    suspend_and_revoke(ledger)
    project(ledger)
    known_before_appeal = "2019-09-01"
    inside = lookup(ledger, queries.penalties, H, point("2019-08-01", known_before_appeal))
    assert inside.suspended
    assert [(a.kind, a.case_id, a.legal_basis) for a in inside.active] == [
        ("settlement_suspension", "C-7", "article_38")
    ]
    assert not lookup(
        ledger, queries.penalties, H, point("2020-01-02", known_before_appeal)
    ).suspended
    assert not lookup(
        ledger, queries.penalties, H, point("2019-06-30", known_before_appeal)
    ).suspended


def test_a_revoked_appeal_ends_the_suspension_from_its_decision_while_history_keeps_it(
    ledger: Ledger,
) -> None:
    suspend_and_revoke(ledger)
    project(ledger)
    assert lookup(ledger, queries.penalties, H, point("2019-09-14")).suspended
    assert not lookup(ledger, queries.penalties, H, point("2019-09-15")).suspended
    assert lookup(ledger, queries.penalties, H, point("2019-10-01", "2019-09-01")).suspended
    now = lookup(ledger, queries.penalties, H, point("2019-09-14")).active[0]
    assert now.effective_until == parse_instant("2019-09-14") + timedelta(microseconds=1)


def test_check_passes_and_a_rebuild_equals_the_incremental_projection(
    ledger: Ledger,
) -> None:
    history_2019(ledger)
    project(ledger)
    suspend_and_revoke(ledger)  # recorded after, with earlier valid and known times
    project(ledger)
    report = check(ledger)
    assert report.ok, report.samples
    assert report.events > 0
    rebuild(ledger)
    assert check(ledger).ok


def test_check_reports_a_live_row_that_differs_from_the_rebuilt_one(ledger: Ledger) -> None:
    history_2019(ledger)
    project(ledger)
    with ledger.datastore.transaction(commit=True) as curs:
        curs.execute(
            "UPDATE account_balances_deltas SET amounts = ARRAY[1::numeric] WHERE key = %s", (FUND,)
        )
    report = check(ledger)
    assert not report.ok
    assert report.differences["account_balances_deltas"][0] > 0
    assert report.live_total != 0


def test_small_batches_give_the_same_rows_as_one_big_batch(ledger: Ledger) -> None:
    history_2019(ledger)
    suspend_and_revoke(ledger)
    catch_up(ledger, open_projections(ledger), size=1)
    assert check(ledger).ok


def test_the_asof_story_shows_the_clawback_only_as_known_now(
    ledger: Ledger, capsys: pytest.CaptureFixture[str]
) -> None:
    from scripts.demo.asof_story import tell_asof_story  # noqa: PLC0415

    history_2019(ledger)
    dates = [parse_instant(t) for t in ("2019-06-30", "2019-12-31", "2020-06-30")]
    tell_asof_story(ledger, H, dates, [parse_instant("2020-01-01"), NOW])
    out = capsys.readouterr().out
    story, _, why = out.partition("What changed for")
    rows = [line.split() for line in story.splitlines() if line.startswith("20")]
    assert len(rows) == 6
    # As of 2020-06-30, between the two known times: the clawback and the fine, named.
    assert "recovered  0.00 → 800.00  (+800.00)" in why
    assert "fines  0.00 → 1,600.00  (+1,600.00)" in why
    assert "Clawback.Ordered" in why
    assert "Sanction.Imposed" in why
    # Columns: as of, known at (a local day and time), settled, fund share, visits, recovered
    assert [r[6] for r in rows] == ["0.00", "0.00", "0.00", "0.00", "800.00", "800.00"]
    assert [r[4] for r in rows[:3]] == ["3,000.00", "5,500.00", "5,500.00"]


def test_a_catch_up_until_a_position_stops_there_and_the_next_one_goes_on(
    ledger: Ledger,
) -> None:
    history_2019(ledger)
    head = ledger.recorder.max_notification_id() or 0
    projections = open_projections(ledger)
    assert catch_up(ledger, projections, size=2, until=3) == 3
    assert [p.position() for p in projections] == [3, 3, 3]
    assert catch_up(ledger, projections, size=2) == head - 3
    assert [p.position() for p in projections] == [head] * 3
    assert check(ledger).ok


def test_a_page_read_before_a_rebuild_is_not_applied_twice(ledger: Ledger) -> None:
    history_2019(ledger)
    projections = open_projections(ledger)
    [(last, page)] = list(pages(ledger, 0))
    rebuild(ledger)  # moves every position to the head while the page was in hand
    for p in projections:
        p.process_batch(page, Tracking(Ledger.name, last))
    assert lookup(ledger, queries.balance, FUND, point("2019-12-31")) == Decimal("-4700.00")
    assert check(ledger).ok


def test_the_scenario_story_picks_the_hospital_with_a_clawback_and_two_known_times(
    ledger: Ledger, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from scripts.demo.asof_story import scenario_story  # noqa: PLC0415

    history_2019(ledger)
    context = SimpleNamespace(
        endpoints=SimpleNamespace(database_url=database_url),
        config=SimpleNamespace(region="430422", year=2019),
        quiet=False,
        results={},
    )
    scenario_story(context)
    story = context.results["asof_story"]
    assert story["institution"] == H
    # Just before the clawback recorded on 2020-01-14, and now.
    assert story["known_at"][0].startswith("2020-01-14T02:59:59.999999")
    assert f"As-of story of {H}" in capsys.readouterr().out


def test_check_names_an_event_whose_postings_do_not_balance(ledger: Ledger) -> None:
    record(
        ledger,
        Claim,
        Claim.Refused,
        "2019-04-01",
        utc(2019, 4, 2),
        (Posting(FUND, Decimal("10.00")), Posting(RECEIVABLE, Decimal("-9.00"))),
        institution=H,
        amount=Decimal("10.00"),
    )
    project(ledger)
    report = check(ledger)
    assert not report.ok
    assert [amount for _, amount in report.unbalanced] == [Decimal("1.00")]
    assert report.live_total == Decimal("1.00")


def test_a_store_projected_into_the_old_layout_is_told_to_rebuild_and_rebuild_fills_it(
    ledger: Ledger,
) -> None:
    history_2019(ledger)
    project(ledger)
    with ledger.datastore.transaction(commit=True) as curs:
        # What the layout before issue 15 left: its tables, while the new ones stay empty.
        curs.execute("CREATE TABLE hospital_totals_days (key text)")
        curs.execute("TRUNCATE hospital_totals_deltas, hospital_totals_checkpoints")
    report = check(ledger)
    assert not report.ok
    assert report.retired == {"hospitals": ["hospital_totals_days"]}
    assert retired_left(ledger) == {"hospitals": ["hospital_totals_days"]}
    rebuild(ledger, ["hospitals"])
    assert retired_left(ledger) == {}
    assert check(ledger).ok
