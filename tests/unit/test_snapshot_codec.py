"""A snapshot's state comes back with the types it had (infra/snapshot_codec.py), and its bytes
name no class outside the domain."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID

import pytest

from domain.person_values import Category, EnrollmentPeriod, Scheme
from domain.postings import Posting
from infra.snapshot_codec import decode_state, encode_state


def test_values_keep_their_types() -> None:
    period = EnrollmentPeriod(
        scheme=Scheme("resident"),
        category=Category("adult"),
        started_at=datetime(2019, 1, 1, tzinfo=UTC),
        ended_at=None,
    )
    state = {
        "balance": Decimal("12.30"),
        "usage": {2019: (Decimal("1.00"), date(2019, 5, 1))},
        "periods": [period],
        "seen": frozenset({"a", "b"}),
        "by_scheme": {Scheme("resident"): {UUID(int=7)}},
        "posting": Posting("fund:430422:resident:pooled", Decimal("-0.01")),
        "name": "衡南县人民医院 \ud800",
    }
    loaded = decode_state(encode_state(state))
    assert loaded == state
    assert type(loaded["usage"][2019]) is tuple
    assert type(next(iter(loaded["by_scheme"]))) is Scheme
    assert type(loaded["periods"][0].category) is Category
    assert str(loaded["balance"]) == "12.30"


@pytest.mark.parametrize(
    "hostile",
    [
        b'{"~":"dataclass","t":"subprocess:Popen","v":{}}',
        b'{"~":"enum","t":"os:system","v":"id"}',
        b'{"~":"dataclass","t":"domain.identity:person_aggregate_id","v":{}}',
        b'{"~":"dataclass","t":"domain.identity:no_such_name","v":{}}',
        b'{"~":"dataclass","t":"domain.no_such_module:Thing","v":{}}',
        b'{"~":"no such tag","v":1}',
        b'["not", "a", "mapping"]',
    ],
)
def test_a_state_naming_code_outside_the_domain_is_refused(hostile: bytes) -> None:
    with pytest.raises((ValueError, TypeError)):
        decode_state(hostile)


def test_an_unknown_type_is_refused_when_taken() -> None:
    with pytest.raises(TypeError, match=r"cannot snapshot a builtins\.bytearray"):
        encode_state({"raw": bytearray(b"x")})
