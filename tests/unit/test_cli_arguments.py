"""Out-of-range input is refused when parsed (issue 14: `--as-of 9999-12-31`, `--year 9999` and
`--limit -1` ended in tracebacks)."""

from __future__ import annotations

import argparse

import pytest

from domain.calendar import FIRST_DAY, LAST_DAY
from projections.asof import AsOfError, end_of_day, parse_instant
from scripts.cli import argtypes


def test_the_calendar_s_first_and_last_days_are_accepted() -> None:
    assert parse_instant(FIRST_DAY.isoformat()) == end_of_day(FIRST_DAY)
    assert parse_instant(LAST_DAY.isoformat()) == end_of_day(LAST_DAY)


@pytest.mark.parametrize(
    "text",
    [
        "9999-12-31",
        "1899-12-31",
        "2200-01-01",
        "9999-12-31T23:00:00-05:00",  # year 10000 in +08:00
        "0001-01-01T00:00:00+14:00",  # before year 1 in +08:00
        "2200-01-01T00:00:00+08:00",
    ],
)
def test_days_outside_the_ledger_s_calendar_are_refused(text: str) -> None:
    with pytest.raises(AsOfError, match="outside the ledger's calendar"):
        parse_instant(text)


def test_an_instant_in_another_offset_is_judged_by_its_day_in_the_region() -> None:
    assert parse_instant("2200-01-01T00:00:00+09:00").isoformat() == "2200-01-01T00:00:00+09:00"


@pytest.mark.parametrize(
    ("text", "ok"), [("1900", True), ("2199", True), ("9999", False), ("1899", False)]
)
def test_years_are_those_of_the_calendar(text: str, ok: bool) -> None:
    if ok:
        assert argtypes.year(text) == int(text)
    else:
        with pytest.raises(argparse.ArgumentTypeError, match="outside the ledger's calendar"):
            argtypes.year(text)


@pytest.mark.parametrize("text", ["-1", "0", "ten", "\uff11\uff12", "\u0661\u0662", "1\x00"])
def test_a_limit_is_a_positive_whole_number(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        argtypes.positive_int(text)
    assert argtypes.positive_int("1") == 1


@pytest.mark.parametrize("text", ["0", "-2", "nan", "inf", "\uff15", "5\u200b"])
def test_a_wait_is_a_finite_positive_number_of_seconds(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match="is not a"):
        argtypes.positive_seconds(text)
    assert argtypes.positive_seconds("2.5") == 2.5


def test_a_year_in_look_alike_digits_names_what_was_typed() -> None:
    with pytest.raises(argparse.ArgumentTypeError, match="is not a year"):
        argtypes.year("\uff12\uff10\uff12\uff10")
