"""The fast decode path (consumers/fast_decode.py) agrees with marshmallow, the contract.

For every message type, valid and mutated messages go through both `fast_decoded` and
`strict_decode`: whatever the fast path accepts, marshmallow accepts with the same values (same
types, same reprs: Decimal('1.00') is not Decimal('1')), and `decode` gives marshmallow's answer
whenever the fast path steps aside. Hypothesis runs derandomized with a bounded example count.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consumers.contract import MESSAGE_TYPES, decode, fast_decoded, strict_decode
from consumers.fast_decode import fast_schema
from consumers.schemas import EnvelopeSchema
from infra.application.inbound import Decoded
from scripts.simulation.config import config_for
from scripts.simulation.county import county_year
from tests.examples import documented
from tests.hostile import hostile_cases
from tests.messages import coordinates

COMMITTED_AT = datetime(2020, 1, 15, 9, 0, tzinfo=UTC)
TYPES = sorted(MESSAGE_TYPES)
FAST_TYPES = [name for name in TYPES if fast_schema(MESSAGE_TYPES[name].schemas[1]) is not None]
SLOW_TYPES = [name for name in TYPES if name not in FAST_TYPES]
# The most numerous types of the county year (scripts/simulation), 97 % of its messages.
HOT_TYPES = {"ContributionPaid", "ClaimSettled", "PersonEnrolled", "EnrollmentRenewed"}
HOT_TYPES |= {"DisbursementMade"}
FUZZ = settings(
    max_examples=400,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def agree(raw: bytes | None, topic_suffix: str) -> bool:
    """Check that the fast path agrees with marshmallow on `raw`; whether it accepted it."""
    where = coordinates(topic_suffix, 7)
    strict = strict_decode(raw, where, topic_suffix, COMMITTED_AT) if raw is not None else None
    fast = fast_decoded(raw, where, topic_suffix, COMMITTED_AT) if raw is not None else None
    if fast is not None:
        assert isinstance(strict, Decoded), (raw, strict)
        assert (fast, repr(fast)) == (strict, repr(strict)), raw
    outcome = decode(raw, where, topic_suffix, COMMITTED_AT)
    if strict is not None:
        assert (outcome, repr(outcome)) == (strict, repr(strict)), raw
    return fast is not None


def wire(document: Any, *, ascii_only: bool = False, spaced: bool = True) -> bytes:
    separators = (", ", ": ") if spaced else (",", ":")
    text = json.dumps(document, ensure_ascii=ascii_only, separators=separators)
    return text.encode("utf-8", "surrogatepass")


def test_the_hot_types_have_a_fast_path_and_the_others_say_why_not() -> None:
    assert fast_schema(EnvelopeSchema) is not None
    assert set(FAST_TYPES) >= HOT_TYPES
    # These carry lists and whole-message rules (hooks); marshmallow alone reads them.
    assert set(SLOW_TYPES) == {
        "ClawbackOrdered",
        "DoctorRegistered",
        "MisuseRecoveryOrdered",
        "PolicyPublished",
        "RefundVolunteered",
    }


@pytest.mark.parametrize("type_name", FAST_TYPES)
def test_the_documented_example_takes_the_fast_path(type_name: str) -> None:
    document = documented(type_name)
    assert agree(wire(document), MESSAGE_TYPES[type_name].topic_suffix)


@pytest.mark.parametrize("type_name", SLOW_TYPES)
def test_a_type_without_a_fast_path_falls_back_to_marshmallow(type_name: str) -> None:
    raw, suffix = wire(documented(type_name)), MESSAGE_TYPES[type_name].topic_suffix
    assert not agree(raw, suffix)
    assert isinstance(decode(raw, coordinates(suffix), suffix, COMMITTED_AT), Decoded)


def test_every_message_of_a_county_year_is_decoded_the_same() -> None:
    planned = list(county_year(config_for("tiny", None, seed=17)))
    fast = [agree(p.value(), p.topic_suffix) for p in planned]
    assert sum(fast) > 0.9 * len(planned)  # the fast path is the common one


@pytest.mark.parametrize("case", hostile_cases(), ids=lambda c: f"{c.kind}:{c.case}")
def test_every_hostile_case_is_decoded_the_same_escaped_or_not(case: Any) -> None:
    document = json.loads(case.raw())
    suffix = case.topic_suffix
    agree(case.raw(), suffix)
    agree(wire(document), suffix)  # non-ASCII as UTF-8, so look-alike digits reach the fast path
    agree(wire(document, spaced=False), "claims" if suffix != "claims" else "payments")


def _edits(value: Any) -> list[Any]:
    """Near misses of a valid value: a character more or less, another JSON type, null."""
    near: list[Any] = [None, [value], {"v": value}]
    if isinstance(value, str):
        near += [value + "0", "0" + value, value + "x", " " + value, value[:-1], value[1:], ""]
        near += [value + "\uff11", value.upper(), value.lower(), "0", "0.00", "1.005", "-1"]
        near += [int(value)] if value.isdecimal() else []
        if re.match(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):  # a day or an instant: other years
            near += [year + value[4:] for year in ("0001", "1899", "1900", "2199", "2200", "9999")]
            near += [value[:10], value[:19], value + "Z", value[:10] + "T00:00:00-12:00"]
    if value is None:  # an optional field: what producers might put there
        near += ["1", "0", "1.5", "2020-04-15", "police", "H43042200011", 1, -1, 10**30]
    if isinstance(value, int):
        near += [value - 1, value + 1, str(value), float(value), True, 10**30, -(10**30)]
    return near


@pytest.mark.parametrize("type_name", FAST_TYPES)
def test_every_field_edited_by_a_near_miss_is_decoded_the_same(type_name: str) -> None:
    suffix = MESSAGE_TYPES[type_name].topic_suffix
    base = documented(type_name)
    for part in ("envelope", "payload"):
        target = base if part == "envelope" else base["payload"]
        for key, value in sorted(target.items()):
            for near in [*_edits(value), "\x00"]:
                document = json.loads(json.dumps(base))
                (document if part == "envelope" else document["payload"])[key] = near
                agree(wire(document), suffix)
            document = json.loads(json.dumps(base))
            del (document if part == "envelope" else document["payload"])[key]
            agree(wire(document), suffix)


SYNTAX = ["01", "1.", "1.0", "1e0", "+1", "-0", "0x1", "NaN", "Infinity", "true", "[1,]", "'1'"]


@pytest.mark.parametrize("spelling", SYNTAX)
def test_json_spellings_of_a_number_are_read_the_same(spelling: str) -> None:
    raw = wire(documented("ClaimSettled"), spaced=False)
    assert b'"schema_version":1,' in raw
    agree(raw.replace(b'"schema_version":1,', f'"schema_version":{spelling},'.encode()), "claims")


@pytest.mark.parametrize("space", [" ", "\t", "\r\n", "\x0b", "\x0c", "\xa0", "\u3000", "/**/"])
def test_whitespace_between_tokens_is_read_the_same(space: str) -> None:
    raw = wire(documented("ContributionPaid"), spaced=False)
    spaced = raw.replace(b":", space.encode() + b":" + space.encode()).replace(
        b",", b"," + space.encode()
    )
    agree(spaced, "payments")
    agree(space.encode() + raw + space.encode(), "payments")


def test_a_repeated_key_hidden_by_an_escaped_colon_is_left_to_marshmallow() -> None:
    """The fast path finds repeated keys by counting colons; an escape could hide one."""
    raw = wire(documented("ClaimSettled"), spaced=False)
    first = raw[1 : raw.index(b",") + 1]
    raw = raw[:1] + first + raw[1:].replace(b'"recorded_by":"', b'"recorded_by":"\\u003a', 1)
    assert not agree(raw, "claims")


# ---- the differential fuzz: documented examples of every type, mutated ----

# Fullwidth, Arabic-Indic and Devanagari digits: str.isdigit() is true of them all.
LOOKALIKE_DIGITS = "".join(
    map(chr, [*range(0xFF10, 0xFF1A), *range(0x660, 0x66A), *range(0x966, 0x970)])
)
AMOUNTISH = st.from_regex(re.compile(r"-?[0-9]{0,18}(\.[0-9]{0,4})?"), fullmatch=True)
DATEISH = st.sampled_from(
    [
        "0001-01-01",
        "9999-12-31",
        "1899-12-31",
        "1900-01-01",
        "2199-12-31",
        "2200-01-01",
        "2019-02-29",
        "20190503",
        "2019-W18-5",
        "0001-01-01T00:00:00+00:00",
        "9999-12-31T23:00-12:00",
        "2199-12-31T23:59:59+08:00",
        "2199-12-31T16:00:00Z",
        "1899-12-31T16:00:00+00:00",
        "2019-05-03T10:20:00",
        "2019-05-03T10:20:00.123456+08:00",
        "2019-05-03 10:20:00+0800",
        "\uff12\uff10\uff11\uff19-05-03T10:20:00+08:00",
    ]
)
STRINGS = st.one_of(
    st.text(max_size=80),
    st.text(alphabet=LOOKALIKE_DIGITS + "0123456789.-", max_size=20),
    st.text(alphabet=st.characters(codec=None), max_size=8),  # lone surrogates too
    st.sampled_from(
        [
            "0",
            "0.00",
            "0.0",
            "00",
            "00.01",
            "1.",
            ".5",
            "1e3",
            "",
            " ",
            "\x00",
            "a\x00b",
            "\u2028",
            "\u200b",
            "\n",
            "H4304220001\uff11",
        ]
    ),
    AMOUNTISH,
    DATEISH,
    st.from_regex(re.compile(r"[HP][0-9]{11}|[A-Za-z0-9][A-Za-z0-9_.:-]{0,70}"), fullmatch=True),
    st.uuids().map(str),
    st.uuids().map(lambda u: u.hex.upper()),
    st.just("x" * 65),
    st.just("x" * 201),
)
NUMBERS = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, 1, 1999, 2000, 2100, 2101, 10**30, -1]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
)
LEAVES = st.one_of(STRINGS, NUMBERS, st.none())
VALUES = st.recursive(
    LEAVES,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


DEEP = "@deep@"  # replaced in the bytes: json.dumps cannot write what is too deep to read


@st.composite
def mutated(draw: st.DrawFn) -> tuple[bytes, str]:
    """A documented example of any type, changed in a few hostile ways, and a topic suffix."""
    type_name = draw(st.sampled_from(TYPES))
    document = documented(type_name)
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        target = document if draw(st.booleans()) else document.get("payload")
        if not isinstance(target, dict):
            break
        _mutate(draw, target)
    raw = wire(document, ascii_only=draw(st.booleans()), spaced=draw(st.booleans()))
    levels = draw(st.sampled_from([2, 50, 5000]))
    raw = raw.replace(f'"{DEEP}"'.encode(), b'{"a": [' * levels + b"1" + b"]}" * levels)
    raw = _mutate_bytes(draw, raw)
    suffix = MESSAGE_TYPES[type_name].topic_suffix
    return raw, draw(st.sampled_from([suffix] * 4 + ["claims", "payments", "reference"]))


def _mutate(draw: st.DrawFn, target: dict[str, Any]) -> None:
    keys = sorted(target)
    key = draw(st.sampled_from(keys)) if keys else "x"
    how = draw(
        st.sampled_from(
            ["remove", "add", "value", "edit", "number_as_string", "string_as_number", "deep"]
        )
    )
    if how == "remove":
        target.pop(key, None)
    elif how == "add":
        target[draw(st.sampled_from([*keys, "extra", "Claim_id", "payload "]))] = draw(VALUES)
    elif how == "value":
        target[key] = draw(VALUES)
    elif how == "edit" and isinstance(target.get(key), str):  # one character more or less
        text, extra = target[key], draw(st.sampled_from(["0", "x", " ", "\uff11", ":"]))
        target[key] = draw(st.sampled_from([text + extra, extra + text, text[:-1], text[1:]]))
    elif how == "number_as_string" and isinstance(target.get(key), int):
        target[key] = str(target[key])
    elif how == "string_as_number" and isinstance(target.get(key), str):
        target[key] = draw(NUMBERS)
    elif how == "deep":
        target[key] = DEEP


def _mutate_bytes(draw: st.DrawFn, raw: bytes) -> bytes:
    how = draw(st.sampled_from(["none"] * 4 + ["duplicate", "duplicate_payload", "nul", "bom"]))
    if how == "duplicate":  # repeat the envelope's first key, same or other value
        first = raw[1 : raw.index(b",") + 1]
        return (
            raw[:1] + first + raw[1:]
            if draw(st.booleans())
            else raw[:-1] + b"," + first[:-1] + b"}"
        )
    if how == "duplicate_payload":
        start = raw.find(b'"payload"')
        brace = raw.find(b"{", start) + 1
        comma = raw.find(b",", brace)
        if min(start, comma) < 0:
            return raw
        return raw[:brace] + raw[brace : comma + 1] + raw[brace:]
    if how == "nul":
        at = draw(st.integers(min_value=0, max_value=len(raw)))
        return raw[:at] + b"\x00" + raw[at:]
    if how == "bom":
        return b"\xef\xbb\xbf" + raw
    return raw


@FUZZ
@given(mutated())
def test_fast_path_and_marshmallow_agree_on_mutated_messages(message: tuple[bytes, str]) -> None:
    agree(*message)


@FUZZ
@given(st.sampled_from(FAST_TYPES), st.data())
def test_fast_path_and_marshmallow_agree_on_valid_values(
    type_name: str, data: st.DataObject
) -> None:
    """Valid values in every field the fast path reads: it must accept them, and equally."""
    document = documented(type_name)
    payload = document["payload"]
    for key, value in sorted(payload.items()):
        if isinstance(value, str) and re.fullmatch(r"(0|[1-9][0-9]*)\.[0-9]{2}", value):
            payload[key] = data.draw(
                st.from_regex(r"[1-9][0-9]{0,14}(\.[0-9]{1,2})?", fullmatch=True)
            )
    document["recorded_by"] = data.draw(
        st.text(
            st.characters(categories=["L", "N", "P"], exclude_characters='\\"'),
            min_size=1,
            max_size=200,
        )
    )
    document["occurred_at"] = data.draw(
        st.datetimes(
            min_value=datetime(1901, 1, 1),  # noqa: DTZ001 - hypothesis bounds are naive
            max_value=datetime(2198, 1, 1),  # noqa: DTZ001
            timezones=st.just(UTC),
        )
    ).isoformat()
    raw = wire(document, spaced=data.draw(st.booleans()))
    assert agree(raw, MESSAGE_TYPES[type_name].topic_suffix)
