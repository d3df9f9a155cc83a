"""The year's inspection story: who is caught, sanctioned, appeals, and what follows.

The cast is picked from the county by position, so every scale and seed tells the same story:
a suspended private hospital and claims inside and just after its window, a fraud case with
a clawback, a fine cut on appeal and paid in parts, doctors reaching 9 and 12 points, a card
lender whose networked settlement is suspended, a pharmacy whose agreement ends, and a late
clawback decided the next spring about this year's claims.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from scripts.scenario.books import Books, Window
from scripts.scenario.claims import Visit
from scripts.scenario.clawbacks import (
    clawback_ordered,
    clawback_recovered,
    lines_of,
    refund_volunteered,
    total,
)
from scripts.scenario.messages import MessageFactory, at
from scripts.scenario.plan import Phase, Planned
from scripts.scenario.sanctions import Decision, SanctionMessages, sanction_payload
from scripts.scenario.world import County, Institution, Person


@dataclass(frozen=True)
class Cast:
    """The institutions, doctors and persons the story is about."""

    suspended: Institution  # article 38 settlement suspension, June to November
    fraud: Institution  # flight inspection: clawback, article 40 fine reduced on appeal
    warned: Institution  # interview, public criticism, rectification
    overcharger: Institution  # record review: clawback, article 38 fine
    badly_run: Institution  # article 39 fine, revoked on appeal
    late: Institution  # clawback decided next spring about this year
    self_inspecting: tuple[Institution, Institution]
    terminated_pharmacy: Institution
    paused_pharmacy: Institution  # agreement suspension lifted early
    nine_points: str
    twelve_points: str
    appealed_points: str
    card_lender: Person
    leaver: Person
    cap_patient: Person
    patient: Person


def pick_cast(county: County) -> Cast:
    """The story's cast, by position in the county (which `ScenarioConfig` sizes to fit)."""
    h = county.hospitals
    steady = [
        p
        for p in county.persons
        if p.enrolled_on.month == 1 and not p.statuses and p.scheme == "resident"
    ]
    doctor = {
        code: [d.doctor_id for d in county.doctors_at(code)]
        for code in (h[0].code, h[1].code, h[3].code)
    }
    return Cast(
        suspended=h[2],
        fraud=h[1],
        warned=h[3],
        overcharger=h[4],
        badly_run=h[5],
        late=h[0],
        self_inspecting=(h[6], h[7]),
        terminated_pharmacy=county.pharmacies[0],
        paused_pharmacy=county.pharmacies[1],
        nine_points=doctor[h[0].code][0],
        twelve_points=doctor[h[1].code][0],
        appealed_points=doctor[h[3].code][0],
        card_lender=steady[0],
        leaver=steady[1],
        cap_patient=steady[2],
        patient=steady[3],
    )


class Casebook:
    """Scripted messages of each month and phase; the books learn every effect."""

    def __init__(self, county: County, books: Books, ids: MessageFactory) -> None:
        self.county = county
        self.books = books
        self.ids = ids
        self.cast = pick_cast(county)
        self.year = county.config.year
        for person in (
            self.cast.card_lender,
            self.cast.leaver,
            self.cast.cap_patient,
            self.cast.patient,
        ):
            books.protected.add(person.person_id)
        self._fraud_fine = Decimal(0)
        self._overcharge_base = Decimal(0)
        self._late_total = Decimal(0)

    def day(self, month: int, day: int) -> date:
        return date(self.year + (month - 1) // 12, (month - 1) % 12 + 1, day)

    def visit(
        self,
        person: Person,
        place: Institution,
        doctor: str | None,
        claim_type: str,
        day: date,
        cost: str,
    ) -> Visit:
        total_cost = Decimal(cost)
        in_policy = (total_cost * Decimal("0.9")).quantize(Decimal("0.01"))
        return Visit(person, place, doctor, claim_type, at(day, 10, 30), total_cost, in_policy)

    def doctor_at(self, place: Institution, index: int = 1) -> str:
        return self.county.doctors_at(place.code)[index].doctor_id

    def visits(self, month: int) -> list[Visit]:
        """Claims the story needs, on the days its windows begin and end."""
        c, d = self.cast, self.day
        plan: dict[int, list[Visit]] = {
            2: [
                self.visit(
                    c.cap_patient,
                    c.late,
                    self.doctor_at(c.late),
                    "inpatient",
                    d(2, 12),
                    "200000.00",
                ),
                self.visit(
                    c.patient, c.fraud, self.doctor_at(c.fraud), "outpatient", d(2, 5), "860.00"
                ),
            ],
            3: [
                self.visit(
                    c.patient, c.fraud, self.doctor_at(c.fraud), "inpatient", d(3, 8), "9800.00"
                ),
                self.visit(
                    c.patient,
                    c.overcharger,
                    self.doctor_at(c.overcharger),
                    "inpatient",
                    d(3, 20),
                    "5400.00",
                ),
            ],
            4: [
                self.visit(
                    c.cap_patient, c.late, self.doctor_at(c.late), "inpatient", d(4, 9), "200000.00"
                ),
                self.visit(
                    c.patient,
                    c.overcharger,
                    self.doctor_at(c.overcharger),
                    "outpatient",
                    d(4, 2),
                    "420.00",
                ),
            ],
            5: [
                self.visit(c.patient, h, self.doctor_at(h), "outpatient", d(5, 6), "380.00")
                for h in c.self_inspecting
            ],
            6: [
                self.visit(
                    c.cap_patient, c.late, self.doctor_at(c.late), "inpatient", d(6, 3), "200000.00"
                ),
                self.visit(c.patient, c.late, c.nine_points, "outpatient", d(6, 14), "300.00"),
            ],
            7: [
                self.visit(c.patient, c.warned, c.appealed_points, "outpatient", d(7, 1), "260.00"),
                self.visit(
                    c.patient,
                    c.suspended,
                    self.doctor_at(c.suspended),
                    "inpatient",
                    d(7, 15),
                    "7200.00",
                ),
            ],
            8: [
                self.visit(
                    c.cap_patient, c.late, self.doctor_at(c.late), "inpatient", d(8, 6), "200000.00"
                ),
                self.visit(c.patient, c.late, c.nine_points, "outpatient", d(8, 9), "310.00"),
                self.visit(c.patient, c.late, c.nine_points, "outpatient", d(8, 10), "320.00"),
                self.visit(
                    c.card_lender, c.late, self.doctor_at(c.late), "outpatient", d(8, 5), "250.00"
                ),
                self.visit(
                    c.leaver, c.late, self.doctor_at(c.late), "outpatient", d(8, 20), "180.00"
                ),
                self.visit(c.patient, c.paused_pharmacy, None, "pharmacy", d(8, 12), "96.00"),
            ],
            9: [
                self.visit(c.patient, c.paused_pharmacy, None, "pharmacy", d(9, 10), "88.00"),
                self.visit(c.patient, c.fraud, c.twelve_points, "outpatient", d(9, 3), "240.00"),
            ],
            10: [
                self.visit(c.patient, c.terminated_pharmacy, None, "pharmacy", d(10, 15), "120.00")
            ],
            11: [
                self.visit(
                    c.patient,
                    c.suspended,
                    self.doctor_at(c.suspended),
                    "outpatient",
                    d(11, 30),
                    "200.00",
                )
            ],
            12: [
                self.visit(
                    c.patient,
                    c.suspended,
                    self.doctor_at(c.suspended),
                    "outpatient",
                    d(12, 1),
                    "210.00",
                )
            ],
        }
        return plan.get(month, [])

    def enrollment(self, month: int) -> Iterator[Planned]:
        if month == 7:  # the leaver moves away on July 31; the August claim is not covered
            leaver = self.cast.leaver.person_id
            self.books.coverage[leaver].last = self.day(7, 30)
            yield self.ids.planned(
                month,
                Phase.ENROLLMENT,
                leaver,
                "EnrollmentEnded",
                at(self.day(7, 31), 0),
                "fund:enrollment-office",
                {"person_id": leaver, "reason": "moved_away"},
            )

    def clawbacks(self, month: int) -> Iterator[Planned]:
        c, d, books, ids = self.cast, self.day, self.books, self.ids
        if month == 6:  # flight inspection of the fraud case
            lines = lines_of(books, c.fraud.code, f"{self.year}-06", "0.5", 5)
            self._fraud_fine = total(lines)
            yield clawback_ordered(
                books,
                ids,
                month,
                f"ZH-{self.year}-001",
                c.fraud.code,
                lines,
                d(6, 1),
                d(6, 18),
                "phantom_bed",
                "flight_inspection",
            )
        elif month == 7:
            yield clawback_recovered(
                ids,
                month,
                f"ZH-{self.year}-001",
                c.fraud.code,
                (self._fraud_fine * Decimal("0.6")).quantize(Decimal("0.01")),
                d(7, 20),
            )
        elif month == 9:
            rest = self._fraud_fine - (self._fraud_fine * Decimal("0.6")).quantize(Decimal("0.01"))
            yield clawback_recovered(
                ids, month, f"ZH-{self.year}-001", c.fraud.code, rest, d(9, 15)
            )
            lines = lines_of(books, c.overcharger.code, f"{self.year}-09", "0.3", 3)
            self._overcharge_base = total(lines)
            yield clawback_ordered(
                books,
                ids,
                month,
                f"ZH-{self.year}-002",
                c.overcharger.code,
                lines,
                d(9, 1),
                d(9, 12),
                "over_standard_charging",
                "record_review",
            )
        elif month == 10:  # half recovered; the rest stays due
            yield clawback_recovered(
                ids,
                month,
                f"ZH-{self.year}-002",
                c.overcharger.code,
                (self._overcharge_base / 2).quantize(Decimal("0.01")),
                d(10, 20),
            )
        elif month == 11:
            for n, place in enumerate(c.self_inspecting, start=1):
                lines = lines_of(books, place.code, f"{self.year}-11", "0.2", 3)
                if lines:
                    yield refund_volunteered(
                        books, ids, month, f"TH-{self.year}-{n:03d}", place.code, lines, d(11, 25)
                    )
        elif month == 16:  # next spring: a late clawback about this year's claims
            lines = [
                (cl, v)
                for cl, v in lines_of(books, c.late.code, f"{self.year + 1}-01", "0.25", 6)
                if cl.person_id != c.cap_patient.person_id
            ]
            self._late_total = total(lines)
            yield clawback_ordered(
                books,
                ids,
                month,
                f"ZH-{self.year}-003",
                c.late.code,
                lines,
                date(self.year, 12, 31),
                d(16, 15),
                "over_treatment",
                "flight_inspection",
            )
            yield clawback_recovered(
                ids,
                month,
                f"ZH-{self.year}-003",
                c.late.code,
                (self._late_total / 4).quantize(Decimal("0.01")),
                d(16, 28),
            )

    def block(self, entity: str, first: date, last: date | None, reason: str) -> None:
        self.books.block(entity, Window(first, last), reason)

    def sanctions(self, month: int) -> Iterator[Planned]:  # noqa: PLR0915 - one story, told month by month
        c, d, y = self.cast, self.day, self.year
        s = SanctionMessages(self.ids, month)
        if month == 2:
            yield s.imposed(
                sanction_payload(
                    Decision(f"JF-{y}-001", f"JC-{y}-D01", d(2, 20)),
                    "doctor_points",
                    "doctor",
                    c.appealed_points,
                    "doctor_points",
                    "over_treatment",
                    d(2, 20),
                    points=3,
                    suspension_months=2,
                )
            )
        elif month == 3:
            yield s.imposed(
                sanction_payload(
                    Decision(f"JF-{y}-002", f"JC-{y}-D02", d(3, 12)),
                    "doctor_points",
                    "doctor",
                    c.nine_points,
                    "doctor_points",
                    "split_prescription",
                    d(3, 12),
                    points=4,
                    suspension_months=3,
                )
            )
        elif month == 4:
            w = c.warned.code
            yield s.imposed(
                sanction_payload(
                    Decision(f"YT-{y}-001", f"JC-{y}-004", d(4, 2)),
                    "interview",
                    "institution",
                    w,
                    "agreement",
                    "over_treatment",
                    d(4, 2),
                )
            )
            yield s.imposed(
                sanction_payload(
                    Decision(f"TB-{y}-001", f"JC-{y}-004", d(4, 2)),
                    "public_criticism",
                    "institution",
                    w,
                    "agreement",
                    "over_treatment",
                    d(4, 2),
                )
            )
            yield s.imposed(
                sanction_payload(
                    Decision(f"ZG-{y}-001", f"JC-{y}-004", d(4, 2)),
                    "rectification",
                    "institution",
                    w,
                    "agreement",
                    "over_treatment",
                    d(4, 10),
                    d(6, 30),
                )
            )
            yield s.imposed(
                sanction_payload(
                    Decision(f"JF-{y}-003", f"JC-{y}-D03", d(4, 8)),
                    "doctor_points",
                    "doctor",
                    c.twelve_points,
                    "doctor_points",
                    "fake_records",
                    d(4, 8),
                    points=6,
                    suspension_months=3,
                )
            )
        elif month == 5:
            nine = sanction_payload(
                Decision(f"JF-{y}-004", f"JC-{y}-D04", d(5, 10)),
                "doctor_points",
                "doctor",
                c.nine_points,
                "doctor_points",
                "split_prescription",
                d(5, 10),
                points=5,
                suspension_months=3,
            )
            yield s.imposed(nine)  # 4 + 5 = 9 points: suspended May 10 to August 9
            self.block(c.nine_points, d(5, 10), d(8, 9), "doctor_suspended")
            yield s.imposed(
                sanction_payload(
                    Decision(f"ZT-{y}-001", f"JC-{y}-005", d(5, 20)),
                    "settlement_suspension",
                    "institution",
                    c.suspended.code,
                    "article_38",
                    "split_admission",
                    d(6, 1),
                    d(11, 30),
                )
            )
            self.block(c.suspended.code, d(6, 1), d(11, 30), "institution_suspended")
        elif month == 6:
            a = c.appealed_points  # 3 + 6 = 9: suspended from June 3; the appeal cuts it to 7
            yield s.imposed(
                sanction_payload(
                    Decision(f"JF-{y}-005", f"JC-{y}-D05", d(6, 3)),
                    "doctor_points",
                    "doctor",
                    a,
                    "doctor_points",
                    "over_treatment",
                    d(6, 3),
                    points=6,
                    suspension_months=2,
                )
            )
            yield s.appeal_filed(f"JF-{y}-005", a, d(6, 10))
            yield s.appeal_decided(f"JF-{y}-005", a, "reduced", d(6, 24), points=4)
            self.block(a, d(6, 3), d(6, 23), "doctor_suspended")
            f = c.fraud.code
            yield s.imposed(
                sanction_payload(
                    Decision(f"CF-{y}-001", f"JC-{y}-006", d(6, 18)),
                    "fine",
                    "institution",
                    f,
                    "article_40",
                    "phantom_bed",
                    d(6, 18),
                    base_amount=self._fraud_fine,
                    multiple="3",
                )
            )
            yield s.appeal_filed(f"CF-{y}-001", f, d(6, 25))
            lender = c.card_lender.person_id
            yield s.imposed(
                sanction_payload(
                    Decision(f"ZT-{y}-002", f"JC-{y}-007", d(6, 20)),
                    "networked_settlement_suspension",
                    "person",
                    lender,
                    "article_41",
                    "card_lending",
                    d(7, 1),
                    d(9, 30),
                )
            )
            self.block(lender, d(7, 1), d(9, 30), "networked_settlement_suspended")
            yield s.imposed(
                sanction_payload(
                    Decision(f"CF-{y}-002", f"JC-{y}-007", d(6, 20)),
                    "fine",
                    "person",
                    lender,
                    "article_41",
                    "card_lending",
                    d(6, 20),
                    base_amount=Decimal("1800.00"),
                    multiple="2",
                )
            )
        elif month == 7:
            f = c.fraud.code
            yield s.appeal_decided(f"CF-{y}-001", f, "reduced", d(7, 10), multiple="2")
            yield s.imposed(
                sanction_payload(
                    Decision(f"YS-{y}-001", f"JC-{y}-006", d(7, 12)),
                    "referral",
                    "institution",
                    f,
                    "agreement",
                    "phantom_bed",
                    d(7, 12),
                    referred_to="police",
                )
            )
            yield s.imposed(
                sanction_payload(
                    Decision(f"JF-{y}-006", f"JC-{y}-D06", d(7, 5)),
                    "doctor_points",
                    "doctor",
                    c.twelve_points,
                    "doctor_points",
                    "fake_records",
                    d(7, 5),
                    points=6,
                    suspension_months=3,
                )
            )
            self.block(c.twelve_points, d(7, 5), None, "doctor_suspended")  # 12 points: terminated
            yield s.imposed(
                sanction_payload(
                    Decision(f"ZT-{y}-003", f"JC-{y}-008", d(7, 25)),
                    "settlement_suspension",
                    "institution",
                    c.paused_pharmacy.code,
                    "agreement",
                    "drug_reselling",
                    d(8, 1),
                    d(9, 30),
                )
            )
            self.block(
                c.paused_pharmacy.code, d(8, 1), d(8, 31), "institution_suspended"
            )  # lifted below
        elif month == 8:
            yield s.lifted(f"ZT-{y}-003", c.paused_pharmacy.code, d(9, 1), "rectification accepted")
            yield s.fine_paid(
                f"CF-{y}-001", c.fraud.code, self._fraud_fine, d(8, 15), f"GK-{y}-0815"
            )
            yield s.fine_paid(
                f"CF-{y}-002", c.card_lender.person_id, Decimal("3600.00"), d(8, 20), f"GK-{y}-0820"
            )
        elif month == 9:
            p = c.terminated_pharmacy.code
            yield s.imposed(
                sanction_payload(
                    Decision(f"JC-{y}-009", f"JC-{y}-009", d(9, 20)),
                    "agreement_termination",
                    "institution",
                    p,
                    "article_40",
                    "drug_reselling",
                    d(10, 1),
                )
            )
            self.block(p, d(10, 1), None, "agreement_terminated")
            yield s.imposed(
                sanction_payload(
                    Decision(f"YS-{y}-002", f"JC-{y}-009", d(9, 20)),
                    "referral",
                    "institution",
                    p,
                    "agreement",
                    "drug_reselling",
                    d(9, 20),
                    referred_to="market_regulation",
                )
            )
            yield s.imposed(
                sanction_payload(
                    Decision(f"CF-{y}-003", f"JC-{y}-010", d(9, 12)),
                    "fine",
                    "institution",
                    c.overcharger.code,
                    "article_38",
                    "over_standard_charging",
                    d(9, 12),
                    base_amount=self._overcharge_base,
                    multiple="1.5",
                )
            )
        elif month == 10:
            yield s.fine_paid(
                f"CF-{y}-001", c.fraud.code, self._fraud_fine, d(10, 9), f"GK-{y}-1009"
            )
            yield s.fine_paid(
                f"CF-{y}-003",
                c.overcharger.code,
                (self._overcharge_base * Decimal("1.5")).quantize(Decimal("0.01")),
                d(10, 20),
                f"GK-{y}-1020",
            )
            b = c.badly_run.code
            yield s.imposed(
                sanction_payload(
                    Decision(f"CF-{y}-004", f"JC-{y}-011", d(10, 8)),
                    "fine",
                    "institution",
                    b,
                    "article_39",
                    "management_failure",
                    d(10, 8),
                    fine_amount=Decimal("20000.00"),
                )
            )
            yield s.appeal_filed(f"CF-{y}-004", b, d(10, 14))
            yield s.appeal_decided(f"CF-{y}-004", b, "revoked", d(10, 28))
        elif month == 16:
            yield s.imposed(
                sanction_payload(
                    Decision(f"CF-{y}-005", f"JC-{y}-012", d(16, 15)),
                    "fine",
                    "institution",
                    c.late.code,
                    "article_38",
                    "over_treatment",
                    d(16, 15),
                    base_amount=self._late_total,
                    multiple="2",
                )
            )
