"""A dead letter's detail may quote hostile input; it must still fit a PostgreSQL text column
and a Kafka header, and an unexpected error names its class."""

from __future__ import annotations

from consumers.contract import decode
from domain.reasons import Reason
from infra.application.inbound import Undecodable, internal_error, printable
from tests.messages import RECORDED_AT, coordinates


def test_lone_surrogates_and_nul_are_escaped_and_other_text_is_kept() -> None:
    detail = printable('payload: {"\ud800": ["Unknown field."], "\x00": 1, "名称": 2}')
    assert detail == 'payload: {"\\ud800": ["Unknown field."], "\\x00": 1, "名称": 2}'
    detail.encode("utf-8")


def test_a_long_detail_is_cut() -> None:
    assert len(printable("x" * 5000)) == 1000


def test_an_unexpected_error_becomes_internal_error_with_its_class() -> None:
    why = internal_error(OverflowError("date value out of range"))
    assert (why.reason, why.detail) == (
        Reason.INTERNAL_ERROR,
        "OverflowError: date value out of range",
    )


def test_hostile_json_is_malformed_not_a_crash() -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    surrogate = b'{"message_id": "x", "name": "\\ud800"}'
    for raw in (deep, surrogate):
        decoded = decode(raw, coordinates("reference"), "reference", RECORDED_AT)
        assert isinstance(decoded, Undecodable)
        assert decoded.reason is Reason.MALFORMED_JSON
