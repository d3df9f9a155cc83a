"""How long-running commands stop: SIGTERM or SIGINT lets the batch in hand finish, for a few
seconds at most.

A batch can be waiting in PostgreSQL (a lock held elsewhere, a statement up to its timeout) or
on the broker; a supervisor that sends SIGTERM expects the process gone soon, so after the
grace period, or at a second signal, the wait is interrupted. Nothing is lost by that: a batch
commits whole or not at all, and an uncommitted one is read again from the stored offsets.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType

STOP_GRACE_S = 5.0


class StoppedDuringBatch(BaseException):
    """The batch in hand did not finish within the grace period after a stop signal.

    A BaseException, like KeyboardInterrupt, so that no `except Exception` on the way (one
    record's decoding, say) can swallow it."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(
            f"stopped by {signal.Signals(signum).name} during a batch: it was not committed"
            " and will be read again"
        )

    @property
    def exit_code(self) -> int:
        return 128 + self.signum  # the shell's convention for a process ended by a signal


@contextlib.contextmanager
def stop_on_signal(grace_s: float = STOP_GRACE_S) -> Iterator[threading.Event]:
    """An event set by SIGTERM or SIGINT: the loop finishes its batch, then returns. A batch
    still running `grace_s` seconds later, or at a second signal, raises StoppedDuringBatch."""
    stop = threading.Event()
    first: list[int] = []

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        if first:
            raise StoppedDuringBatch(first[0])
        first.append(signum)
        stop.set()
        signal.setitimer(signal.ITIMER_REAL, grace_s)

    def grace_over(_signum: int, _frame: FrameType | None) -> None:
        raise StoppedDuringBatch(first[0])

    watched = (signal.SIGTERM, signal.SIGINT, signal.SIGALRM)
    previous = {s: signal.getsignal(s) for s in watched}
    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGALRM, grace_over)
    try:
        yield stop
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        for s, handler in previous.items():
            signal.signal(s, handler)
