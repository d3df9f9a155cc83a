"""`statement`: opening, running and closing balances in valid-day order, as known at a time."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from uuid import uuid4

from eventsourcing.persistence import JSONTranscoder

from domain.calendar import REGION_TZ
from infra.statement import AccountPosting, json_needle
from scripts.cli.statement import build


def posting(position: int, day: str, recorded: str, amount: str) -> AccountPosting:
    return AccountPosting(
        position=position,
        event_type="Claim.Settled",
        message_id=uuid4(),
        occurred_at=datetime.fromisoformat(f"{day}T09:00:00").replace(tzinfo=REGION_TZ),
        recorded_at=datetime.fromisoformat(f"{recorded}T10:00:00").replace(tzinfo=REGION_TZ),
        amount=Decimal(amount),
    )


LOG = [
    posting(1, "2019-05-30", "2019-05-30", "100.00"),
    posting(2, "2019-06-02", "2019-06-02", "-30.00"),
    posting(3, "2019-06-20", "2019-06-20", "-20.00"),
    # Recorded in July about 1 June: it sits on 1 June, before position 2.
    posting(4, "2019-06-01", "2019-07-05", "-5.00"),
]


def test_a_late_correction_sits_on_the_day_it_concerns() -> None:
    s = build(LOG, date(2019, 6, 1), date(2019, 6, 30), datetime(2020, 1, 1, tzinfo=REGION_TZ))
    assert s.opening == Decimal("100.00")
    assert [(p.position, b) for p, b in s.lines] == [
        (4, Decimal("95.00")),
        (2, Decimal("65.00")),
        (3, Decimal("45.00")),
    ]
    assert s.closing == Decimal("45.00")


def test_known_at_leaves_out_what_was_recorded_later() -> None:
    s = build(LOG, date(2019, 6, 1), date(2019, 6, 10), datetime(2019, 6, 30, tzinfo=REGION_TZ))
    assert [p.position for p, _ in s.lines] == [2]
    assert (s.opening, s.closing) == (Decimal("100.00"), Decimal("70.00"))


def test_without_a_period_every_posting_is_a_line() -> None:
    s = build(LOG, None, None, datetime(2020, 1, 1, tzinfo=REGION_TZ))
    assert s.opening == 0
    assert [p.position for p, _ in s.lines] == [1, 4, 2, 3]
    assert s.closing == Decimal("45.00")


def test_the_needle_is_the_name_as_the_stored_json_writes_it() -> None:
    for name in ('person:中-1"x\\y:personal_account', "institution:H1"):
        stored = JSONTranscoder().encode({"postings": [{"account": name}]})
        assert json_needle(name) in stored
    assert json_needle("institution:H1") not in JSONTranscoder().encode({"a": "institution:H12"})
