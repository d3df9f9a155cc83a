"""Issue 16 in the county year, through the real broker, worker and store: a person's misuse
recovery and fine, an indicator deduction, a decision over two institutions and each measure
are where they should be, and the reports add up to what the scenario sent, to the cent.

The expected figures are computed here from the scenario's own messages (what was sent), not
with the read models' code, so a fact the reports drop or count twice shows as a difference.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from psycopg.rows import tuple_row

from infra import tallies
from infra.queries import history
from infra.related import history_with_related
from infra.settings import Settings
from infra.setup import set_up
from infra.store import Ledger, open_ledger
from infra.verify import verify
from projections import queries
from projections.asof import Bitemporal, parse_instant
from projections.check import check
from projections.runner import catch_up, open_projections
from projections.supervision import supervision_report
from scripts.simulation.config import config_for
from scripts.simulation.county import county_year
from scripts.simulation.plan import ACCEPTED, Planned
from tests.integration.county import feed_county
from tests.integration.supervision_books import TOTAL, expected_supervision

REGION = "430422"
YEAR = 2019
# Money returned to the pooled funds, as the fund statement's `recoveries` line counts it.
MEASURES = {"interview", "public_criticism", "rectification", "deferred_settlement", "referral"}
WINDOWED = {"rectification", "deferred_settlement"}
RETURNS = ("ClawbackRecovered", "RefundVolunteered", "MisuseRecovered", "DeductionImposed")


@dataclass(frozen=True)
class County:
    """The tiny county year as sent (bad messages left out: every one is meant to be stored)
    and the store it was ingested into, read models caught up."""

    sent: list[Planned]
    ledger: Ledger

    def of_type(self, type_name: str) -> list[dict[str, Any]]:
        """The documents of one type, in the order they were sent."""
        return [p.document for p in self.sent if p.document and p.type_name == type_name]

    def lookup(self, query: Any, *args: Any) -> Any:
        store = self.ledger.datastore
        with store.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
            return query(curs, *args)


@pytest.fixture
def county(settings: Settings, ledger: Ledger, database_url: str) -> Iterator[County]:
    set_up(database_url)
    config = config_for("tiny", None, seed=16, bad_messages=False)
    sent = [p for p in county_year(config) if p.expect == ACCEPTED]
    with open_ledger(database_url) as watch:
        feed_county(settings, ledger, watch, sent)
        catch_up(watch, open_projections(watch))
        yield County(sent, watch)


def at(day: str) -> Bitemporal:
    return Bitemporal.of(parse_instant(day), None, datetime.now(UTC))


def payload_amount(document: dict[str, Any]) -> Decimal:
    """What a message moves: its `amount`, or the sum of its lines."""
    payload = document["payload"]
    if "amount" in payload:
        return Decimal(payload["amount"])
    return sum((Decimal(line["amount"]) for line in payload["lines"]), Decimal(0))


def test_issue_16_facts_of_the_county_year_show_where_they_should_and_add_up(
    county: County, database_url: str
) -> None:
    stored = tallies.accepted_by_type(county.ledger)
    assert stored == dict(sorted(_counts(county.sent).items()))
    assert tallies.rejected_by_reason(county.ledger) == {}
    the_persons_recovery_and_fine_are_apart(county)
    the_fund_statement_counts_every_return_by_its_day(county)
    every_hospitals_refused_and_recovered_is_what_was_sent(county)
    the_supervision_report_by_decision_date_is_the_sum_of_what_was_sent(county)
    every_measure_stands_in_the_penalty_status_as_sent(county)
    assert check(county.ledger).ok
    assert verify(database_url).ok


def _counts(sent: list[Planned]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for p in sent:
        counts[p.type_name] = counts.get(p.type_name, 0) + 1
    return counts


def the_persons_recovery_and_fine_are_apart(county: County) -> None:
    """The loss returned to the fund and the fine to the treasury: each in the penalty status."""
    (order,) = county.of_type("MisuseRecoveryOrdered")
    (returned,) = county.of_type("MisuseRecovered")
    person = order["payload"]["person_id"]
    (fine,) = [
        d
        for d in county.of_type("SanctionImposed")
        if d["payload"]["target_id"] == person and d["payload"]["kind"] == "fine"
    ]
    paid = [d for d in county.of_type("FinePaid") if d["payload"]["target_id"] == person]
    ordered, back = payload_amount(order), payload_amount(returned)
    assert back < ordered  # a partial return: the rest stays owed
    status = county.lookup(queries.penalties, person, at(f"{YEAR}-12-31"))
    assert status.misuse_due == ordered - back
    fine_amount = Decimal(fine["payload"]["base_amount"]) * Decimal(fine["payload"]["multiple"])
    assert fine_amount == 2 * ordered
    assert status.fines_paid == sum((payload_amount(d) for d in paid), Decimal(0)) == fine_amount
    assert status.fines_due == 0  # paid in full in August
    before = county.lookup(queries.penalties, person, at(f"{YEAR}-06-19"))
    assert before.misuse_due == 0  # the order was decided on June 20
    recovery = f"recovery:{order['payload']['recovery_id']}"
    misuse = [
        (e.entity, e.event_type)
        for e in history_with_related(county.ledger, f"person:{person}")
        if e.event_type.startswith("MisuseRecovery")
    ]
    assert misuse == [
        (recovery, "MisuseRecovery.Ordered"),
        (recovery, "MisuseRecovery.Recovered"),
    ]


def the_fund_statement_counts_every_return_by_its_day(county: County) -> None:
    """Each year's `recoveries`, both schemes, is the money sent back in that year."""
    for year in (YEAR, YEAR + 1):
        expected = sum(
            (
                payload_amount(d)
                for kind in RETURNS
                for d in county.of_type(kind)
                if d["occurred_at"].startswith(str(year))
            ),
            Decimal(0),
        )
        statement = county.lookup(queries.fund_statement, REGION, year, at(f"{year}-12-31"))
        assert sum(lines["recoveries"] for lines in statement.values()) == expected > 0


def every_hospitals_refused_and_recovered_is_what_was_sent(county: County) -> None:
    """`report hospitals` for the year: refused before payment, and recovered (ordered back,
    refunded, deducted), each institution's, with both institutions of the joint decision."""
    refused: dict[str, Decimal] = {}
    recovered: dict[str, Decimal] = {}
    for d in (p.document for p in county.sent if p.document):
        if not d["occurred_at"].startswith(str(YEAR)):  # the valid time: the period concerned
            continue
        payload = d["payload"]
        if d["type"] == "ClaimRefused":
            code = payload["institution"]
            refused[code] = refused.get(code, Decimal(0)) + payload_amount(d)
        elif d["type"] == "DeductionImposed":
            code = payload["institution"]
            recovered[code] = recovered.get(code, Decimal(0)) + payload_amount(d)
        elif d["type"] in ("ClawbackOrdered", "RefundVolunteered"):
            for line in payload["lines"]:
                code = line.get("institution") or payload["institution"]
                recovered[code] = recovered.get(code, Decimal(0)) + Decimal(line["amount"])
    codes = sorted({*refused, *recovered})
    found = county.lookup(queries.hospitals, codes, at(f"{YEAR}-12-31"))
    assert {h.institution: h.totals["refused"] for h in found} == {
        c: refused.get(c, Decimal(0)) for c in codes
    }
    assert {h.institution: h.totals["recovered"] for h in found} == {
        c: recovered.get(c, Decimal(0)) for c in codes
    }
    assert len(county.of_type("DeductionImposed")) == 1
    the_joint_decision_shows_in_total_and_per_institution(county)


def the_joint_decision_shows_in_total_and_per_institution(county: County) -> None:
    """One decision over two institutions, sent in two parts: its total under its own id, each
    institution's share as an ordinary order, one recovered by one of them."""
    parts = [d for d in county.of_type("ClawbackOrdered") if d["schema_version"] == 2]
    assert [d["payload"]["part"] for d in parts] == [1, 2]
    lines = [line for d in parts for line in d["payload"]["lines"]]
    shares: dict[str, Decimal] = {}
    for line in lines:
        code = line["institution"]
        shares[code] = shares.get(code, Decimal(0)) + Decimal(line["amount"])
    assert len(shares) == 2
    order = parts[0]["payload"]["clawback_id"]
    (decided,) = [
        e
        for e in history(county.ledger, f"clawback:{order}")
        if e.event_type == "ClawbackDecision.Ordered"
    ]
    assert decided.data["total"] == sum(shares.values())
    assert decided.data["shares"] == shares


def the_supervision_report_by_decision_date_is_the_sum_of_what_was_sent(county: County) -> None:
    documents = [p.document for p in county.sent if p.document]
    for year in (YEAR, YEAR + 1):  # the late inspection was decided the next April
        report = supervision_report(county.ledger, year, datetime.now(UTC))
        got = {TOTAL: _figures(report.total)}
        got |= {f"source:{s}": _figures(f) for s, f in report.by_source.items()}
        got |= {f"violation:{v}": _figures(f) for v, f in report.by_violation.items()}
        expected = expected_supervision(documents, year)
        assert got == expected.figures
        assert report.sanctions == dict(expected.sanctions)
    kinds = set(expected_supervision(documents, YEAR).sanctions)
    measures = {"interview", "public_criticism", "rectification", "deferred_settlement"}
    assert kinds >= measures | {"referral", "fine"}


def every_measure_stands_in_the_penalty_status_as_sent(county: County) -> None:
    """Each measure on its target's record at the year's end, in the state its messages give
    it; a windowed one among the sanctions in force the day after it starts."""
    lifted = {
        d["payload"]["sanction_id"]: d["occurred_at"][:10] for d in county.of_type("SanctionLifted")
    }
    imposed = [d["payload"] for d in county.of_type("SanctionImposed")]
    measures = [p for p in imposed if p["kind"] in MEASURES]
    assert {p["kind"] for p in measures} == MEASURES
    year_end = f"{YEAR}-12-31"
    for p in measures:
        status = county.lookup(queries.penalties, p["target_id"], at(year_end))
        (shown,) = [
            m
            for m in status.measures
            if (m.kind, m.decision_date.isoformat()) == (p["kind"], p["decision_date"])
        ]
        assert shown.referred_to == p["referred_to"]
        assert _state(p, lifted.get(p["sanction_id"]), year_end) == shown.state
        if p["kind"] in WINDOWED:
            start = date.fromisoformat(p["effective_from"]).toordinal() + 1
            running = county.lookup(
                queries.penalties, p["target_id"], at(date.fromordinal(start).isoformat())
            )
            assert p["kind"] in {a.kind for a in running.active}


def _state(sanction: dict[str, Any], lifted_on: str | None, day: str) -> str:
    """Where a measure stands on `day`, from its own messages (docs/projections.md)."""
    if sanction["kind"] not in WINDOWED:
        return "taken"
    rectification = sanction["kind"] == "rectification"
    if lifted_on is not None and lifted_on <= day:
        return "done" if rectification else "lifted"
    deadline = sanction["effective_to"]
    if deadline is not None and deadline < day:
        return "overdue" if rectification else "ended"
    return "in_force"


def _figures(f: Any) -> list[Any]:
    return [f.cases, f.refused, f.ordered, f.recovered]
