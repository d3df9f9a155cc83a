"""What people read in a terminal (issue 14, "Terminal output"): columns that line up with
Chinese names, one amount format right-aligned, one time zone stated once, no Python reprs."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from wcwidth import wcswidth

from scripts.cli import display, output

# Real names carry full-width punctuation, two columns each like the ideographs.
NAMES = ["衡阳县人民医院", "H43042200011", "Clinic 7", "湘雅医院（分院）"]  # noqa: RUF001


def starts(line: str, text: str) -> int:
    """The display column at which `text` begins in `line`, as a terminal counts (wcwidth
    itself, not the code under test)."""
    return wcswidth(line[: line.index(text)])


def test_a_cjk_character_takes_two_columns_and_a_combining_mark_none() -> None:
    assert display.width("衡阳县人民医院") == 14
    assert display.width("H43042200011") == 12
    assert display.width("e\u0301") == 1  # e and a combining acute accent: one column


def test_every_column_starts_at_the_same_display_column_beside_chinese_names() -> None:
    paid = [Decimal(1000 * i) + Decimal("0.5") for i in range(len(NAMES))]
    rows = [[name, amount, "yes"] for name, amount in zip(NAMES, paid, strict=True)]
    header, *lines = output.table_lines(["institution", "paid", "flag"], rows)
    flag_column = starts(header, "flag")
    for line in lines:
        assert starts(line, "yes") == flag_column, line
    # Right-aligned: every amount ends where the header "paid" ends.
    paid_end = starts(header, "paid") + 4
    for line, amount in zip(lines, paid, strict=True):
        shown = display.amount(amount)
        assert starts(line, shown) + wcswidth(shown) == paid_end, line


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("12345.6"), "12,345.60"),
        (Decimal("-0.5"), "-0.50"),
        (Decimal("1234567.891"), "1,234,567.89"),
        (Decimal(0), "0.00"),
    ],
)
def test_amounts_have_one_format(value: Decimal, shown: str) -> None:
    assert display.cell(value) == shown


def test_whole_numbers_and_amounts_are_right_aligned_text_is_not() -> None:
    header, *lines = output.table_lines(
        ["n", "amount", "word"], [[7, Decimal("1.00"), "a"], [1234, Decimal("12345.00"), "bcd"]]
    )
    assert lines[0] == "   7       1.00  a"
    assert lines[1] == "1234  12,345.00  bcd"
    assert header.startswith("   n     amount  word")


def test_instants_show_in_the_region_s_zone_and_the_zone_is_said_once() -> None:
    utc_evening = datetime(2019, 12, 31, 20, 0, tzinfo=UTC)  # already 1 January in the region
    lines = output.table_lines(["at"], [[utc_evening], [utc_evening]])
    assert lines[1] == "2020-01-01 04:00:00"
    assert lines[-1] == display.ZONE_NOTE
    assert "+08:00" in display.ZONE_NOTE
    assert sum(display.ZONE_NOTE in line for line in lines) == 1


def test_a_table_without_times_says_nothing_about_zones() -> None:
    assert display.ZONE_NOTE not in output.table_lines(["a"], [["x"]])


def test_a_naive_instant_is_refused_rather_than_guessed() -> None:
    with pytest.raises(ValueError, match="no UTC offset"):
        display.local_time(datetime(2019, 1, 1))  # noqa: DTZ001 - the case under test


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (True, "yes"),
        (False, "no"),
        (None, "-"),
        ([], "-"),
        (["penalties"], "penalties"),
        ({"balances": 6188, "hospitals": 6100}, "balances 6188, hospitals 6100"),
        (frozenset({"b", "a"}), "a, b"),
        (date(2019, 7, 1), "2019-07-01"),
        ("line one\nline two", "line one line two"),
    ],
)
def test_no_python_repr_reaches_a_person(value: object, shown: str) -> None:
    assert display.cell(value) == shown


def test_key_values_show_no_repr_and_right_align_numbers(
    capsys: pytest.CaptureFixture[str],
) -> None:
    output.key_values(
        {"ok": False, "behind": ["penalties"], "checked": 12, "total": Decimal("1234.5")}
    )
    out = capsys.readouterr().out
    assert "False" not in out
    assert "[" not in out
    assert out.splitlines() == [
        "ok       no",
        "behind   penalties",
        "checked        12",
        "total    1,234.50",
    ]


def test_a_cut_is_shown_by_an_ellipsis_and_fits_the_columns() -> None:
    detail = "医院编码不存在：" + "x" * 100  # noqa: RUF001 - a full-width colon, as written
    cut = display.shorten(detail, 20)
    assert cut.endswith("…")
    assert display.width(cut) <= 20
    assert display.shorten("short", 20) == "short"
