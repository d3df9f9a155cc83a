"""Settings of the fault suite."""

from __future__ import annotations

from dataclasses import replace

import pytest

from infra.settings import Settings


@pytest.fixture(name="settings")
def assign_mode_settings(settings: Settings) -> Settings:
    """Assign mode: a restarted worker resumes at once instead of waiting out a consumer
    group's session timeout, which keeps repeated kills within the suite's time budget. Both
    modes are covered by test_crash.py and test_database_restart.py."""
    return replace(settings, consumer_mode="assign")
