"""The system clock: read only by entry points, which pass the time on as an argument."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    """Now, timezone-aware (UTC)."""
    return datetime.now(UTC)
