"""The county the scenario plays in: institutions, doctors, employers and insured persons."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from scripts.simulation.config import ScenarioConfig

HOSPITAL_LEVELS = ("3", "2", "2", "1", "1", "community")
STATUSES = ("min_income", "destitute", "severe_disability", "registered_poor")


@dataclass(frozen=True)
class Institution:
    """A designated institution (定点医药机构)."""

    code: str
    name: str
    kind: str  # hospital, clinic, pharmacy
    level: str  # community, 1, 2, 3 (pharmacies: none)
    ownership: str  # public, private


@dataclass(frozen=True)
class Doctor:
    """An insurance doctor (医保医师), registered at one or more institutions."""

    doctor_id: str
    institutions: tuple[str, ...]


@dataclass
class Person:
    """An insured person, with what the generator needs to keep the year consistent."""

    person_id: str
    scheme: str  # resident or employee
    category: str
    employer_id: str | None
    enrolled_on: date
    primary_institution: str | None = None
    statuses: dict[str, date] = field(default_factory=dict)  # status -> certified from


@dataclass
class County:
    """All actors of one region and year, built once from the seed."""

    config: ScenarioConfig
    hospitals: list[Institution]
    clinics: list[Institution]
    pharmacies: list[Institution]
    doctors: list[Doctor]
    employers: list[str]
    persons: list[Person]

    @property
    def institutions(self) -> list[Institution]:
        return [*self.hospitals, *self.clinics, *self.pharmacies]

    def doctors_at(self, code: str) -> list[Doctor]:
        return [d for d in self.doctors if code in d.institutions]


def build_county(config: ScenarioConfig) -> County:
    """The county's actors; deterministic for a config."""
    rng = random.Random(f"{config.seed}:county")  # noqa: S311 - reproducible data, not secrets
    region = config.region
    hospitals = [
        Institution(
            f"H{region}{n + 1:05d}",
            f"{'County' if n < 2 else 'Township'} hospital {n + 1}",
            "hospital",
            HOSPITAL_LEVELS[n % len(HOSPITAL_LEVELS)],
            "public" if n % 3 != 2 else "private",
        )
        for n in range(config.hospitals)
    ]
    clinics = [
        Institution(
            f"H{region}{config.hospitals + n + 1:05d}",
            f"Clinic {n + 1}",
            "clinic",
            "community" if n % 2 == 0 else "1",
            "private" if n % 2 else "public",
        )
        for n in range(config.clinics)
    ]
    pharmacies = [
        Institution(f"P{region}{n + 1:05d}", f"Pharmacy {n + 1}", "pharmacy", "none", "private")
        for n in range(config.pharmacies)
    ]
    doctors = []
    for h in [*hospitals, *clinics]:
        for k in range(config.doctors_per_hospital if h.kind == "hospital" else 1):
            places = [h.code]
            if k == 0 and h.kind == "hospital" and rng.random() < 0.3:
                places.append(rng.choice(clinics).code)  # 多点执业: also sees patients elsewhere
            doctors.append(Doctor(f"D{h.code[1:]}{k + 1:02d}", tuple(places)))
    employers = [f"E{region}{n + 1:04d}" for n in range(config.employers)]
    persons = [_person(rng, config, n, employers, hospitals) for n in range(config.persons)]
    return County(config, hospitals, clinics, pharmacies, doctors, employers, persons)


def _person(
    rng: random.Random,
    config: ScenarioConfig,
    n: int,
    employers: list[str],
    hospitals: list[Institution],
) -> Person:
    year = config.year
    employee = rng.random() < 0.3
    if employee:
        category = "retiree" if rng.random() < 0.25 else "employee"
    else:
        category = rng.choices(["adult", "child", "student", "elderly"], [5, 2, 1, 2])[0]
    # Most are covered from New Year; some join during the year (newborns, new employees).
    late = rng.random() < 0.06
    enrolled_on = date(year, rng.randint(2, 11), rng.randint(1, 28)) if late else date(year, 1, 1)
    person = Person(
        person_id=f"{config.region}{n + 1:07d}",
        scheme="employee" if employee else "resident",
        category=category,
        employer_id=rng.choice(employers) if employee else None,
        enrolled_on=enrolled_on,
        primary_institution=None if employee else rng.choice(hospitals).code,
    )
    if not employee and rng.random() < 0.08:
        person.statuses[rng.choice(STATUSES)] = enrolled_on
    return person
