"""Progress on a terminal for long commands: count, rate, what is left. Silent otherwise."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """Rewrites one status line at most ten times a second, only on a terminal."""

    def __init__(self, label: str, total: int | None = None, stream: TextIO = sys.stderr) -> None:
        self._label = label
        self._total = total
        self._stream = stream
        self._enabled = stream.isatty()
        self._started = time.monotonic()
        self._last_draw = 0.0

    def update(self, done: int, extra: str = "", *, force: bool = False) -> None:
        if not self._enabled:
            return
        now = time.monotonic()
        if not force and now - self._last_draw < 0.1:
            return
        self._last_draw = now
        rate = done / max(now - self._started, 1e-9)
        left = ""
        if self._total is not None:
            remaining = max(self._total - done, 0)
            eta = remaining / rate if rate > 0 else 0.0
            left = f", {remaining} left (~{eta:.0f}s)"
        line = f"{self._label}: {done} at {rate:,.0f}/s{left}{extra}"
        self._stream.write("\r" + line[:150].ljust(80))
        self._stream.flush()

    def finish(self) -> None:
        if self._enabled:
            self._stream.write("\n")
            self._stream.flush()
