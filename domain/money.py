"""Money: exact yuan amounts with two decimal places; never floats."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# The only spelling of an amount the ledger accepts: ASCII digits, up to two decimals, no sign
# (amounts are never negative, and "-0" or "+1" is not how a source writes one). "1e3", "1,000",
# " 5", "1\n", "NaN", "Infinity" and other scripts' digits are refused rather than guessed at.
AMOUNT_TEXT = re.compile(r"(0|[1-9][0-9]{0,14})(\.[0-9]{1,2})?")


def parse_amount(text: str) -> Decimal:
    """The exact amount a string states; ValueError for anything but plain decimal notation."""
    if not AMOUNT_TEXT.fullmatch(text):
        raise ValueError(f"{text!r} is not an amount with at most two decimals")
    return Decimal(text).quantize(CENT)


def cents(value: Decimal) -> Decimal:
    """Round a computed amount (a ratio applied) to the cent, half up as settlement systems do."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


# A fraction between 0 and 1 with at most four decimals: ratios, rates, reductions.
RATIO_TEXT = re.compile(r"(0(\.[0-9]{1,4})?|1(\.0{1,4})?)")


def parse_ratio(text: str) -> Decimal:
    """The exact fraction a string states; ValueError unless it lies in [0, 1]."""
    if not RATIO_TEXT.fullmatch(text):
        raise ValueError(f"{text!r} is not a ratio between 0 and 1 with at most four decimals")
    return Decimal(text)
