"""The whole domain through the real broker, worker and database: settlements judged on their
service date, corrections and sanctions recorded, every bad input kept with its own reason."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from infra.held_reads import held_messages
from infra.queries import history, rejected
from infra.settings import Settings
from infra.store import Ledger
from tests.examples import documented
from tests.integration.helpers import create_topics, ingest, send
from tests.integration.store_reads import counts
from tests.messages import designated

CLAIM = "JS-H43042200011-2019-000123"
HOSPITAL = "H43042200011"
SERVICE_DAY = "2019-05-03T10:20:00+08:00"


def suspension(sanction_id: str, **changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "sanction_id": sanction_id,
        "kind": "settlement_suspension",
        "legal_basis": "article_38",
        "effective_from": "2019-06-01",
        "effective_to": "2019-11-30",
        "base_amount": None,
        "multiple": None,
    }
    values.update(changes)
    return documented("SanctionImposed", "2019-06-01T00:00:00+08:00", **values)


def test_a_mixed_county_day_is_judged_recorded_and_its_bad_input_kept(
    settings: Settings, ledger: Ledger
) -> None:
    create_topics(settings)
    reference_and_enrollment_are_accepted(settings, ledger)
    a_doctor_and_a_claim_are_accepted_and_two_bad_claims_kept_apart(settings, ledger)
    sanctions_and_clawbacks_are_recorded_and_the_bad_ones_kept(settings, ledger)
    a_claim_during_the_suspension_is_recorded_as_refused(settings, ledger)
    the_histories_show_what_was_judged(ledger)
    the_bad_input_is_kept_each_with_its_own_reason(ledger)


def reference_and_enrollment_are_accepted(settings: Settings, ledger: Ledger) -> None:
    send(
        settings,
        "reference",
        [
            documented("PolicyPublished"),
            designated(occurred_at="2019-01-01T00:00:00+08:00"),
        ],
    )
    send(settings, "enrollment", [documented("PersonEnrolled", primary_institution=None)])
    first = ingest(settings, ledger)
    assert (first.accepted, first.rejected) == (3, 0)


def a_doctor_and_a_claim_are_accepted_and_two_bad_claims_kept_apart(
    settings: Settings, ledger: Ledger
) -> None:
    # Records of different partitions may arrive in any order: what a message cites is sent
    # in an earlier run (the doctor, which cites the designation, comes with the claims, which
    # do not cite it; the last claim does).
    send(settings, "reference", [documented("DoctorRegistered")])
    send(
        settings,
        "claims",
        [
            documented("ClaimSettled", SERVICE_DAY, reported_fund_share="6300.00", doctor_id=None),
            documented("ClaimSettled", SERVICE_DAY, claim_id="JS-2", total_cost="1e3"),
            documented("ClaimReversed", claim_id="JS-404"),
        ],
    )
    second = ingest(settings, ledger)
    # The reversal of a claim not known yet is held for it, not dead-lettered.
    assert (second.accepted, second.rejected) == (2, 1)
    assert [h.awaits for h in held_messages(ledger)] == ["claim:JS-404"]


def sanctions_and_clawbacks_are_recorded_and_the_bad_ones_kept(
    settings: Settings, ledger: Ledger
) -> None:
    send(
        settings,
        "sanctions",
        [
            suspension("ZT-1"),
            suspension(
                "ZT-2",
                legal_basis="article_40",
                kind="fine",
                effective_to=None,
                base_amount="1000",
                multiple="6",
            ),
            suspension("ZT-3", target_id="H43042299999", kind="interview", effective_to=None),
            suspension("ZT-4", effective_to="2019-05-31"),
        ],
    )
    send(
        settings,
        "clawbacks",
        [
            documented("ClawbackOrdered", lines=[{"claim_id": CLAIM, "amount": "6325.01"}]),
            documented(
                "ClawbackOrdered",
                clawback_id="ZH-OK",
                lines=[{"claim_id": CLAIM, "amount": "1000.00"}],
            ),
            documented("ClawbackRecovered", clawback_id="ZH-OK", amount="400.00"),
        ],
    )
    before = counts(ledger)["events"]
    third = ingest(settings, ledger)
    # The sanction on an institution not designated yet is held for it.
    assert (third.accepted, third.rejected) == (3, 3)
    assert [h.awaits for h in held_messages(ledger)] == [
        "claim:JS-404",
        "institution:H43042299999",
    ]
    # Clawback ordered + claim noted + recovered, and the suspension with its effect.
    assert counts(ledger)["events"] == before + 5


def a_claim_during_the_suspension_is_recorded_as_refused(
    settings: Settings, ledger: Ledger
) -> None:
    send(
        settings,
        "claims",
        [
            documented(
                "ClaimSettled",
                "2019-07-01T09:00:00+08:00",
                claim_id="JS-3",
                reported_fund_share=None,
            )
        ],
    )
    assert ingest(settings, ledger).accepted == 1
    during = history(ledger, "claim:JS-3")[0].data
    assert (during["outcome"], during["refusal_reason"]) == ("refused", "institution_suspended")


def the_histories_show_what_was_judged(ledger: Ledger) -> None:
    claim = history(ledger, f"claim:{CLAIM}")
    assert [e.event_type for e in claim] == ["Claim.Settled", "Claim.ClawbackNoted"]
    settled = claim[0].data
    assert (settled["fund_share"], settled["discrepancy"]) == (
        Decimal("6325.00"),
        Decimal("-25.00"),
    )
    assert [p.amount for p in settled["postings"]] == [Decimal("-6325.00"), Decimal("6325.00")]
    recovered = history(ledger, "clawback:ZH-OK")[-1]
    assert recovered.event_type == "Clawback.Recovered"
    assert [e.event_type for e in history(ledger, f"institution:{HOSPITAL}")] == [
        "Institution.Designated",
        "Institution.SettlementSuspended",
    ]
    person = [e.event_type for e in history(ledger, "person:430422-R-00038174")]
    assert person[:3] == ["Person.Enrolled", "PersonAccount.Opened", "PersonAccount.UsageCharged"]


def the_bad_input_is_kept_each_with_its_own_reason(ledger: Ledger) -> None:
    reasons = sorted(r.reason for r in rejected(ledger))
    assert reasons == sorted(
        [
            "invalid_amount",
            "out_of_range",
            "dates_out_of_order",
            "exceeds_paid",
        ]
    )
