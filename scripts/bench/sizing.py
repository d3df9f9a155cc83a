"""How many persons a county year needs for a log of a given size."""

from __future__ import annotations

import math

# Events the county year stores per person (measured: 64 936 persons stored 937 964 events; the
# `county` scale stores 15.4 per person); the run reports the events actually stored.
EVENTS_PER_PERSON = 14.4
MIN_PERSONS = 60  # the `tiny` scale: every event type still occurs


def persons_for(events: int, regions: int = 1) -> int:
    """Persons per region so that `regions` county years store about `events` events."""
    return max(MIN_PERSONS, math.ceil(events / regions / EVENTS_PER_PERSON))
