"""Deliberately bad messages, each with the reason code the ledger must reject it with.

They are sent in the wave where their cause is plain (a recovery above what remains, after
the partial recoveries), and never change the books: a rejected message applies nothing.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from scripts.simulation.casebook import Casebook
from scripts.simulation.messages import MessageFactory, amount, at
from scripts.simulation.plan import DUPLICATE, Phase, Planned
from scripts.simulation.sanctions import Decision, SanctionMessages, sanction_payload


class BadMessages:
    """Bad input by month and phase; `remember` keeps early claims to re-send them wrongly."""

    def __init__(self, casebook: Casebook, ids: MessageFactory) -> None:
        self.story = casebook
        self.books = casebook.books
        self.county = casebook.county
        self.ids = ids
        self.year = casebook.year
        self.kept_claims: list[Planned] = []

    def remember(self, planned: Planned) -> None:
        """Keep the first claims of the year, to re-send them later."""
        if len(self.kept_claims) < 2 and planned.type_name == "ClaimSettled":
            self.kept_claims.append(planned)

    def bad(
        self, when: tuple[int, Phase], type_: str, key: str, payload: dict[str, Any], reason: str
    ) -> Planned:
        month, phase = when
        day = at(date(self.year, min(month, 12), 14), 11)
        return self.ids.planned(
            month, phase, key, type_, day, "test:bad-source", payload, expect=reason
        )

    def claim(self, **changes: Any) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "claim_id": f"BAD-{self.ids.next_id()[:8]}",
            "person_id": self.story.person("patient").person_id,
            "institution": self.story.place("warned").code,
            "doctor_id": None,
            "claim_type": "outpatient",
            "total_cost": "120.00",
            "in_policy_cost": "100.00",
            "personal_account_amount": "0",
            "reported_fund_share": None,
        }
        return {**payload, **changes}

    def messages(self, month: int, phase: Phase) -> Iterator[Planned]:
        """The bad messages of one month's phase."""
        handlers = {
            (2, Phase.ENROLLMENT): self._enrollment,
            (2, Phase.PAYMENTS): self._payments,
            (2, Phase.CLAIMS): self._claims,
            (3, Phase.CLAWBACKS): self._refusals,
            (7, Phase.CLAWBACKS): self._recoveries,
            (4, Phase.SANCTIONS): self._impositions,
            (6, Phase.SANCTIONS): self._appeals,
            (8, Phase.SANCTIONS): self._payments_of_fines,
            (13, Phase.PAYMENTS): self._deposit,
        }
        handler = handlers.get((month, phase))
        if handler is not None:
            yield from handler((month, phase))

    def _enrollment(self, when: tuple[int, Phase]) -> Iterator[Planned]:
        person = self.story.person("patient").person_id
        enrolled = {
            "person_id": person,
            "scheme": "resident",
            "category": "adult",
            "employer_id": None,
            "primary_institution": None,
        }
        yield self.bad(when, "PersonEnrolled", person, enrolled, "already_enrolled")
        revoked = {"person_id": person, "status": "destitute", "reason": "never certified"}
        yield self.bad(when, "StatusRevoked", person, revoked, "not_certified")
        certified = {
            "person_id": person,
            "status": "min_income",
            "certified_by": "civil-affairs",
            "certificate_no": "DB-BAD-1",
            "effective_to": f"{self.year}-01-31",  # before the certificate's own date
        }
        yield self.bad(when, "StatusCertified", person, certified, "dates_out_of_order")

    def _payments(self, when: tuple[int, Phase]) -> Iterator[Planned]:
        person = self.story.person("patient").person_id
        paid = {
            "person_id": person,
            "year": self.year,
            "payer": "individual",
            "amount": "250.00",
            "personal_account_amount": "50.00",
        }
        yield self.bad(when, "ContributionPaid", person, paid, "personal_account_not_allowed")
        exponent = {**paid, "amount": "1e3", "personal_account_amount": "0"}
        yield self.bad(when, "ContributionPaid", person, exponent, "invalid_amount")

    def _claims(self, when: tuple[int, Phase]) -> Iterator[Planned]:
        key = self.story.person("patient").person_id
        yield Planned(when, "claims", "raw", None, "malformed_json", raw=b'{"message_id": "trun')
        yield self.bad(when, "ClaimTeleported", key, self.claim(), "unknown_type")
        versioned = self.bad(when, "ClaimSettled", key, self.claim(), "unsupported_version")
        assert versioned.document is not None
        yield replace(versioned, document={**versioned.document, "schema_version": 2})
        pharmacy = self.story.place("paused_pharmacy").code
        for payload, reason in (
            (self.claim(institution=pharmacy, claim_type="inpatient"), "schema_invalid"),
            (self.claim(total_cost="1e3"), "invalid_amount"),
            (self.claim(total_cost=120.0), "invalid_amount"),  # a JSON number, not a string
            (self.claim(in_policy_cost="130.00"), "out_of_range"),
            (self.claim(personal_account_amount="10.00"), "personal_account_not_allowed"),
        ):
            yield self.bad(when, "ClaimSettled", key, payload, reason)
        nobody = self.claim(person_id="NOBODY-1")
        yield self.bad(when, "ClaimSettled", "NOBODY-1", nobody, "unknown_reference")
        retiree = next(
            (
                p
                for p in self.county.persons
                if p.category == "retiree" and p.enrolled_on.month == 1
            ),
            None,
        )
        if retiree is not None:  # no contributions, so an empty personal account
            drawn = self.claim(person_id=retiree.person_id, personal_account_amount="10.00")
            yield self.bad(when, "ClaimSettled", retiree.person_id, drawn, "insufficient_balance")
        enrolled = {"person_id": "WRONG-1", "scheme": "resident", "category": "adult"}
        yield self.bad(when, "PersonEnrolled", "WRONG-1", enrolled, "wrong_topic")
        reversal = {"claim_id": "JS-NO-SUCH-CLAIM", "person_id": key, "reason": "typo"}
        yield self.bad(when, "ClaimReversed", key, reversal, "unknown_claim")
        yield from self._resent(when)

    def _resent(self, when: tuple[int, Phase]) -> Iterator[Planned]:
        for n, kept in enumerate(self.kept_claims):
            assert kept.document is not None
            if n == 0:  # the same message again, byte for byte: a no-op
                yield replace(kept, wave=when, expect=DUPLICATE)
                continue
            # The same message id with other content: refused, the first one stands.
            changed = copy.deepcopy(kept.document)
            cost = Decimal(changed["payload"]["total_cost"]) + 1
            changed["payload"]["total_cost"] = amount(cost)
            yield replace(kept, wave=when, document=changed, expect="conflicting_duplicate")

    def _refusals(self, when: tuple[int, Phase]) -> Iterator[Planned]:
        claim = next(iter(self.books.claims_of(f"{self.year}-02")), None) or next(
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
        yield self.bad(when, "ClaimRefused", claim.institution, refused, "exceeds_paid")
        other = next(i.code for i in self.county.hospitals if i.code != claim.institution)
        elsewhere = {**refused, "institution": other, "amount": "1.00"}
        yield self.bad(when, "ClaimRefused", other, elsewhere, "claim_not_at_institution")
        unknown = {**refused, "claim_id": "JS-NO-SUCH-CLAIM", "amount": "1.00"}
        yield self.bad(when, "ClaimRefused", claim.institution, unknown, "unknown_claim")

    def _recoveries(self, when: tuple[int, Phase]) -> Iterator[Planned]:
        fraud = self.story.place("fraud").code
        recovered = {"clawback_id": self.story.id_of("ZH-001"), "institution": fraud}
        # 60% is recovered: the whole order again is more than remains, not more than was paid.
        whole = {**recovered, "amount": amount(self.story.clawback_totals["ZH-001"])}
        yield self.bad(when, "ClawbackRecovered", fraud, whole, "exceeds_ordered")
        too_much = {**recovered, "amount": "99999999.00"}
        yield self.bad(when, "ClawbackRecovered", fraud, too_much, "exceeds_paid")
        unknown = {**recovered, "clawback_id": "ZH-NONE", "amount": "1.00"}
        yield self.bad(when, "ClawbackRecovered", fraud, unknown, "unknown_clawback")

    def _impositions(self, when: tuple[int, Phase]) -> Iterator[Planned]:
        warned, y = self.story.place("warned").code, self.year
        day = date(y, 4, 14)
        nine = self.story.target_id("nine_points")
        s = SanctionMessages(self.ids, when[0])
        five = {"base_amount": Decimal("5000.00")}
        cases: tuple[tuple[str, str, str, str, dict[str, Any], date | None, str], ...]
        # fmt: off
        cases = (
            ("fine", "institution", warned, "article_38", {"multiple": "3", **five}, None,
             "out_of_range"),
            ("fine", "institution", warned, "article_39", {"fine_amount": Decimal(60000)}, None,
             "out_of_range"),
            ("rectification", "institution", warned, "agreement", {}, date(y, 3, 1),
             "dates_out_of_order"),
            ("interview", "doctor", "D-NOBODY", "agreement", {}, None, "unknown_target"),
            ("fine", "doctor", nine, "article_38", {"multiple": "1", **five}, None,
             "schema_invalid"),
            ("settlement_suspension", "institution", warned, "article_38", {}, date(y, 6, 30),
             "out_of_range"),
        )
        # fmt: on
        for n, (kind, target_kind, target, basis, extra, end, reason) in enumerate(cases, start=1):
            decision = Decision(self.story.id_of(f"BAD-{n:03d}"), "JC-BAD", day)
            payload = sanction_payload(
                decision, kind, target_kind, target, basis, "other", day, end, **extra
            )
            yield replace(s.imposed(payload), expect=reason)
        unknown = s.fine_paid("CF-NONE", warned, Decimal("1.00"), day, "GK-BAD-3")
        yield replace(unknown, expect="unknown_sanction")

    def _appeals(self, when: tuple[int, Phase]) -> Iterator[Planned]:
        s, y = SanctionMessages(self.ids, when[0]), self.year
        appealed, nine = (
            self.story.target_id("appealed_points"),
            self.story.target_id("nine_points"),
        )
        late = s.appeal_filed(self.story.id_of("JF-001"), appealed, date(y, 6, 28))
        yield replace(late, expect="appeal_out_of_time")
        undecided = s.appeal_decided(self.story.id_of("JF-002"), nine, "upheld", date(y, 6, 28))
        yield replace(undecided, expect="no_pending_appeal")
        again = s.appeal_filed(self.story.id_of("JF-005"), appealed, date(y, 6, 11))
        yield replace(again, expect="already_appealed")

    def _payments_of_fines(self, when: tuple[int, Phase]) -> Iterator[Planned]:
        s, y = SanctionMessages(self.ids, when[0]), self.year
        lender = self.story.person("card_lender").person_id
        warned = self.story.place("warned").code
        day, hundred = date(y, 8, 25), Decimal("100.00")
        over = s.fine_paid(self.story.id_of("CF-002"), lender, hundred, day, "GK-BAD-1")
        yield replace(over, expect="exceeds_due")
        not_fine = s.fine_paid(self.story.id_of("YT-001"), warned, hundred, day, "GK-BAD-2")
        yield replace(not_fine, expect="not_a_fine")
        no_window = s.lifted(self.story.id_of("YT-001"), warned, day, "an interview has no window")
        yield replace(no_window, expect="not_in_force")

    def _deposit(self, when: tuple[int, Phase]) -> Iterator[Planned]:
        code = self.story.place("warned").code
        held = self.books.deposit_held[code]
        release = {"institution": code, "year": self.year, "amount": amount(held + 1000)}
        yield self.bad(when, "DepositReleased", code, release, "exceeds_held")
