"""`claims-ledger publish` decides every line's topic before it sends anything."""

from __future__ import annotations

import pytest

from consumers.topics import Topics
from scripts.cli.publish import UnroutableError, read_lines, route
from tests.messages import designated, encode, enrolled


def test_each_line_goes_to_its_types_topic_keyed_by_its_region() -> None:
    lines = [
        encode(designated()),
        encode(enrolled("P-1")),
        encode({**enrolled("P-2"), "region": 7}),
    ]
    routed = route(lines, Topics("ledger."), None)
    assert [(m.topic, m.key) for m in routed] == [
        ("ledger.reference", designated()["region"].encode()),
        ("ledger.enrollment", b"430422"),
        ("ledger.enrollment", b""),
    ]
    assert [m.value for m in routed] == lines


def test_an_unroutable_line_stops_the_whole_file() -> None:
    lines = [encode(enrolled("P-1")), b"{not json", encode({"type": "Nope"})]
    with pytest.raises(UnroutableError) as error:
        route(lines, Topics("ledger."), None)
    assert "line 2" in str(error.value)
    assert "line 3" in str(error.value)
    assert "nothing was sent" in str(error.value)


def test_a_topic_override_sends_lines_unchanged() -> None:
    routed = route([b"{not json"], Topics("x."), "enrollment")
    assert [(m.topic, m.key, m.value) for m in routed] == [("x.enrollment", None, b"{not json")]


def test_blank_lines_and_crlf_are_dropped() -> None:
    assert read_lines(b'{"a":1}\r\n\n  \n{"b":2}') == [b'{"a":1}', b'{"b":2}']
