"""Supervision figures by decision date: worked examples of what counts in which year."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.supervision import (
    UNKNOWN_SOURCE,
    Finding,
    MeasureTaken,
    Recovery,
    SupervisionItem,
    tally,
)
from scripts.cli.supervision import supervision_rows

ONSITE, SMART = "onsite_inspection", "smart_review"


def order(key: str, decided: str, amount: str, source: str = ONSITE) -> Finding:
    return Finding(key, date.fromisoformat(decided), source, "phantom_bed", ordered=Decimal(amount))


def test_a_recovery_counts_in_the_year_of_its_decision_whenever_it_was_paid() -> None:
    items: list[SupervisionItem] = [
        order("ZH-2020-9", "2020-11-20", "12000.00"),
        Recovery("ZH-2020-9", Decimal("5000.00")),  # paid in December 2020
        Recovery("ZH-2020-9", Decimal("7000.00")),  # paid in March 2021
    ]
    y2020, y2021 = tally(items, 2020), tally(items, 2021)
    assert (y2020.total.ordered, y2020.total.recovered) == (Decimal("12000.00"),) * 2
    assert (y2021.total.cases, y2021.total.recovered) == (0, Decimal("0.00"))


def test_a_decision_of_the_year_before_adds_nothing_though_recovered_this_year() -> None:
    items: list[SupervisionItem] = [
        order("ZH-2019-1", "2019-12-30", "800.00"),
        Recovery("ZH-2019-1", Decimal("800.00")),
    ]
    assert tally(items, 2020).total.recovered == Decimal("0.00")
    assert tally(items, 2019).total.recovered == Decimal("800.00")


def test_found_is_what_was_refused_plus_what_was_ordered_back() -> None:
    refused = Finding("JS-1:2", date(2020, 3, 1), SMART, "duplicate_charging", Decimal("150.25"))
    report = tally([refused, order("ZH-1", "2020-04-01", "99.75", SMART)], 2020)
    smart = report.by_source[SMART]
    assert (smart.cases, smart.refused, smart.ordered) == (2, Decimal("150.25"), Decimal("99.75"))
    assert smart.found == Decimal("250.00")
    assert report.by_violation["duplicate_charging"].found == Decimal("150.25")


def test_the_pages_of_one_order_are_one_case_with_their_amounts_added() -> None:
    pages = [order("ZH-9", "2020-08-01", "1000.00"), order("ZH-9", "2020-08-01", "234.56")]
    report = tally([*pages, Recovery("ZH-9", Decimal("1234.56"))], 2020)
    onsite = report.by_source[ONSITE]
    assert (onsite.cases, onsite.ordered, onsite.recovered) == (
        1,
        Decimal("1234.56"),
        Decimal("1234.56"),
    )


def test_one_decision_over_two_institutions_is_one_case_each_recovering_its_share() -> None:
    shares = [
        replace(order("ZH-7/H43042200011", "2020-06-30", "1200.00"), case="clawback:ZH-7"),
        replace(order("ZH-7/H43042200012", "2020-06-30", "860.00"), case="clawback:ZH-7"),
    ]
    paid = Recovery("ZH-7/H43042200012", Decimal("860.00"))
    report = tally([*shares, paid, order("ZH-8", "2020-07-01", "10.00")], 2020)
    onsite = report.by_source[ONSITE]
    assert (onsite.cases, onsite.ordered, onsite.recovered) == (
        2,
        Decimal("2070.00"),
        Decimal("860.00"),
    )


def test_sanctions_are_counted_by_kind_in_the_year_of_their_decision() -> None:
    items: list[SupervisionItem] = [
        MeasureTaken(date(2020, 4, 2), "interview"),
        MeasureTaken(date(2020, 9, 2), "interview"),
        MeasureTaken(date(2021, 1, 5), "interview"),
        MeasureTaken(date(2020, 5, 20), "settlement_suspension"),
    ]
    assert tally(items, 2020).sanctions == {"interview": 2, "settlement_suspension": 1}


def test_the_rows_list_every_published_source_and_sanction_kind_with_chinese_labels() -> None:
    report = tally([order("ZH-1", "2020-04-01", "10.00", UNKNOWN_SOURCE)], 2020)
    rows = supervision_rows(report, datetime(2021, 1, 15, tzinfo=UTC))
    assert {tuple(r) for r in rows} == {tuple(rows[0])}  # one table: the same columns
    by_name = {(r["section"], r["name"]): r for r in rows}
    assert by_name["source", "flight_inspection"]["found"] == Decimal("0.00")
    assert by_name["source", UNKNOWN_SOURCE]["label"] == "来源不明"
    assert by_name["sanction", "rectification"]["cases"] == 0
    assert by_name["sanction", "rectification"]["found"] is None
    assert by_name["violation", "phantom_bed"]["label"] == "挂床住院"


CENTS = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2)
FINDINGS = st.lists(
    st.tuples(
        st.sampled_from([ONSITE, SMART, UNKNOWN_SOURCE]),
        st.sampled_from(["phantom_bed", "over_treatment"]),
        st.dates(date(2019, 12, 1), date(2021, 1, 31)),
        CENTS,
        st.booleans(),  # refused before payment, or ordered back
        st.lists(CENTS, max_size=3),  # recoveries on it
    ),
    max_size=20,
)


@settings(derandomize=True, deadline=None)
@given(FINDINGS)
def test_totals_equal_the_sums_by_source_and_by_violation_to_the_cent(
    findings: list[tuple[str, str, date, Decimal, bool, list[Decimal]]],
) -> None:
    items: list[SupervisionItem] = []
    recovered_2020 = Decimal(0)
    for i, (source, violation, day, amount, refused, recoveries) in enumerate(findings):
        zero = Decimal("0.00")
        refused_part, ordered_part = (amount, zero) if refused else (zero, amount)
        items.append(Finding(f"F-{i}", day, source, violation, refused_part, ordered_part))
        items += [Recovery(f"F-{i}", r) for r in recoveries]
        if day.year == 2020:
            recovered_2020 += sum(recoveries, Decimal(0))
    report = tally(items, 2020)
    for groups in (report.by_source, report.by_violation):
        assert sum((f.found for f in groups.values()), Decimal(0)) == report.total.found
        assert sum((f.recovered for f in groups.values()), Decimal(0)) == recovered_2020
        assert sum(f.cases for f in groups.values()) == report.total.cases
    in_2020 = [a for _, _, day, a, _, _ in findings if day.year == 2020]
    assert report.total.found == sum(in_2020, Decimal(0))
