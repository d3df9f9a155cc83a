"""The orjson transcoder stores the very bytes the library's `JSONTranscoder` stores (they are
hashed into the chain), and refuses what it refuses, with the same error."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from decimal import Decimal
from enum import Enum, IntEnum, StrEnum
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
from eventsourcing.persistence import JSONTranscoder, Mapper, Transcoding
from hypothesis import given, settings
from hypothesis import strategies as st

from infra.transcodings import ledger_transcoder, register_ledger_transcodings
from tests.hostile import hostile_cases
from tests.unit.test_outbound_contract import rarer_events, scenario_events


def library_transcoder() -> JSONTranscoder:
    """Today's transcoder: the library's, with the ledger's registrations."""
    transcoder = JSONTranscoder()
    register_ledger_transcodings(transcoder)
    return transcoder


def outcome(transcoder: JSONTranscoder, value: Any) -> bytes | tuple[type, str]:
    """The stored bytes, or the refusal's type and message."""
    try:
        return transcoder.encode(value)
    except Exception as refusal:  # noqa: BLE001 - the refusal is what is compared
        return type(refusal), str(refusal)


class Refuse:
    """Stands in for the library's encoder where the fast path alone must do the work."""

    def encode(self, obj: Any) -> str:
        raise AssertionError(f"fell back to the library's encoder for {obj!r:.200}")


def test_every_event_of_a_county_year_is_stored_byte_for_byte_as_today() -> None:
    events = scenario_events() + rarer_events()
    today = Mapper[Any](transcoder=library_transcoder())
    fast = ledger_transcoder()
    fast.encoder = Refuse()  # type: ignore[assignment]
    new = Mapper[Any](transcoder=fast)

    assert len(events) > 1000
    for event in events:
        assert new.to_stored_event(event) == today.to_stored_event(event)


def test_every_character_is_written_as_today() -> None:
    """All of Unicode but the surrogates, as values and as keys: CJK, control characters
    (short and \\u00XX escapes), DEL, the line and paragraph separators, astral planes."""
    text = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    value = {"k" + text: [text, "医保基金 住院", "\x00\x1f\x7f\u2028\u2029\\\"'"]}
    fast = ledger_transcoder()
    fast.encoder = Refuse()  # type: ignore[assignment]
    assert fast.encode(value) == library_transcoder().encode(value)


class Mood(Enum):
    CALM = "calm"


class Level(IntEnum):
    ONE = 1


class Kind(StrEnum):
    HOSPITAL = "hospital"


class Code(str):
    """A str subclass with a transcoding of its own: the library never calls it."""


class CodeAsText(Transcoding):
    type = Code
    name = "code"

    def encode(self, obj: Code) -> str:
        return f"never {obj}"

    def decode(self, data: str) -> Code:
        return Code(data)


def cyclic() -> dict[str, Any]:
    loop: dict[str, Any] = {}
    loop["self"] = loop
    return loop


def nested(depth: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth):
        value = [value]
    return value


ODD_VALUES = {
    "lone high surrogate": "claim \ud800",
    "lone low surrogate in a key": {"\udfff": 1},
    "surrogate in a registered type": {"p": Decimal("1"), "s": ["ok", "\ud83d"]},
    "ints past 64 bits": [2**64, -(2**63) - 1, 2**63 - 1],
    "floats": [0.1, 1e16, 1e-05, -0.0, 1.5],
    "not a number": [float("nan"), float("inf"), float("-inf")],
    "keys that are not str": {7: "a", None: "b", True: "c", 2.5: "d"},
    "a plain enum, unregistered": {"mood": Mood.CALM},
    "an int enum": {"level": Level.ONE},
    "a str enum": {"kind": Kind.HOSPITAL},
    "a str subclass with a transcoding": {"code": Code("H1")},
    "an unregistered type": {"when": datetime(2020, 1, 1, tzinfo=UTC).time()},
    "a cycle": cyclic(),
    "deeper than orjson goes": nested(300),
    "the registered types": {
        "at": datetime(2020, 1, 1, 8, tzinfo=UTC),
        "on": date(2020, 2, 29),
        "id": UUID(int=7),
        "amount": Decimal("-0.10"),
        "exponent": Decimal("1E+2"),
    },
}


@pytest.mark.parametrize("value", ODD_VALUES.values(), ids=ODD_VALUES.keys())
def test_odd_values_give_todays_bytes_or_todays_refusal(value: Any) -> None:
    today, fast = library_transcoder(), ledger_transcoder()
    for transcoder in (today, fast):
        transcoder.register(CodeAsText())
    assert outcome(fast, value) == outcome(today, value)


def test_lone_surrogates_are_refused_as_today() -> None:
    """What the library does with them: its encoder writes them, UTF-8 refuses them."""
    with pytest.raises(UnicodeEncodeError, match="surrogates not allowed"):
        ledger_transcoder().encode({"name": "\udc80"})


def test_the_hostile_corpus_gives_todays_bytes_or_todays_refusal() -> None:
    today, fast = library_transcoder(), ledger_transcoder()
    documents = [json.loads(case.raw()) for case in hostile_cases()]
    assert documents
    for document in documents:
        assert outcome(fast, document) == outcome(today, document)


class Unhashable(tzinfo):
    """A zone that cannot be a key: the remembered text is skipped, not wrong."""

    __hash__ = None  # type: ignore[assignment]

    def utcoffset(self, dt: datetime | None) -> timedelta:
        return timedelta(hours=5, minutes=45)

    def dst(self, dt: datetime | None) -> timedelta:
        return timedelta(0)

    def tzname(self, dt: datetime | None) -> str:
        return "+0545"


class Broken(tzinfo):
    """A zone whose offset raises: the refusal must be the library's."""

    def utcoffset(self, dt: datetime | None) -> timedelta:
        raise ValueError("no offset here")

    def dst(self, dt: datetime | None) -> timedelta:
        return timedelta(0)

    def tzname(self, dt: datetime | None) -> str:
        return "broken"


NEW_YORK = ZoneInfo("America/New_York")
# Equal to each other as times, written differently: each must get its own text.
EQUAL_BUT_WRITTEN_APART = [
    datetime(2020, 1, 1, 8, tzinfo=UTC),
    datetime(2020, 1, 1, 16, tzinfo=timezone(timedelta(hours=8))),
    datetime(2020, 1, 1, 16, tzinfo=ZoneInfo("Asia/Shanghai")),
    datetime(2020, 1, 1, 16, tzinfo=timezone(timedelta(hours=8), "CST")),
    # the same wall-clock time an hour apart, and equal as times of one zone
    datetime(2020, 11, 1, 1, 30, tzinfo=NEW_YORK, fold=0),
    datetime(2020, 11, 1, 1, 30, tzinfo=NEW_YORK, fold=1),
    datetime(2020, 11, 1, 1, 30, tzinfo=NEW_YORK, fold=0),
    datetime(2020, 1, 1, 8, 0, 0, 1, tzinfo=UTC),
    datetime(1, 1, 1, tzinfo=UTC),
    datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    datetime(2020, 1, 1, 8, tzinfo=Unhashable()),
    datetime(2020, 1, 1, 8),  # noqa: DTZ001 - a naive time is written too, and must stay so
]


def test_times_remembered_are_written_as_the_library_writes_each() -> None:
    today, fast = library_transcoder(), ledger_transcoder()
    for _ in range(2):  # the second round reads what the first remembered
        for when in EQUAL_BUT_WRITTEN_APART:
            assert outcome(fast, {"at": when}) == outcome(today, {"at": when}), when
    broken = datetime(2020, 1, 1, 8, tzinfo=Broken())
    assert outcome(fast, {"at": broken}) == outcome(today, {"at": broken})
    assert outcome(fast, {"at": broken})[0] is ValueError


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.datetimes(
            # hypothesis bounds are naive; the zone is drawn apart
            min_value=datetime(1, 1, 2),  # noqa: DTZ001
            max_value=datetime(9999, 12, 30),  # noqa: DTZ001
            timezones=st.timezones(),
        ),
        min_size=1,
        max_size=50,
    )
)
def test_any_aware_times_in_any_order_are_written_as_today(times: list[datetime]) -> None:
    today, fast = library_transcoder(), ledger_transcoder()
    for when in times + times[::-1]:
        assert fast.encode({"at": when}) == today.encode({"at": when})


def test_forgetting_past_its_bound_keeps_the_text_right() -> None:
    fast, today = ledger_transcoder(), library_transcoder()
    start = datetime(2020, 1, 1, tzinfo=UTC)
    times = [start + timedelta(seconds=s) for s in range(10_000)]
    for when in times + times[:100]:
        assert fast.encode([when]) == today.encode([when])
