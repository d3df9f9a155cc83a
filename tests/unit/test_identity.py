"""Aggregate ids are remembered, not derived anew per call: still the same uuid5 of the
namespace and the source's id, fixed forever, and the memory they take stays bounded."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID, uuid5

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain import identity

# Stored aggregates carry this id: a change of derivation would orphan them.
PERSON_P1 = UUID("886c2ae2-8656-525e-80ae-1b536a3ac344")

DERIVATIONS: dict[Callable[..., UUID], tuple[tuple[str, ...], str]] = {
    identity.institution_aggregate_id: (("H1",), "institution:H1"),
    identity.person_aggregate_id: (("P-1",), "person:P-1"),
    identity.doctor_aggregate_id: (("D-1",), "doctor:D-1"),
    identity.policy_aggregate_id: (("430422", "urban"), "policy:430422:urban"),
    identity.claim_aggregate_id: (("C-1",), "claim:C-1"),
    identity.clawback_aggregate_id: (("K-1",), "clawback:K-1"),
    identity.refund_aggregate_id: (("R-1",), "refund:R-1"),
    identity.subsidy_aggregate_id: (("S-1",), "subsidy:S-1"),
    identity.sanction_aggregate_id: (("X-1",), "sanction:X-1"),
    identity.person_account_aggregate_id: (("P-1",), "person-account:P-1"),
}


def test_remembered_ids_are_the_derived_ones() -> None:
    for derive, (args, name) in DERIVATIONS.items():
        expected = uuid5(identity.LEDGER_NAMESPACE, name)
        assert derive(*args) == expected  # derived, or remembered
        assert derive(*args) == expected  # remembered
    assert identity.person_aggregate_id("P-1") == PERSON_P1


def test_a_person_and_their_account_are_different_aggregates() -> None:
    assert identity.person_aggregate_id("P-1") != identity.person_account_aggregate_id("P-1")


def test_the_remembered_ids_stay_bounded() -> None:
    for n in range(identity.DERIVED_IDS_KEPT + 100):
        identity.person_aggregate_id(f"P-{n}")
    assert identity.person_aggregate_id("P-0") == uuid5(identity.LEDGER_NAMESPACE, "person:P-0")
    kept = identity._derived.cache_info()  # the bound is what is tested
    assert kept.currsize == identity.DERIVED_IDS_KEPT


def test_ids_named_once_do_not_push_out_the_persons() -> None:
    identity._derived.cache_clear()
    identity.person_aggregate_id("P-kept")
    for n in range(identity.DERIVED_IDS_KEPT + 100):
        identity.claim_aggregate_id(f"C-{n}")
        identity.sanction_aggregate_id(f"X-{n}")
    assert identity._derived.cache_info().currsize == 1
    before = identity._derived.cache_info().hits
    identity.person_aggregate_id("P-kept")
    assert identity._derived.cache_info().hits == before + 1


@given(st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=300))
@settings(derandomize=True, max_examples=500, deadline=None)
def test_the_derivation_is_uuid5(name: str) -> None:
    assert identity._derived_once(name) == uuid5(identity.LEDGER_NAMESPACE, name)


def test_an_id_that_utf8_cannot_hold_is_refused_every_time() -> None:
    """A lone surrogate: refused as uuid5 refuses it, and never remembered."""
    for _ in range(2):
        with pytest.raises(UnicodeEncodeError):
            identity.person_aggregate_id("P-\ud800")
