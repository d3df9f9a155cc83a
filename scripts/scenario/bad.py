"""Deliberately bad messages, each with the reason code the ledger must reject it with.

They are sent in the wave where their cause is plain (a recovery above what remains, after
the partial recoveries), and never change the books: a rejected message applies nothing.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from typing import Any

from scripts.scenario.books import Books
from scripts.scenario.casebook import Cast
from scripts.scenario.messages import MessageFactory, amount, at
from scripts.scenario.plan import Phase, Planned
from scripts.scenario.sanctions import Decision, SanctionMessages, sanction_payload
from scripts.scenario.world import County


class BadMessages:
    """Bad input by month and phase; `remember` keeps accepted claims to re-send them wrongly."""

    def __init__(self, county: County, books: Books, ids: MessageFactory, cast: Cast) -> None:
        self.county = county
        self.books = books
        self.ids = ids
        self.cast = cast
        self.year = county.config.year
        self.region = county.config.region
        self.kept_claims: list[Planned] = []

    def remember(self, planned: Planned) -> None:
        """Keep the first paid-looking claims of the year, to re-send them later."""
        if len(self.kept_claims) < 2 and planned.type_name == "ClaimSettled":
            self.kept_claims.append(planned)

    def bad(
        self,
        month: int,
        phase: Phase,
        type_: str,
        key: str,
        payload: dict[str, Any],
        reason: str,
        day: date,
        topic: str | None = None,
    ) -> Planned:
        planned = self.ids.planned(
            month, phase, key, type_, at(day, 11), "test:bad-source", payload, expect=reason
        )
        return planned if topic is None else replace(planned, topic_suffix=topic)

    def claim(self, **changes: Any) -> dict[str, Any]:
        patient = self.cast.patient
        payload: dict[str, Any] = {
            "claim_id": f"BAD-{self.ids.next_id()[:8]}",
            "person_id": patient.person_id,
            "institution": self.cast.warned.code,
            "doctor_id": None,
            "claim_type": "outpatient",
            "total_cost": "120.00",
            "in_policy_cost": "100.00",
            "personal_account_amount": "0",
            "reported_fund_share": None,
        }
        payload.update(changes)
        return payload

    def messages(self, month: int, phase: Phase) -> Iterator[Planned]:
        """The bad messages of one month's phase."""
        y, c = self.year, self.cast
        d = date(y, min(month, 12), 14)
        if (month, phase) == (2, Phase.ENROLLMENT):
            payload = {
                "person_id": c.patient.person_id,
                "scheme": "resident",
                "category": "adult",
                "employer_id": None,
                "primary_institution": None,
            }
            yield self.bad(
                month, phase, "PersonEnrolled", c.patient.person_id, payload, "already_enrolled", d
            )
            revoked = {
                "person_id": c.patient.person_id,
                "status": "destitute",
                "reason": "never certified",
            }
            yield self.bad(
                month, phase, "StatusRevoked", c.patient.person_id, revoked, "not_certified", d
            )
            late = {
                "person_id": c.patient.person_id,
                "status": "min_income",
                "certified_by": "civil-affairs",
                "certificate_no": "DB-BAD-1",
                "effective_to": f"{y}-01-31",
            }
            yield self.bad(
                month, phase, "StatusCertified", c.patient.person_id, late, "dates_out_of_order", d
            )
        elif (month, phase) == (2, Phase.PAYMENTS):
            resident = next(
                p
                for p in self.county.persons
                if p.scheme == "resident" and p.enrolled_on.month == 1
            )
            paid = {
                "person_id": resident.person_id,
                "year": y,
                "payer": "individual",
                "amount": "250.00",
                "personal_account_amount": "50.00",
            }
            yield self.bad(
                month,
                phase,
                "ContributionPaid",
                resident.person_id,
                paid,
                "personal_account_not_allowed",
                d,
            )
            yield self.bad(
                month,
                phase,
                "ContributionPaid",
                resident.person_id,
                {**paid, "amount": "1e3", "personal_account_amount": "0"},
                "invalid_amount",
                d,
            )
        elif (month, phase) == (2, Phase.CLAIMS):
            yield from self._claims(month, d)
        elif (month, phase) == (3, Phase.CLAWBACKS):
            claim = next(iter(self.books.claims_of(f"{y}-02")), None) or next(
                iter(self.books.claims.values())
            )
            refused = {
                "claim_id": claim.claim_id,
                "institution": claim.institution,
                "amount": amount(claim.outstanding + 100),
                "case_id": "ZNSH-BAD-1",
                "violation": "other",
                "detection_source": "smart_review",
            }
            yield self.bad(
                month, phase, "ClaimRefused", claim.institution, refused, "exceeds_paid", d
            )
            other = next(i.code for i in self.county.hospitals if i.code != claim.institution)
            yield self.bad(
                month,
                phase,
                "ClaimRefused",
                other,
                {**refused, "institution": other, "amount": "1.00"},
                "claim_not_at_institution",
                d,
            )
            yield self.bad(
                month,
                phase,
                "ClaimRefused",
                claim.institution,
                {**refused, "claim_id": "JS-NO-SUCH-CLAIM", "amount": "1.00"},
                "unknown_claim",
                d,
            )
        elif (month, phase) == (7, Phase.CLAWBACKS):
            recovered = {
                "clawback_id": f"ZH-{y}-001",
                "institution": c.fraud.code,
                "amount": "99999999.00",
            }
            yield self.bad(
                month, phase, "ClawbackRecovered", c.fraud.code, recovered, "exceeds_ordered", d
            )
            yield self.bad(
                month,
                phase,
                "ClawbackRecovered",
                c.fraud.code,
                {**recovered, "clawback_id": "ZH-NONE", "amount": "1.00"},
                "unknown_clawback",
                d,
            )
        elif (month, phase) == (4, Phase.SANCTIONS):
            yield from self._sanctions(month, d)
        elif (month, phase) == (6, Phase.SANCTIONS):
            s = SanctionMessages(self.ids, month)
            for planned, reason in (
                (
                    s.appeal_filed(f"JF-{y}-001", c.appealed_points, date(y, 6, 28)),
                    "appeal_out_of_time",
                ),
                (
                    s.appeal_decided(f"JF-{y}-002", c.nine_points, "upheld", date(y, 6, 28)),
                    "no_pending_appeal",
                ),
                (
                    s.appeal_filed(f"JF-{y}-005", c.appealed_points, date(y, 6, 11)),
                    "already_appealed",
                ),
            ):
                yield replace(planned, expect=reason)
        elif (month, phase) == (8, Phase.SANCTIONS):
            s = SanctionMessages(self.ids, month)
            yield replace(
                s.fine_paid(
                    f"CF-{y}-002",
                    c.card_lender.person_id,
                    amount_of("100.00"),
                    date(y, 8, 25),
                    "GK-BAD",
                ),
                expect="exceeds_due",
            )
            yield replace(
                s.fine_paid(
                    f"YT-{y}-001", c.warned.code, amount_of("100.00"), date(y, 8, 25), "GK-BAD-2"
                ),
                expect="not_a_fine",
            )
            yield replace(
                s.lifted(
                    f"YT-{y}-001", c.warned.code, date(y, 8, 25), "an interview has no window"
                ),
                expect="not_in_force",
            )
        elif (month, phase) == (13, Phase.PAYMENTS):
            code = c.warned.code
            held = self.books.deposit_held[code]
            release = {"institution": code, "year": y, "amount": amount(held + 1000)}
            yield self.bad(
                month, phase, "DepositReleased", code, release, "exceeds_held", date(y + 1, 1, 28)
            )

    def _claims(self, month: int, d: date) -> Iterator[Planned]:
        c = self.cast
        key = c.patient.person_id
        yield Planned(
            (month, Phase.CLAIMS),
            "claims",
            "raw",
            None,
            "malformed_json",
            raw=b'{"message_id": "truncated',
        )
        yield self.bad(month, Phase.CLAIMS, "ClaimTeleported", key, self.claim(), "unknown_type", d)
        versioned = self.bad(
            month, Phase.CLAIMS, "ClaimSettled", key, self.claim(), "unsupported_version", d
        )
        assert versioned.document is not None
        yield replace(versioned, document={**versioned.document, "schema_version": 2})
        yield self.bad(
            month,
            Phase.CLAIMS,
            "ClaimSettled",
            key,
            self.claim(institution=c.paused_pharmacy.code, claim_type="inpatient"),
            "schema_invalid",
            d,
        )
        yield self.bad(
            month,
            Phase.CLAIMS,
            "ClaimSettled",
            key,
            self.claim(total_cost="1e3"),
            "invalid_amount",
            d,
        )
        yield self.bad(
            month,
            Phase.CLAIMS,
            "ClaimSettled",
            key,
            self.claim(total_cost=120.0),
            "invalid_amount",
            d,
        )
        yield self.bad(
            month,
            Phase.CLAIMS,
            "ClaimSettled",
            key,
            self.claim(in_policy_cost="130.00"),
            "out_of_range",
            d,
        )
        yield self.bad(
            month,
            Phase.CLAIMS,
            "ClaimSettled",
            "NOBODY-1",
            self.claim(person_id="NOBODY-1"),
            "unknown_reference",
            d,
        )
        yield self.bad(
            month,
            Phase.CLAIMS,
            "ClaimSettled",
            key,
            self.claim(personal_account_amount="10.00"),
            "personal_account_not_allowed",
            d,
        )
        retiree = next(
            (
                p
                for p in self.county.persons
                if p.category == "retiree" and p.enrolled_on.month == 1
            ),
            None,
        )
        if retiree is not None:
            yield self.bad(
                month,
                Phase.CLAIMS,
                "ClaimSettled",
                retiree.person_id,
                self.claim(person_id=retiree.person_id, personal_account_amount="10.00"),
                "insufficient_balance",
                d,
            )
        enrolled = {
            "person_id": "WRONG-TOPIC-1",
            "scheme": "resident",
            "category": "adult",
            "employer_id": None,
            "primary_institution": None,
        }
        yield self.bad(
            month, Phase.CLAIMS, "PersonEnrolled", "WRONG-TOPIC-1", enrolled, "wrong_topic", d
        )
        reversal = {"claim_id": "JS-NO-SUCH-CLAIM", "person_id": key, "reason": "typo"}
        yield self.bad(month, Phase.CLAIMS, "ClaimReversed", key, reversal, "unknown_claim", d)
        for n, kept in enumerate(self.kept_claims):
            assert kept.document is not None
            if n == 0:  # the same message again, byte for byte: a no-op
                yield replace(kept, wave=(month, Phase.CLAIMS), expect="duplicate")
            else:  # the same message id with other content: refused, the first one stands
                changed = copy.deepcopy(kept.document)
                changed["payload"]["total_cost"] = amount_of(changed["payload"]["total_cost"]) + 1
                changed["payload"]["total_cost"] = amount(changed["payload"]["total_cost"])
                yield replace(
                    kept,
                    wave=(month, Phase.CLAIMS),
                    document=changed,
                    expect="conflicting_duplicate",
                )

    def _sanctions(self, month: int, d: date) -> Iterator[Planned]:
        c, y = self.cast, self.year
        s = SanctionMessages(self.ids, month)
        base = {"base_amount": amount_of("5000.00")}
        for payload, reason in (
            (
                sanction_payload(
                    Decision(f"BAD-{y}-1", "JC-BAD", d),
                    "fine",
                    "institution",
                    c.warned.code,
                    "article_38",
                    "other",
                    d,
                    multiple="3",
                    **base,
                ),
                "out_of_range",
            ),
            (
                sanction_payload(
                    Decision(f"BAD-{y}-2", "JC-BAD", d),
                    "fine",
                    "institution",
                    c.warned.code,
                    "article_39",
                    "other",
                    d,
                    fine_amount=amount_of("60000.00"),
                ),
                "out_of_range",
            ),
            (
                sanction_payload(
                    Decision(f"BAD-{y}-3", "JC-BAD", d),
                    "rectification",
                    "institution",
                    c.warned.code,
                    "agreement",
                    "other",
                    d,
                    date(y, 3, 1),
                ),
                "dates_out_of_order",
            ),
            (
                sanction_payload(
                    Decision(f"BAD-{y}-4", "JC-BAD", d),
                    "interview",
                    "doctor",
                    "D-NOBODY",
                    "agreement",
                    "other",
                    d,
                ),
                "unknown_target",
            ),
            (
                sanction_payload(
                    Decision(f"BAD-{y}-5", "JC-BAD", d),
                    "fine",
                    "doctor",
                    c.nine_points,
                    "article_38",
                    "other",
                    d,
                    multiple="1",
                    **base,
                ),
                "schema_invalid",
            ),
            (
                sanction_payload(
                    Decision(f"BAD-{y}-6", "JC-BAD", d),
                    "settlement_suspension",
                    "institution",
                    c.warned.code,
                    "article_38",
                    "other",
                    d,
                    date(y, 6, 30),
                ),
                "out_of_range",
            ),
        ):
            yield replace(s.imposed(payload), expect=reason)
        yield replace(
            s.fine_paid("CF-NONE", c.warned.code, amount_of("1.00"), d, "GK-BAD-3"),
            expect="unknown_sanction",
        )


def amount_of(text: str) -> Any:
    from decimal import Decimal  # noqa: PLC0415

    return Decimal(text)
