"""One seed for every random choice the tests make (message ids, kill moments): printed in the
session header, and logged by each test that takes the `rng` fixture (pytest shows it with the
failure); `LEDGER_TEST_SEED=N` repeats it. Message ids follow the order the tests run in, so
repeat the same selection of tests; an `rng` depends only on the seed and the test's id.

Database, topic and group names stay random (uuid4): they only keep tests apart, and a fixed
name would collide with a run that failed to clean up.
"""

from __future__ import annotations

import logging
import os
import random
import secrets
import uuid

import pytest

log = logging.getLogger(__name__)
SEED = int(os.environ.get("LEDGER_TEST_SEED") or secrets.randbits(32))
_ids = random.Random(SEED)


def repeat_hint() -> str:
    return f"random seed {SEED} (repeat with LEDGER_TEST_SEED={SEED})"


def seeded_uuid() -> uuid.UUID:
    """A version-4 UUID drawn from the session's seed (message ids, aggregate ids)."""
    return uuid.UUID(int=_ids.getrandbits(128), version=4)


@pytest.fixture
def rng(request: pytest.FixtureRequest) -> random.Random:
    """A generator of this test alone, from the session's seed and the test's id, so the test
    draws the same choices when run alone or with others."""
    log.warning("%s: %s", request.node.nodeid, repeat_hint())
    return random.Random(f"{SEED}:{request.node.nodeid}")
