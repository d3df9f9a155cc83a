"""Every case of the hostile corpus meets its documented fate at the contract."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consumers.contract import decode
from consumers.schemas.base import UNPRINTABLE, unprintable_at
from domain.money import parse_amount
from infra.application.inbound import Decoded, Undecodable
from tests.hostile import HostileCase, hostile_cases
from tests.messages import RECORDED_AT, coordinates


@pytest.mark.parametrize("case", hostile_cases(), ids=lambda c: f"{c.kind}:{c.case}")
def test_each_hostile_case_meets_its_fate(case: HostileCase) -> None:
    outcome = decode(case.raw(), coordinates(case.topic_suffix), case.topic_suffix, RECORDED_AT)
    if case.reason is None:
        assert isinstance(outcome, Decoded), outcome
        return
    assert isinstance(outcome, Undecodable), outcome.command
    assert (outcome.reason.value, case.detail in outcome.detail) == (case.reason, True), outcome
    outcome.detail.encode("utf-8")  # a dead letter's header and row must be able to hold it


def test_the_corpus_covers_every_class_and_a_worker_subset_of_each() -> None:
    cases = hostile_cases()
    kinds = {c.kind for c in cases}
    assert kinds == {"text", "dates", "lookalike", "amounts", "edges"}
    assert {c.kind for c in cases if c.worker} == kinds - {"edges"}
    assert len({c.case for c in cases}) == len(cases)


@given(
    st.text(alphabet=st.characters(categories=["Cc", "Cs", "Cf", "Zl", "Zp"]), min_size=1),
    st.text(),
)
def test_text_with_any_refused_character_is_found(bad: str, rest: str) -> None:
    assert unprintable_at(rest + bad) is not None


def test_the_refused_categories_are_the_documented_ones() -> None:
    assert {"Cc", "Cs", "Cf", "Zl", "Zp"} == UNPRINTABLE


@given(st.text(max_size=20))
def test_an_accepted_amount_is_plain_ascii_decimal(text: str) -> None:
    try:
        parse_amount(text)
    except ValueError:
        return
    assert set(text) <= set("0123456789.")
    assert text.count(".") <= 1
