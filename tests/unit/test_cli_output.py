"""The CLI's JSON output holds every value an event carries (issue 14: `history --json` raised
"cannot print Posting as JSON" for every event with money)."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

import pytest

from domain.calendar import REGION_TZ
from domain.person_values import Scheme
from domain.postings import Posting
from scripts.cli import output


def printed(value: object, capsys: pytest.CaptureFixture[str]) -> object:
    output.print_json(value)
    return json.loads(capsys.readouterr().out)


def test_postings_print_as_objects_with_their_amount_as_a_decimal_string(
    capsys: pytest.CaptureFixture[str],
) -> None:
    postings = (
        Posting("fund:430422:resident:pooled", Decimal("-81.31")),
        Posting("x", Decimal("81.31")),
    )
    assert printed({"postings": postings}, capsys) == {
        "postings": [
            {"account": "fund:430422:resident:pooled", "amount": "-81.31"},
            {"account": "x", "amount": "81.31"},
        ]
    }


def test_days_instants_ids_enums_and_sets_print_as_plain_json(
    capsys: pytest.CaptureFixture[str],
) -> None:
    value = {
        "day": date(2019, 12, 31),
        "at": datetime(2019, 12, 31, 20, 0, tzinfo=REGION_TZ),
        "id": UUID(int=1),
        "scheme": Scheme.RESIDENT,
        "kinds": frozenset({"b", "a"}),
        "money": Decimal("0.10"),
    }
    assert printed(value, capsys) == {
        "day": "2019-12-31",
        "at": "2019-12-31T20:00:00+08:00",
        "id": "00000000-0000-0000-0000-000000000001",
        "scheme": "resident",
        "kinds": ["a", "b"],
        "money": "0.10",
    }


def test_a_value_with_no_json_form_is_still_refused() -> None:
    with pytest.raises(TypeError, match="cannot print object as JSON"):
        output.json_value(object())
