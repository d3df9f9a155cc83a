"""`history` finds every entity kind by the name a user types."""

from __future__ import annotations

from domain import identity
from infra.queries import entity_candidates


def test_a_kind_prefix_names_one_aggregate() -> None:
    assert entity_candidates("claim:JS-1") == {identity.claim_aggregate_id("JS-1"): "claim:JS-1"}
    assert entity_candidates("sanction:S-1") == {
        identity.sanction_aggregate_id("S-1"): "sanction:S-1"
    }
    assert entity_candidates("doctor:D-1") == {identity.doctor_aggregate_id("D-1"): "doctor:D-1"}


def test_a_policy_is_named_by_region_and_scheme() -> None:
    assert entity_candidates("policy:430422:resident") == {
        identity.policy_aggregate_id("430422", "resident"): "policy:430422:resident"
    }


def test_a_person_is_shown_with_their_account() -> None:
    assert set(entity_candidates("person:P-1").values()) == {"person:P-1", "account:P-1"}


def test_a_bare_name_is_looked_up_as_every_kind() -> None:
    found = entity_candidates("X-1")
    assert identity.claim_aggregate_id("X-1") in found
    assert identity.institution_aggregate_id("X-1") in found
    assert identity.person_aggregate_id("X-1") in found
