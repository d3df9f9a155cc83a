"""How big a county-year scenario is, and which one (seed, region, year)."""

from __future__ import annotations

from dataclasses import dataclass

# Persons per scale; institutions, doctors and claims grow with them.
SCALES = {
    "tiny": 60,  # integration tests: every event type, seconds to ingest
    "small": 400,  # `make demo`: a couple of minutes on two cores
    "county": 5_000,  # a county's sample: thousands of persons, tens of thousands of messages
    "large": 50_000,  # benchmarks: a few hundred thousand messages, streamed
}


@dataclass(frozen=True)
class ScenarioConfig:
    """Everything that decides the generated messages: same config, same bytes."""

    seed: int = 2019
    region: str = "430422"
    year: int = 2019
    persons: int = SCALES["small"]
    bad_messages: bool = True

    @property
    def hospitals(self) -> int:
        # A county of 400 000 people has ~85 hospitals; a sample keeps the proportion loosely,
        # with enough of them to cover every level twice.
        return max(8, min(85, self.persons // 60))

    @property
    def pharmacies(self) -> int:
        return max(3, min(55, self.persons // 100))

    @property
    def clinics(self) -> int:
        return max(2, self.hospitals // 4)

    @property
    def doctors_per_hospital(self) -> int:
        return 4

    @property
    def employers(self) -> int:
        return max(3, self.persons // 150)


def config_for(
    scale: str | None,
    persons: int | None,
    seed: int,
    bad_messages: bool = True,
    region: str = "430422",
) -> ScenarioConfig:
    """A config from a named scale, overridden by an explicit person count."""
    if scale is not None and scale not in SCALES:
        raise ValueError(f"scale must be one of {', '.join(SCALES)}, not {scale!r}")
    count = persons if persons is not None else SCALES[scale or "small"]
    if count < SCALES["tiny"]:
        raise ValueError(f"a county year needs at least {SCALES['tiny']} persons, not {count}")
    if not (len(region) == 6 and region.isdigit()):
        raise ValueError(f"a pooling region is a 6-digit code, not {region!r}")
    return ScenarioConfig(seed=seed, region=region, persons=count, bad_messages=bad_messages)
