"""The year's inspection story (scripts/simulation/story.py) told through messages.

The cast is picked from the county by position, so every scale and seed tells the same story:
a suspended private hospital with claims inside and just after its window, a fraud case with
a clawback and a fine cut on appeal and paid in parts, doctors reaching 9 and 12 points, a
card lender whose networked settlement is suspended, a pharmacy whose agreement ends, and a
late clawback decided the next spring about this year's claims.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from decimal import Decimal

from domain.calendar import DayWindow
from scripts.simulation.books import Books
from scripts.simulation.claims import Visit
from scripts.simulation.clawbacks import (
    clawback_ordered,
    clawback_recovered,
    lines_of,
    refund_volunteered,
    total,
)
from scripts.simulation.deductions import indicator_deduction
from scripts.simulation.joint import joint_decision
from scripts.simulation.messages import MessageFactory, at
from scripts.simulation.misuse import misuse_recovered, misuse_recovery_ordered
from scripts.simulation.plan import Phase, Planned
from scripts.simulation.sanctions import Decision, SanctionMessages, sanction_payload
from scripts.simulation.story import (
    DEDUCTIONS,
    FOLLOW_UPS,
    JOINT_ORDERS,
    JOINT_RECOVERIES,
    MISUSE_ORDERS,
    MISUSE_RETURNS,
    ORDERS,
    RECOVERIES,
    REFUNDS,
    SANCTIONS,
    VISITS,
    Day,
    FollowUp,
    Imposed,
)
from scripts.simulation.world import County, Institution, Person

CENT = Decimal("0.01")
CAP_STORY_PERSONS = 2_000


def pick_cast(county: County) -> dict[str, Institution | Person | str]:
    """The story's roles, by position in the county (which `ScenarioConfig` sizes to fit)."""
    h, pharmacies = county.hospitals, county.pharmacies
    steady = [
        p
        for p in county.persons
        if p.enrolled_on.month == 1 and not p.statuses and p.scheme == "resident"
    ]
    first_doctor = {
        code: county.doctors_at(code)[0].doctor_id for code in (h[0].code, h[1].code, h[3].code)
    }
    places = (
        "late",
        "fraud",
        "suspended",
        "warned",
        "overcharger",
        "badly_run",
        "inspecting_1",
        "inspecting_2",
    )
    cast: dict[str, Institution | Person | str] = dict(zip(places, h, strict=False))
    cast.update(terminated_pharmacy=pharmacies[0], paused_pharmacy=pharmacies[1])
    cast.update(nine_points=first_doctor[h[0].code], twelve_points=first_doctor[h[1].code])
    cast.update(appealed_points=first_doctor[h[3].code])
    cast.update(card_lender=steady[0], leaver=steady[1], cap_patient=steady[2], patient=steady[3])
    return cast


class Casebook:
    """Scripted messages of each month and phase; the books learn every effect."""

    def __init__(self, county: County, books: Books, ids: MessageFactory) -> None:
        self.county = county
        self.books = books
        self.ids = ids
        self.cast = pick_cast(county)
        self.year = county.config.year
        # Entity ids (sanctions, clawbacks, refunds) are unique per ledger, not per region.
        self.tag = f"{county.config.region}-{county.config.year}"
        for role in ("card_lender", "leaver", "cap_patient", "patient"):
            books.protected.add(self.person(role).person_id)
        for role in {o.place for o in ORDERS} | {refund[2] for refund in REFUNDS}:
            books.audited.add(self.place(role).code)
        self.clawback_totals: dict[str, Decimal] = {}
        # 800 000 yuan of admissions for one person would dwarf a small sample's fund.
        self.reaches_cap = county.config.persons >= CAP_STORY_PERSONS

    def day(self, when: Day) -> date:
        month, day = when
        return date(self.year + (month - 1) // 12, (month - 1) % 12 + 1, day)

    def id_of(self, stem: str) -> str:
        prefix, number = stem.split("-")
        return f"{prefix}-{self.tag}-{number}"

    def place(self, role: str) -> Institution:
        found = self.cast[role]
        assert isinstance(found, Institution)
        return found

    def person(self, role: str) -> Person:
        found = self.cast[role]
        assert isinstance(found, Person)
        return found

    def target_id(self, role: str) -> str:
        found = self.cast[role]
        if isinstance(found, Institution):
            return found.code
        return found.person_id if isinstance(found, Person) else found

    def amount(self, text: str) -> Decimal:
        """An amount of the story: literal, a clawback's total, or a multiple of it."""
        if text.startswith("clawback:"):
            return self.clawback_totals[text.removeprefix("clawback:")]
        if text.startswith("fine:"):
            _, multiple, clawback = text.split(":")
            return (self.clawback_totals[clawback] * Decimal(multiple)).quantize(CENT)
        return Decimal(text)

    def visits(self, month: int) -> list[Visit]:
        """Claims the story needs, on the days its windows begin and end."""
        found = []
        for v in VISITS:
            if v.day[0] != month or (v.person == "cap_patient" and not self.reaches_cap):
                continue
            place = self.place(v.place)
            doctor = None
            if v.doctor == "staff":
                doctor = self.county.doctors_at(place.code)[1].doctor_id
            elif v.doctor is not None:
                doctor = self.target_id(v.doctor)
            cost = Decimal(v.cost)
            when = at(self.day(v.day), 10, 30)
            found.append(
                Visit(
                    self.person(v.person),
                    place,
                    doctor,
                    v.claim_type,
                    when,
                    cost,
                    (cost * Decimal("0.9")).quantize(CENT),
                )
            )
        return found

    def enrollment(self, month: int) -> Iterator[Planned]:
        if month == 7:  # the leaver moves away on July 31; the August claim is not covered
            leaver = self.person("leaver").person_id
            coverage = self.books.coverage
            coverage[leaver] = replace(coverage[leaver], effective_to=self.day((7, 30)))
            payload = {"person_id": leaver, "reason": "moved_away"}
            yield self.ids.planned(
                month,
                Phase.ENROLLMENT,
                leaver,
                "EnrollmentEnded",
                at(self.day((7, 31)), 0),
                "fund:enrollment-office",
                payload,
            )

    def clawbacks(self, month: int) -> Iterator[Planned]:
        for o in (o for o in ORDERS if o.month == month):
            place = self.place(o.place)
            before = f"{self.year + (month - 1) // 12}-{(month - 1) % 12 + 1:02d}"
            cap_patient = self.person("cap_patient").person_id
            lines = [
                (claim, value)
                for claim, value in lines_of(self.books, place.code, before, o.share, o.most)
                if claim.person_id != cap_patient  # whose year the story keeps at the cap
            ]
            self.clawback_totals[o.clawback] = total(lines)
            yield clawback_ordered(
                self.books,
                self.ids,
                month,
                self.id_of(o.clawback),
                place.code,
                lines,
                self.day(o.period_day),
                self.day(o.decided),
                o.violation,
                o.source,
            )
        for r in (r for r in RECOVERIES if r.month == month):
            whole = self.clawback_totals[r.clawback]
            first = (whole * Decimal("0.6")).quantize(CENT)
            value = (
                whole - first if r.share == "rest" else (whole * Decimal(r.share)).quantize(CENT)
            )
            role = next(o.place for o in ORDERS if o.clawback == r.clawback)
            yield clawback_recovered(
                self.ids,
                month,
                self.id_of(r.clawback),
                self.place(role).code,
                value,
                self.day(r.day),
            )
        yield from self._misuse(month)
        yield from self._joint(month)
        for deduction_month, stem, quarter, share, decided in DEDUCTIONS:
            if deduction_month == month:
                found = indicator_deduction(
                    self.books,
                    self.ids,
                    month,
                    self.id_of(stem),
                    (self.year, quarter),
                    share,
                    self.day(decided),
                )
                yield from () if found is None else (found,)
        for refund_month, stem, role, share, most, day in REFUNDS:
            if refund_month != month:
                continue
            code = self.place(role).code
            lines = lines_of(self.books, code, f"{self.year}-{month:02d}", share, most)
            if lines:
                yield refund_volunteered(
                    self.books, self.ids, month, self.id_of(stem), code, lines, self.day(day)
                )

    def _joint(self, month: int) -> Iterator[Planned]:
        """A decision over several institutions, and one institution's recovery of its share."""
        for order_month, stem, places, share, most, per_part, period, decided in JOINT_ORDERS:
            if order_month != month:
                continue
            before = f"{self.year}-{month:02d}"
            lines = [
                line
                for role in places
                for line in lines_of(self.books, self.place(role).code, before, share, most)
            ]
            for role in places:
                code = self.place(role).code
                self.clawback_totals[f"{stem}/{role}"] = total(
                    [(c, v) for c, v in lines if c.institution == code]
                )
            day, on = self.day(period), self.day(decided)
            yield from joint_decision(
                self.books, self.ids, month, self.id_of(stem), lines, per_part, day, on
            )
        for recovery_month, stem, role, day_of in JOINT_RECOVERIES:
            if recovery_month == month:
                code = self.place(role).code
                value = self.clawback_totals[f"{stem}/{role}"]
                yield clawback_recovered(
                    self.ids, month, self.id_of(stem), code, value, self.day(day_of)
                )

    def _misuse(self, month: int) -> Iterator[Planned]:
        """A person's misuse: the order on the person's paid claims, then partial returns."""
        for m in (m for m in MISUSE_ORDERS if m.month == month):
            person_id = self.person(m.person).person_id
            left, lines = Decimal(m.most), []
            for claim in (c for c in self.books.claims.values() if c.person_id == person_id):
                value = min(left, claim.outstanding)
                if value > 0:
                    lines.append((claim, value))
                    left -= value
            self.clawback_totals[m.recovery] = total(lines)
            yield misuse_recovery_ordered(
                self.books,
                self.ids,
                month,
                self.id_of(m.recovery),
                person_id,
                lines,
                self.day(m.decided),
            )
        for r in (r for r in MISUSE_RETURNS if r.month == month):
            role = next(m.person for m in MISUSE_ORDERS if m.recovery == r.recovery)
            value = (self.clawback_totals[r.recovery] * Decimal(r.share)).quantize(CENT)
            yield misuse_recovered(
                self.ids,
                month,
                self.id_of(r.recovery),
                self.person(role).person_id,
                value,
                self.day(r.day),
            )

    def sanctions(self, month: int) -> Iterator[Planned]:
        messages = SanctionMessages(self.ids, month)
        for imposed in (s for s in SANCTIONS if s.month == month):
            yield messages.imposed(self._payload(imposed))
            if imposed.block is not None:
                first = self.day(imposed.start or imposed.decided)
                last = self.day(imposed.blocked_to or imposed.end or imposed.decided)
                self.books.block(
                    self.target_id(imposed.target),
                    DayWindow(effective_from=first, effective_to=last),
                    imposed.block,
                )
        for f in (f for f in FOLLOW_UPS if f.month == month):
            yield self._follow_up(messages, f)

    def _payload(self, s: Imposed) -> dict[str, object]:
        target = self.cast[s.target]
        target_kind = (
            "institution"
            if isinstance(target, Institution)
            else "person"
            if isinstance(target, Person)
            else "doctor"
        )
        decided = self.day(s.decided)
        return sanction_payload(
            Decision(
                self.id_of(s.sanction),
                f"JC-{self.tag}-{s.decided[0]:02d}{s.decided[1]:02d}",
                decided,
            ),
            s.kind,
            target_kind,
            self.target_id(s.target),
            s.basis,
            s.violation,
            self.day(s.start) if s.start else decided,
            self.day(s.end) if s.end else None,
            base_amount=self.amount(s.base) if s.base else None,
            multiple=s.multiple,
            fine_amount=self.amount(s.fine) if s.fine else None,
            points=s.points,
            suspension_months=s.months,
            referred_to=s.referred_to,
        )

    def _follow_up(self, messages: SanctionMessages, f: FollowUp) -> Planned:
        sanction, target, day = self.id_of(f.sanction), self.target_id(f.target), self.day(f.day)
        if f.action == "appeal":
            return messages.appeal_filed(sanction, target, day)
        if f.action == "lifted":
            return messages.lifted(sanction, target, day, "rectification accepted")
        if f.action == "paid":
            assert f.amount is not None
            receipt = f"GK-{self.tag}-{f.day[0]:02d}{f.day[1]:02d}"
            return messages.fine_paid(sanction, target, self.amount(f.amount), day, receipt)
        return messages.appeal_decided(
            sanction, target, f.action, day, multiple=f.multiple, points=f.points
        )
