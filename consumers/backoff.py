"""Retry after an outage of PostgreSQL or the broker: waits that double up to a ceiling, each
failure logged, and a limit after which the error is raised for a supervisor to see."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from eventsourcing.persistence import InterfaceError, OperationalError
from kafka.errors import KafkaError

log = logging.getLogger(__name__)


class OutageTooLong(Exception):  # noqa: N818 - reads as what happened, like StopIteration
    """A service stayed unreachable past the outage limit; the message is the one line a user
    sees, the service's own error is the cause."""


# Failures that a restart of PostgreSQL or of the broker causes and that end by themselves.
# Anything else (a bug, a permission missing, bad SQL) stops the worker at once.
TRANSIENT: tuple[type[Exception], ...] = (OperationalError, InterfaceError, KafkaError)


@dataclass
class Backoff:
    """Waits 0.5 s, 1 s, 2 s ... up to `longest`; gives up after `give_up_after` seconds of
    failures without a success in between, as measured by `clock` (seconds, monotonic)."""

    first: float = 0.5
    longest: float = 10.0
    give_up_after: float = 300.0
    attempts: int = 0
    clock: Callable[[], float] = field(default=time.monotonic, repr=False)
    _failing_since: float | None = field(default=None, repr=False)
    last_error: Exception | None = field(default=None, repr=False)

    @property
    def failing(self) -> bool:
        """Whether an outage is in progress: a failure with no success since."""
        return self._failing_since is not None

    def failed(self, error: Exception, what: str, stop: threading.Event) -> None:
        """Log the failure, raise it if the outage lasted too long, else wait (or until stop)."""
        now = self.clock()
        if self._failing_since is None:
            self._failing_since = now
        self.attempts += 1
        self.last_error = error
        outage = now - self._failing_since
        if outage >= self.give_up_after:
            # One line for the user: PostgreSQL's messages run over several.
            said = str(error)  # kafka-python's errors name their class already, psycopg's not
            if not said.startswith(type(error).__name__):
                said = f"{type(error).__name__}: {said}"
            said = " ".join(said.split())
            message = f"{what}: still failing after {outage:.0f} s, giving up: {said}"
            log.error("%s", message)
            raise OutageTooLong(message) from error
        delay = min(self.longest, self.first * 2 ** (self.attempts - 1))
        log.warning(
            "%s failed (attempt %d, outage %.1f s), retrying in %.1f s: %s",
            what,
            self.attempts,
            outage,
            delay,
            error,
        )
        stop.wait(delay)

    def succeeded(self) -> None:
        """Call only after a round trip with the service that failed, never on mere silence:
        an empty poll of a dead broker looks just like an idle topic."""
        if self._failing_since is not None:
            log.warning("recovered after %d failed attempts", self.attempts)
        self.attempts, self._failing_since, self.last_error = 0, None, None
