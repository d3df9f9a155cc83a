"""The wire contract: every bad input class gets its own reason; good input becomes a command."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consumers.contract import content_digest, decode
from domain.commands import EnrollPerson
from domain.reasons import Reason
from infra.application.inbound import Decoded, Undecodable
from tests.messages import RECORDED_AT, coordinates, designated, encode, enrolled


def decode_on(suffix: str, raw: bytes | None) -> Decoded | Undecodable:
    return decode(raw, coordinates(suffix, 7), suffix, RECORDED_AT)


def reason_of(raw: bytes | None, suffix: str = "enrollment") -> Reason:
    outcome = decode_on(suffix, raw)
    assert isinstance(outcome, Undecodable), outcome
    return outcome.reason


def with_changes(document: dict[str, Any], **changes: Any) -> bytes:
    return encode({**document, **changes})


def test_a_valid_enrollment_becomes_a_command_with_provenance() -> None:
    document = enrolled("P-1")
    outcome = decode_on("enrollment", encode(document))
    assert isinstance(outcome, Decoded)
    assert isinstance(outcome.command, EnrollPerson)
    p = outcome.command.provenance
    assert (str(p.message_id), p.source_topic, p.source_offset) == (
        document["message_id"],
        "ledger.enrollment",
        7,
    )
    assert p.recorded_at == RECORDED_AT
    assert p.occurred_at.isoformat() == "2019-05-03T10:20:00+08:00"


@pytest.mark.parametrize(
    "raw",
    [b'{"message_id": "x"', b"\xff\xfe not utf-8", b'{"a": 1, "a": 2}', b'{"a": NaN}', b"", None],
    ids=["truncated", "not-utf8", "duplicate-key", "nan", "empty", "tombstone"],
)
def test_unparseable_input_is_malformed_json(raw: bytes | None) -> None:
    assert reason_of(raw) is Reason.MALFORMED_JSON


@pytest.mark.parametrize(
    "change",
    [
        {"message_id": "not-a-uuid"},
        {"schema_version": "1"},
        {"occurred_at": "2019-05-03T10:20:00"},
        {"region": "43042"},
        {"recorded_by": ""},
        {"payload": []},
        {"extra": "field"},
    ],
    ids=[
        "message-id",
        "version-as-string",
        "naive-time",
        "region",
        "recorded-by",
        "payload",
        "unknown-field",
    ],
)
def test_a_bad_envelope_is_schema_invalid(change: dict[str, Any]) -> None:
    assert reason_of(with_changes(enrolled("P-1"), **change)) is Reason.SCHEMA_INVALID


def test_a_missing_field_is_schema_invalid() -> None:
    document = enrolled("P-1")
    del document["payload"]["scheme"]
    outcome = decode_on("enrollment", encode(document))
    assert isinstance(outcome, Undecodable)
    assert outcome.reason is Reason.SCHEMA_INVALID
    assert "scheme" in outcome.detail
    assert str(outcome.message_id) == document["message_id"]


def test_a_wrongly_typed_field_is_schema_invalid() -> None:
    document = enrolled("P-1")
    document["payload"]["category"] = 3
    assert reason_of(encode(document)) is Reason.SCHEMA_INVALID


def test_an_array_instead_of_an_object_is_schema_invalid() -> None:
    assert reason_of(b"[1, 2, 3]") is Reason.SCHEMA_INVALID


def test_an_unknown_type_has_its_own_reason() -> None:
    assert reason_of(with_changes(enrolled("P-1"), type="PersonTeleported")) is Reason.UNKNOWN_TYPE


def test_an_unknown_schema_version_has_its_own_reason() -> None:
    raw = with_changes(enrolled("P-1"), schema_version=99)
    assert reason_of(raw) is Reason.UNSUPPORTED_VERSION


def test_a_type_on_the_wrong_topic_is_refused() -> None:
    assert reason_of(encode(designated()), suffix="enrollment") is Reason.WRONG_TOPIC


def test_personal_data_in_place_of_an_opaque_id_is_refused() -> None:
    assert reason_of(encode(enrolled("张三 430422199001011234"))) is Reason.SCHEMA_INVALID


def test_the_digest_ignores_whitespace_and_key_order() -> None:
    document = enrolled("P-1")
    reordered = json.loads(json.dumps(document, sort_keys=True, indent=3))
    assert content_digest(document) == content_digest(reordered)
    assert content_digest(document) != content_digest({**document, "recorded_by": "other"})


@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_raise(raw: bytes) -> None:
    assert isinstance(decode_on("enrollment", raw), Undecodable)


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=10),
        lambda inner: (
            st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
        ),
        max_leaves=20,
    )
)
def test_arbitrary_json_never_raises(document: Any) -> None:
    outcome = decode_on("enrollment", json.dumps(document).encode())
    assert isinstance(outcome, Undecodable | Decoded)
